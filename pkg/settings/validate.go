package settings

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Validate checks that the settings are complete for the chosen authentication and within bounds. It
// reports every problem at once (errors.Join), each in the words of the config editor and saying what
// to do. Messages name fields, never their values.
func (s Settings) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	missing := func(v string) bool { return strings.TrimSpace(v) == "" }

	if missing(s.APIBaseURL) {
		add("API URL is missing: paste it from the service key field \"url\" (Process Integration Runtime, plan api), or paste the whole service key.")
	} else if _, err := NormalizeAPIURL(s.APIBaseURL); err != nil {
		errs = append(errs, err)
	}

	switch s.Environment {
	case EnvironmentCloudFoundry, EnvironmentNeo:
	default:
		add("Environment %q is not supported: choose Cloud Foundry or Neo.", s.Environment)
	}

	checkTokenURL := func() {
		if missing(s.TokenURL) {
			add("Token URL is missing: paste it from the service key field \"tokenurl\", or paste the whole service key.")
		} else if _, err := NormalizeTokenURL(s.TokenURL); err != nil {
			errs = append(errs, err)
		}
	}
	checkClientID := func() {
		if missing(s.ClientID) {
			add("Client ID is missing: paste it from the service key field \"clientid\", or paste the whole service key.")
		}
	}

	switch s.AuthType {
	case AuthOAuth2ClientCredentials:
		checkTokenURL()
		checkClientID()
		if missing(s.Secrets.ClientSecret) {
			add("Client secret is missing: paste it from the service key field \"clientsecret\", or paste the whole service key.")
		}
	case AuthOAuth2Certificate:
		checkTokenURL()
		checkClientID()
		if missing(s.Secrets.ClientCertificate) {
			add("Client certificate is missing: paste it from the service key field \"certificate\" (key type Certificate), or paste the whole service key.")
		}
		if missing(s.Secrets.ClientKey) {
			add("Client key is missing: paste it from the service key field \"key\" (key type Certificate). A key of type External Certificate has no private key: use the key the certificate was created with.")
		}
		errs = append(errs, checkKeyPair(s.Secrets)...)
	case AuthBasic:
		if missing(s.BasicUser) {
			add("User is missing: enter the user (with a role collection containing MonitoringDataRead) for Basic authentication.")
		}
		if missing(s.Secrets.BasicPassword) {
			add("Password is missing: enter the password of the Basic authentication user.")
		}
	case AuthClientCertificate:
		if missing(s.Secrets.ClientCertificate) {
			add("Client certificate is missing: paste the PEM certificate (chain up to a root CA the API host accepts) that is presented on every API call.")
		}
		if missing(s.Secrets.ClientKey) {
			add("Client key is missing: paste the PEM private key of the client certificate.")
		}
		errs = append(errs, checkKeyPair(s.Secrets)...)
	default:
		add("Authentication %q is not supported: choose OAuth2 client credentials, OAuth2 with certificate, Basic or Client certificate.", s.AuthType)
	}

	if s.TLSAuthWithCACert {
		if missing(s.Secrets.TLSCACert) {
			add("CA certificate is missing: paste the PEM certificate of the CA to trust, or turn off \"With CA cert\".")
		} else if !x509.NewCertPool().AppendCertsFromPEM([]byte(s.Secrets.TLSCACert)) {
			add("CA certificate is not a valid PEM certificate: paste one or more blocks starting with -----BEGIN CERTIFICATE-----.")
		}
	}

	if s.Timeout < MinTimeout || s.Timeout > MaxTimeout {
		add("Timeout must be between %d and %d seconds (it is %g).", int(MinTimeout.Seconds()), int(MaxTimeout.Seconds()), s.Timeout.Seconds())
	}
	if s.MaxConcurrent < MinMaxConcurrent || s.MaxConcurrent > MaxMaxConcurrent {
		add("Max concurrent requests must be between %d and %d (it is %d).", MinMaxConcurrent, MaxMaxConcurrent, s.MaxConcurrent)
	}
	return errors.Join(errs...)
}

// checkKeyPair parses certificate and key together when both are present (a missing one is reported
// by the caller). The tls package's error texts are fixed phrases that never quote key material.
func checkKeyPair(sec Secrets) []error {
	if strings.TrimSpace(sec.ClientCertificate) == "" || strings.TrimSpace(sec.ClientKey) == "" {
		return nil
	}
	if _, err := tls.X509KeyPair([]byte(sec.ClientCertificate), []byte(sec.ClientKey)); err != nil {
		return []error{fmt.Errorf("Client certificate and Client key are not a valid PEM certificate and matching private key (%v): "+
			"paste the certificate (-----BEGIN CERTIFICATE-----…) and its private key (-----BEGIN … PRIVATE KEY-----…), "+
			"e.g. \"certificate\" and \"key\" of a Certificate service key.", err)}
	}
	return nil
}
