package settings

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// testPEM returns a freshly generated self-signed certificate and its PKCS#8 private key, as PEM.
// ECDSA P-256 keeps generation in the microseconds.
func testPEM(t *testing.T, cn string) (certPEM, keyPEM string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}

func instance(jsonData string, secure map[string]string) backend.DataSourceInstanceSettings {
	return backend.DataSourceInstanceSettings{JSONData: []byte(jsonData), DecryptedSecureJSONData: secure}
}

const (
	skAPI   = "https://prov.it-cpi001.cfapps.eu10.hana.ondemand.com"
	skToken = "https://prov.authentication.eu10.hana.ondemand.com/oauth/token"
)

var secretServiceKey = `{"oauth":{"clientid":"sk-client","clientsecret":"sk-secret","url":"` + skAPI + `/api/v1","tokenurl":"` + skToken + `"}}`

func TestLoad(t *testing.T) {
	cert, key := testPEM(t, "load")
	certKey := `{"clientid":"sk-cert-client","certificate":` + mustJSON(cert) + `,"key":` + mustJSON(key) +
		`,"url":"` + skAPI + `","tokenurl":"https://prov.authentication.cert.eu10.hana.ondemand.com"}`

	tests := []struct {
		name     string
		url      string // top-level data source URL
		jsonData string
		secure   map[string]string
		want     Settings
		wantErr  string
	}{
		{
			name:     "empty settings get defaults",
			jsonData: ``,
			want: Settings{Environment: EnvironmentCloudFoundry, AuthType: AuthOAuth2ClientCredentials,
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name:     "null and {} are empty too",
			jsonData: `{}`,
			want: Settings{Environment: EnvironmentCloudFoundry, AuthType: AuthOAuth2ClientCredentials,
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name: "every field, normalised",
			jsonData: `{"apiUrl":" https://ABC.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1/ ","environment":"neo","tenantLabel":" PRD ",
				"authType":"oauth2ClientCredentials","tokenUrl":"https://abc.authentication.eu10.hana.ondemand.com","clientId":" cid ",
				"basicUser":"u","tlsSkipVerify":true,"tlsAuthWithCACert":true,"timeoutSeconds":12.5,"maxConcurrentRequests":3}`,
			secure: map[string]string{"clientSecret": "cs", "basicPassword": "bp", "clientCertificate": "C", "clientKey": "K", "tlsCACert": "CA"},
			want: Settings{
				APIBaseURL: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com", Environment: EnvironmentNeo, TenantLabel: "PRD",
				AuthType: AuthOAuth2ClientCredentials, TokenURL: "https://abc.authentication.eu10.hana.ondemand.com/oauth/token",
				ClientID: "cid", BasicUser: "u", TLSSkipVerify: true, TLSAuthWithCACert: true,
				Timeout: 12500 * time.Millisecond, MaxConcurrent: 3,
				Secrets: Secrets{ClientSecret: "cs", BasicPassword: "bp", ClientCertificate: "C", ClientKey: "K", TLSCACert: "CA"},
			},
		},
		{
			name:     "numbers and booleans as strings (provisioning with env interpolation)",
			jsonData: `{"apiUrl":"http://127.0.0.1:8089","clientId":"c","tlsSkipVerify":"TRUE","tlsAuthWithCACert":"","timeoutSeconds":"60","maxConcurrentRequests":" 16 "}`,
			want: Settings{APIBaseURL: "http://127.0.0.1:8089", Environment: EnvironmentCloudFoundry, TenantLabel: "127.0.0.1",
				AuthType: AuthOAuth2ClientCredentials, ClientID: "c", TLSSkipVerify: true, Timeout: time.Minute, MaxConcurrent: 16},
		},
		{
			name:     "zero timeout and concurrency mean default",
			jsonData: `{"timeoutSeconds":0,"maxConcurrentRequests":null}`,
			want: Settings{Environment: EnvironmentCloudFoundry, AuthType: AuthOAuth2ClientCredentials,
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name:     "tenant label defaults to the host name without port",
			jsonData: `{"apiUrl":"https://sandbox.api.sap.com:443/cpi/api/v1","basicUser":"u"}`,
			want: Settings{APIBaseURL: "https://sandbox.api.sap.com:443/cpi", Environment: EnvironmentCloudFoundry, TenantLabel: "sandbox.api.sap.com",
				AuthType: AuthBasic, BasicUser: "u", Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name:     "top-level URL is a fallback for apiUrl",
			url:      "https://fallback.example.com/api/v1",
			jsonData: `{}`,
			want: Settings{APIBaseURL: "https://fallback.example.com", Environment: EnvironmentCloudFoundry, TenantLabel: "fallback.example.com",
				AuthType: AuthOAuth2ClientCredentials, Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name:     "apiUrl wins over the top-level URL",
			url:      "https://fallback.example.com",
			jsonData: `{"apiUrl":"https://explicit.example.com"}`,
			want: Settings{APIBaseURL: "https://explicit.example.com", Environment: EnvironmentCloudFoundry, TenantLabel: "explicit.example.com",
				AuthType: AuthOAuth2ClientCredentials, Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name:     "service key fills every empty field",
			jsonData: `{}`,
			secure:   map[string]string{"serviceKey": secretServiceKey},
			want: Settings{APIBaseURL: skAPI, Environment: EnvironmentCloudFoundry, TenantLabel: "prov.it-cpi001.cfapps.eu10.hana.ondemand.com",
				AuthType: AuthOAuth2ClientCredentials, TokenURL: skToken, ClientID: "sk-client",
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests, Secrets: Secrets{ClientSecret: "sk-secret"}},
		},
		{
			name:     "explicit fields win over the service key",
			jsonData: `{"apiUrl":"https://explicit.example.com","clientId":"explicit-client","tenantLabel":"QA","authType":"oauth2ClientCredentials"}`,
			secure:   map[string]string{"serviceKey": secretServiceKey, "clientSecret": "explicit-secret"},
			want: Settings{APIBaseURL: "https://explicit.example.com", Environment: EnvironmentCloudFoundry, TenantLabel: "QA",
				AuthType: AuthOAuth2ClientCredentials, TokenURL: skToken, ClientID: "explicit-client",
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests, Secrets: Secrets{ClientSecret: "explicit-secret"}},
		},
		{
			name:     "certificate service key sets auth type, certificate and key",
			jsonData: `{"timeoutSeconds":5}`,
			secure:   map[string]string{"serviceKey": certKey},
			want: Settings{APIBaseURL: skAPI, Environment: EnvironmentCloudFoundry, TenantLabel: "prov.it-cpi001.cfapps.eu10.hana.ondemand.com",
				AuthType: AuthOAuth2Certificate, TokenURL: "https://prov.authentication.cert.eu10.hana.ondemand.com/oauth/token", ClientID: "sk-cert-client",
				Timeout: 5 * time.Second, MaxConcurrent: DefaultMaxConcurrentRequests, Secrets: Secrets{ClientCertificate: cert, ClientKey: key}},
		},
		{
			name:     "explicit basic auth type is kept although the service key is OAuth",
			jsonData: `{"authType":"basic","basicUser":"tech"}`,
			secure:   map[string]string{"serviceKey": secretServiceKey, "basicPassword": "pw"},
			want: Settings{APIBaseURL: skAPI, Environment: EnvironmentCloudFoundry, TenantLabel: "prov.it-cpi001.cfapps.eu10.hana.ondemand.com",
				AuthType: AuthBasic, TokenURL: skToken, ClientID: "sk-client", BasicUser: "tech",
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests, Secrets: Secrets{ClientSecret: "sk-secret", BasicPassword: "pw"}},
		},
		{
			name:     "inferred: client ID and certificate without secret",
			jsonData: `{"clientId":"c"}`,
			secure:   map[string]string{"clientCertificate": "C", "clientKey": "K"},
			want: Settings{Environment: EnvironmentCloudFoundry, AuthType: AuthOAuth2Certificate, ClientID: "c",
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests, Secrets: Secrets{ClientCertificate: "C", ClientKey: "K"}},
		},
		{
			name:     "inferred: basic user only",
			jsonData: `{"basicUser":"u"}`,
			want: Settings{Environment: EnvironmentCloudFoundry, AuthType: AuthBasic, BasicUser: "u",
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests},
		},
		{
			name:     "inferred: certificate without client ID is mTLS; literal \\n repaired",
			jsonData: `{}`,
			secure:   map[string]string{"clientCertificate": `-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----`, "clientKey": "K"},
			want: Settings{Environment: EnvironmentCloudFoundry, AuthType: AuthClientCertificate,
				Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests,
				Secrets: Secrets{ClientCertificate: "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----", ClientKey: "K"}},
		},
		{name: "jsonData not JSON", jsonData: `{"apiUrl":`, wantErr: "not valid JSON (problem at character"},
		{name: "jsonData wrong type names the key", jsonData: `{"apiUrl":42}`, wantErr: `setting "apiUrl" must be a string, not a number`},
		{name: "jsonData not an object", jsonData: `[1]`, wantErr: "must be a JSON object (got a JSON array)"},
		{name: "timeout not a number", jsonData: `{"timeoutSeconds":"soon"}`, wantErr: `setting "timeoutSeconds" must be a number`},
		{name: "concurrency of wrong JSON type", jsonData: `{"maxConcurrentRequests":true}`, wantErr: `setting "maxConcurrentRequests" must be a number`},
		{name: "boolean not a boolean", jsonData: `{"tlsSkipVerify":"maybe"}`, wantErr: `setting "tlsSkipVerify" must be true or false`},
		{name: "boolean of wrong JSON type", jsonData: `{"tlsAuthWithCACert":1}`, wantErr: `setting "tlsAuthWithCACert" must be true or false`},
		{name: "fractional concurrency", jsonData: `{"maxConcurrentRequests":2.5}`, wantErr: "must be a whole number"},
		{name: "invalid API URL", jsonData: `{"apiUrl":"ftp://x.example.com"}`, wantErr: "API URL must start with https://"},
		{name: "invalid token URL", jsonData: `{"tokenUrl":"x.example.com/oauth/token"}`, wantErr: "Token URL has no scheme"},
		{name: "invalid service key", jsonData: `{}`, secure: map[string]string{"serviceKey": "[1]"},
			wantErr: "secureJsonData.serviceKey) cannot be used: The service key must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instance(tt.jsonData, tt.secure)
			in.URL = tt.url
			got, err := Load(in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Fatalf("got  %+v %#v\nwant %+v %#v", got, got.Secrets.raw(), tt.want, tt.want.Secrets.raw())
			}
		})
	}
}

// raw prints secrets in test failure output only (Secrets.String redacts them).
func (s Secrets) raw() []string {
	return []string{s.ClientSecret, s.BasicPassword, s.ClientCertificate, s.ClientKey, s.TLSCACert}
}

func TestLoadedSettingsValidate(t *testing.T) {
	// A provisioned service key alone must give a usable configuration.
	s, err := Load(instance(`{}`, map[string]string{"serviceKey": secretServiceKey}))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("settings from a service key do not validate: %v", err)
	}
	// Empty settings must name the fields of the recommended setup.
	s, err = Load(instance(``, nil))
	if err != nil {
		t.Fatal(err)
	}
	assertProblems(t, s.Validate(), "API URL is missing", "Token URL is missing", "Client ID is missing", "Client secret is missing")
}

func TestValidate(t *testing.T) {
	cert, key := testPEM(t, "client")
	otherCert, _ := testPEM(t, "other")
	caCert, _ := testPEM(t, "ca")

	base := Settings{
		APIBaseURL: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com", Environment: EnvironmentCloudFoundry,
		TokenURL: "https://abc.authentication.eu10.hana.ondemand.com/oauth/token", ClientID: "cid", BasicUser: "u",
		Timeout: DefaultTimeout, MaxConcurrent: DefaultMaxConcurrentRequests,
	}
	with := func(a AuthType, sec Secrets, mod func(*Settings)) Settings {
		s := base
		s.AuthType = a
		s.Secrets = sec
		if mod != nil {
			mod(&s)
		}
		return s
	}
	full := Secrets{ClientSecret: "cs", BasicPassword: "bp", ClientCertificate: cert, ClientKey: key}

	tests := []struct {
		name string
		s    Settings
		want []string // one phrase per expected problem; none = valid
	}{
		{name: "client credentials valid", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs"}, nil)},
		{name: "oauth certificate valid", s: with(AuthOAuth2Certificate, Secrets{ClientCertificate: cert, ClientKey: key}, nil)},
		{name: "basic valid", s: with(AuthBasic, Secrets{BasicPassword: "bp"}, func(s *Settings) { s.TokenURL, s.ClientID = "", "" })},
		{name: "mTLS valid without token URL and client ID", s: with(AuthClientCertificate, Secrets{ClientCertificate: cert, ClientKey: key}, func(s *Settings) { s.TokenURL, s.ClientID = "", "" })},
		{name: "neo, http simulator, bounds inclusive", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) {
			s.Environment, s.APIBaseURL, s.Timeout, s.MaxConcurrent = EnvironmentNeo, "http://127.0.0.1:8089", MaxTimeout, MaxMaxConcurrent
		})},
		{name: "minimum bounds", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.Timeout, s.MaxConcurrent = MinTimeout, MinMaxConcurrent })},
		{name: "CA valid", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs", TLSCACert: caCert}, func(s *Settings) { s.TLSAuthWithCACert = true })},
		{name: "invalid CA ignored while the switch is off", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs", TLSCACert: "junk"}, nil)},

		{name: "client credentials: missing secret", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "  "}, nil),
			want: []string{`Client secret is missing: paste it from the service key field "clientsecret", or paste the whole service key.`}},
		{name: "client credentials: missing client ID", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs"}, func(s *Settings) { s.ClientID = "" }),
			want: []string{`Client ID is missing: paste it from the service key field "clientid"`}},
		{name: "client credentials: missing token URL", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs"}, func(s *Settings) { s.TokenURL = "" }),
			want: []string{`Token URL is missing: paste it from the service key field "tokenurl"`}},
		{name: "client credentials: bad token URL", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs"}, func(s *Settings) { s.TokenURL = "token" }),
			want: []string{"Token URL has no scheme"}},
		{name: "client credentials: everything missing", s: with(AuthOAuth2ClientCredentials, Secrets{}, func(s *Settings) { s.APIBaseURL, s.TokenURL, s.ClientID = "", "", "" }),
			want: []string{`API URL is missing: paste it from the service key field "url"`, "Token URL is missing", "Client ID is missing", "Client secret is missing"}},
		{name: "bad API URL", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs"}, func(s *Settings) { s.APIBaseURL = "https://x.example.com?a=b" }),
			want: []string{"API URL must not contain a query"}},

		{name: "oauth certificate: missing certificate", s: with(AuthOAuth2Certificate, Secrets{ClientKey: key}, nil),
			want: []string{`Client certificate is missing: paste it from the service key field "certificate"`}},
		{name: "oauth certificate: missing key (External Certificate)", s: with(AuthOAuth2Certificate, Secrets{ClientCertificate: cert}, nil),
			want: []string{`Client key is missing: paste it from the service key field "key"`}},
		{name: "oauth certificate: missing client ID and token URL", s: with(AuthOAuth2Certificate, Secrets{ClientCertificate: cert, ClientKey: key}, func(s *Settings) { s.ClientID, s.TokenURL = "", "" }),
			want: []string{"Token URL is missing", "Client ID is missing"}},
		{name: "oauth certificate: key does not match", s: with(AuthOAuth2Certificate, Secrets{ClientCertificate: otherCert, ClientKey: key}, nil),
			want: []string{"Client certificate and Client key are not a valid PEM certificate and matching private key"}},
		{name: "oauth certificate: not PEM", s: with(AuthOAuth2Certificate, Secrets{ClientCertificate: "MIIBcert", ClientKey: key}, nil),
			want: []string{"not a valid PEM certificate"}},
		{name: "oauth certificate: swapped", s: with(AuthOAuth2Certificate, Secrets{ClientCertificate: key, ClientKey: cert}, nil),
			want: []string{"not a valid PEM certificate"}},

		{name: "basic: missing user", s: with(AuthBasic, Secrets{BasicPassword: "bp"}, func(s *Settings) { s.BasicUser = "" }),
			want: []string{"User is missing"}},
		{name: "basic: missing password", s: with(AuthBasic, Secrets{}, nil),
			want: []string{"Password is missing"}},

		{name: "mTLS: missing both", s: with(AuthClientCertificate, Secrets{}, nil),
			want: []string{"Client certificate is missing: paste the PEM certificate", "Client key is missing: paste the PEM private key"}},
		{name: "mTLS: bad key", s: with(AuthClientCertificate, Secrets{ClientCertificate: cert, ClientKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}, nil),
			want: []string{"not a valid PEM certificate and matching private key"}},

		{name: "unknown auth type", s: with("oauth3", full, nil), want: []string{`Authentication "oauth3" is not supported`}},
		{name: "empty auth type", s: with("", full, nil), want: []string{`Authentication "" is not supported`}},
		{name: "unknown environment", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.Environment = "kyma" }),
			want: []string{`Environment "kyma" is not supported`}},
		{name: "CA missing", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.TLSAuthWithCACert = true }),
			want: []string{"CA certificate is missing"}},
		{name: "CA not PEM", s: with(AuthOAuth2ClientCredentials, Secrets{ClientSecret: "cs", TLSCACert: "junk"}, func(s *Settings) { s.TLSAuthWithCACert = true }),
			want: []string{"CA certificate is not a valid PEM certificate"}},
		{name: "timeout too small", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.Timeout = 500 * time.Millisecond }),
			want: []string{"Timeout must be between 1 and 300 seconds (it is 0.5)"}},
		{name: "timeout too large", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.Timeout = MaxTimeout + time.Second }),
			want: []string{"Timeout must be between 1 and 300 seconds (it is 301)"}},
		{name: "timeout negative", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.Timeout = -time.Second }),
			want: []string{"Timeout must be between"}},
		{name: "concurrency zero", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.MaxConcurrent = 0 }),
			want: []string{"Max concurrent requests must be between 1 and 64 (it is 0)"}},
		{name: "concurrency too large", s: with(AuthOAuth2ClientCredentials, full, func(s *Settings) { s.MaxConcurrent = 65 }),
			want: []string{"Max concurrent requests must be between 1 and 64 (it is 65)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, tt.s.Validate(), tt.want...)
		})
	}
}

// assertProblems checks that err holds exactly one problem per phrase, each containing its phrase.
func assertProblems(t *testing.T, err error, phrases ...string) {
	t.Helper()
	if len(phrases) == 0 {
		if err != nil {
			t.Fatalf("want valid, got: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want problems %q, got none", phrases)
	}
	var problems []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		problems = j.Unwrap()
	} else {
		problems = []error{err}
	}
	if len(problems) != len(phrases) {
		t.Fatalf("want %d problems %q, got %d:\n%v", len(phrases), phrases, len(problems), err)
	}
	for i, p := range phrases {
		if !strings.Contains(problems[i].Error(), p) {
			t.Errorf("problem %d = %q, want it to contain %q", i, problems[i], p)
		}
	}
}

// TestNoSecretInErrors builds broken settings whose secrets are distinctive strings and checks that
// no error from Load or Validate and no printed form of Settings contains any of them.
func TestNoSecretInErrors(t *testing.T) {
	cert, key := testPEM(t, "leak")
	secrets := []string{"LEAK-client-secret-4b1", "LEAK-basic-pw-8c2", "LEAK-key-body-6d3", "LEAK-sk-secret-2e5", "LEAK-ca-7f6"}
	badKey := "-----BEGIN PRIVATE KEY-----\n" + secrets[2] + "\n-----END PRIVATE KEY-----\n"
	// A real key in the wrong place also must not be echoed.
	keyBody := strings.Split(key, "\n")[1]

	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	sets := []Settings{
		{AuthType: AuthOAuth2ClientCredentials, Secrets: Secrets{ClientSecret: secrets[0]}, Timeout: -1},
		{AuthType: AuthBasic, Secrets: Secrets{BasicPassword: secrets[1]}, APIBaseURL: "https://u:" + secrets[1] + "@x.example.com"},
		{AuthType: AuthOAuth2Certificate, Secrets: Secrets{ClientCertificate: cert, ClientKey: badKey}},
		{AuthType: AuthClientCertificate, Secrets: Secrets{ClientCertificate: key, ClientKey: cert}},
		{AuthType: AuthClientCertificate, Secrets: Secrets{ClientCertificate: secrets[2], ClientKey: secrets[2]}},
		{AuthType: AuthType(""), TLSAuthWithCACert: true, Secrets: Secrets{TLSCACert: secrets[4], ClientSecret: secrets[0]}},
	}
	for _, s := range sets {
		check(s.Validate())
		if err := s.Validate(); err == nil {
			t.Fatalf("settings %v should be invalid", s)
		}
	}
	loads := []backend.DataSourceInstanceSettings{
		instance(`{"apiUrl":"https://u:`+secrets[1]+`@x.example.com"}`, map[string]string{"basicPassword": secrets[1]}),
		instance(`{"tokenUrl":"https://x.example.com/t?secret=`+secrets[0]+`"}`, map[string]string{"clientSecret": secrets[0]}),
		instance(`{}`, map[string]string{"serviceKey": `{"clientsecret":"` + secrets[3] + `"`}),
		instance(`{}`, map[string]string{"serviceKey": `{"clientsecret":` + secrets[3] + `}`}),
		instance(`{}`, map[string]string{"serviceKey": `{"clientid":"c","clientsecret":"` + secrets[3] + `","url":"https://a-rt.example.com","tokenurl":"https://t.example.com"}`}),
		instance(`{"apiUrl":42}`, map[string]string{"clientSecret": secrets[0]}),
	}
	for i, in := range loads {
		_, err := Load(in)
		if err == nil {
			t.Fatalf("load %d should fail", i)
		}
		check(err)
	}
	// Loaded-but-invalid settings: the secrets reach Validate.
	s, err := Load(instance(`{"authType":"clientCertificate","tlsAuthWithCACert":true,"timeoutSeconds":9999}`,
		map[string]string{"clientCertificate": secrets[2], "clientKey": badKey, "tlsCACert": secrets[4], "basicPassword": secrets[1]}))
	if err != nil {
		t.Fatal(err)
	}
	check(s.Validate())

	printed := fmt.Sprintf("%v %+v %#v %s", s, s, s, s.Secrets)
	for _, e := range errs {
		printed += "\n" + errorTree(e)
	}
	for _, secret := range append(secrets, keyBody) {
		if strings.Contains(printed, secret) {
			t.Errorf("secret %q appears in an error or printed settings:\n%s", secret, printed)
		}
	}
	if !strings.Contains(fmt.Sprintf("%+v", s), "ClientKey:set") {
		t.Errorf("printed settings should say which secrets are set: %+v", s)
	}
}

// errorTree renders an error and every error it wraps, so a secret hidden in a wrapped cause is found
// even if a caller later prints only the cause.
func errorTree(err error) string {
	if err == nil {
		return ""
	}
	out := err.Error()
	switch w := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range w.Unwrap() {
			out += "\n" + errorTree(e)
		}
	default:
		out += "\n" + errorTree(errors.Unwrap(err))
	}
	return out
}
