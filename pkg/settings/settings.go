// Package settings turns a data source's jsonData and decrypted secureJsonData into a validated
// Settings value. It is parsed once per data source instance (in the plugin factory).
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Environment is the SAP BTP environment of the tenant.
type Environment string

const (
	EnvironmentCloudFoundry Environment = "cloudFoundry"
	EnvironmentNeo          Environment = "neo"
)

// AuthType selects how the plugin authenticates against the tenant API.
type AuthType string

const (
	// AuthOAuth2ClientCredentials: client ID + secret posted to the token URL (service key "ClientId/Secret").
	AuthOAuth2ClientCredentials AuthType = "oauth2ClientCredentials" //nolint:gosec // an option name, not a credential
	// AuthOAuth2Certificate: client ID + X.509 certificate and key on the token request (service key "Certificate").
	AuthOAuth2Certificate AuthType = "oauth2Certificate"
	// AuthBasic: technical user and password on every API call.
	AuthBasic AuthType = "basic"
	// AuthClientCertificate: X.509 certificate presented on the API call itself (mTLS), no token.
	AuthClientCertificate AuthType = "clientCertificate"
)

// JSON keys shared with src/types.ts. Keep names identical on both sides.
//
// jsonData:    apiUrl, environment, tenantLabel, authType, tokenUrl, clientId, basicUser,
//
//	tlsSkipVerify, tlsAuthWithCACert, timeoutSeconds, maxConcurrentRequests, calmTlsSkipVerify,
//	auditLogTlsSkipVerify (and the secondary connections' URLs and client IDs, see connections.go)
//
// secureJsonData: clientSecret, basicPassword, clientCertificate, clientKey, tlsCACert, serviceKey
const (
	DefaultTimeout               = 30 * time.Second
	DefaultMaxConcurrentRequests = 8

	// Validation bounds: above 300 s Grafana's own data proxy and alerting would have given up already;
	// above 64 parallel requests SAP's per-user rate limits (50–100/s) are hit anyway.
	MinTimeout       = 1 * time.Second
	MaxTimeout       = 300 * time.Second
	MinMaxConcurrent = 1
	MaxMaxConcurrent = 64
)

// Settings is the parsed, normalised, validated configuration of one data source.
type Settings struct {
	// APIBaseURL is the tenant host (plus any custom path prefix) without trailing slash and without
	// "/api/v1", e.g. "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com".
	APIBaseURL  string
	Environment Environment
	// TenantLabel is put on every frame as the "tenant" label; defaults to the API host name.
	TenantLabel string

	AuthType  AuthType
	TokenURL  string
	ClientID  string
	BasicUser string

	TLSSkipVerify bool
	// TLSAuthWithCACert: trust Secrets.TLSCACert (in addition to the system roots) for API and token hosts.
	TLSAuthWithCACert bool
	Timeout           time.Duration
	MaxConcurrent     int

	// Optional secondary connections, each with its own service key; an empty APIURL means not configured.
	CloudALM Connection // SAP Cloud ALM analytics API (query type calmMetrics)
	AuditLog Connection // BTP Audit Log Retrieval API (query type auditLogs)

	Secrets Secrets `json:"-"`
}

// Connection is a secondary API reached with OAuth2 client credentials; its secret is in Secrets.
type Connection struct {
	APIURL   string
	TokenURL string
	ClientID string
	// TLSSkipVerify is the connection's own: skipping verification for the tenant (an on-premise test
	// tenant, say) says nothing about SAP's cloud services.
	TLSSkipVerify bool
	// keyErr: a provisioned service key for this connection could not be parsed; reported by its
	// validation only, so the tenant's own settings still work.
	keyErr error
}

// Configured reports whether the connection has an API URL.
func (c Connection) Configured() bool { return c.APIURL != "" }

// ForConnection derives the settings a client for a secondary connection needs: that connection's URLs,
// client, secret and TLS verification, with this data source's custom CA, timeout, concurrency and tenant
// label.
func (s Settings) ForConnection(c Connection, clientSecret string) Settings {
	out := s
	out.APIBaseURL, out.TokenURL, out.ClientID = c.APIURL, c.TokenURL, c.ClientID
	out.TLSSkipVerify = c.TLSSkipVerify
	out.AuthType = AuthOAuth2ClientCredentials
	out.BasicUser = ""
	out.CloudALM, out.AuditLog = Connection{}, Connection{}
	out.Secrets = Secrets{ClientSecret: clientSecret, TLSCACert: s.Secrets.TLSCACert}
	return out
}

// Secrets come only from decrypted secureJsonData and must never be logged, framed or echoed.
type Secrets struct {
	ClientSecret      string
	BasicPassword     string
	ClientCertificate string // PEM, possibly a chain
	ClientKey         string // PEM private key
	TLSCACert         string // PEM, custom CA for API and token hosts

	CloudALMClientSecret string // secureJsonData.calmClientSecret
	AuditLogClientSecret string // secureJsonData.auditLogClientSecret
}

// ServiceRoot returns the OData service root, APIBaseURL + "/api/v1".
func (s Settings) ServiceRoot() string { return s.APIBaseURL + "/api/v1" }

// String keeps secrets out of logs even when a whole Settings value is printed with %v or %+v: it
// says only which secrets are set.
func (s Secrets) String() string {
	set := func(v string) string {
		if strings.TrimSpace(v) == "" {
			return "empty"
		}
		return "set"
	}
	return fmt.Sprintf("{ClientSecret:%s BasicPassword:%s ClientCertificate:%s ClientKey:%s TLSCACert:%s CloudALMClientSecret:%s AuditLogClientSecret:%s}",
		set(s.ClientSecret), set(s.BasicPassword), set(s.ClientCertificate), set(s.ClientKey), set(s.TLSCACert),
		set(s.CloudALMClientSecret), set(s.AuditLogClientSecret))
}

// GoString covers %#v the same way.
func (s Secrets) GoString() string { return "settings.Secrets" + s.String() }

// Load parses a data source's jsonData and decrypted secureJsonData into Settings. URLs are normalised,
// defaults applied and, when secureJsonData.serviceKey holds a BTP service key (provisioning from an
// environment variable), its values fill every field left empty — explicit fields win.
//
// Load fails only when the input cannot be understood (jsonData is not JSON, a value has the wrong
// type, the service key or a URL is malformed). Missing or inconsistent fields are reported by Validate,
// which callers run before using the settings.
func Load(s backend.DataSourceInstanceSettings) (Settings, error) {
	jd, err := decodeJSONData(s.JSONData)
	if err != nil {
		return Settings{}, err
	}
	secure := s.DecryptedSecureJSONData // reading a nil map is fine

	out := Settings{
		APIBaseURL:        strings.TrimSpace(jd.APIURL),
		Environment:       Environment(strings.TrimSpace(jd.Environment)),
		TenantLabel:       strings.TrimSpace(jd.TenantLabel),
		AuthType:          AuthType(strings.TrimSpace(jd.AuthType)),
		TokenURL:          strings.TrimSpace(jd.TokenURL),
		ClientID:          strings.TrimSpace(jd.ClientID),
		BasicUser:         strings.TrimSpace(jd.BasicUser),
		TLSSkipVerify:     bool(jd.TLSSkipVerify),
		TLSAuthWithCACert: bool(jd.TLSAuthWithCACert),
		CloudALM: Connection{
			APIURL:        strings.TrimSuffix(strings.TrimSpace(jd.CalmAPIURL), "/"),
			TokenURL:      strings.TrimSpace(jd.CalmTokenURL),
			ClientID:      strings.TrimSpace(jd.CalmClientID),
			TLSSkipVerify: bool(jd.CalmTLSSkipVerify),
		},
		AuditLog: Connection{
			APIURL:        strings.TrimSuffix(strings.TrimSpace(jd.AuditLogURL), "/"),
			TokenURL:      strings.TrimSpace(jd.AuditLogTokenURL),
			ClientID:      strings.TrimSpace(jd.AuditLogClientID),
			TLSSkipVerify: bool(jd.AuditLogTLSSkipVerify),
		},
		Secrets: Secrets{
			// Secrets are kept byte for byte; only PEM text gets literal "\n" sequences repaired.
			ClientSecret:         secure["clientSecret"],
			BasicPassword:        secure["basicPassword"],
			ClientCertificate:    unescapeNewlines(secure["clientCertificate"]),
			ClientKey:            unescapeNewlines(secure["clientKey"]),
			TLSCACert:            unescapeNewlines(secure["tlsCACert"]),
			CloudALMClientSecret: secure["calmClientSecret"],
			AuditLogClientSecret: secure["auditLogClientSecret"],
		},
	}
	out.CloudALM = normalizeConnection(out.CloudALM, cloudALMKind)
	out.AuditLog = normalizeConnection(out.AuditLog, auditLogKind)
	// The generic top-level data source URL is a fallback for provisioning files that set `url:`.
	if out.APIBaseURL == "" {
		out.APIBaseURL = strings.TrimSpace(s.URL)
	}

	if strings.TrimSpace(secure["serviceKey"]) != "" {
		key, err := ParseServiceKey(secure["serviceKey"])
		if err != nil {
			return Settings{}, fmt.Errorf("The provisioned service key (secureJsonData.serviceKey) cannot be used: %w", err)
		}
		fill := func(dst *string, v string) {
			if strings.TrimSpace(*dst) == "" {
				*dst = v
			}
		}
		fill(&out.APIBaseURL, key.APIURL)
		fill(&out.TokenURL, key.TokenURL)
		fill(&out.ClientID, key.ClientID)
		fill(&out.Secrets.ClientSecret, key.ClientSecret)
		fill(&out.Secrets.ClientCertificate, key.ClientCertificate)
		fill(&out.Secrets.ClientKey, key.ClientKey)
		if out.AuthType == "" {
			out.AuthType = key.AuthType
		}
	}

	out.CloudALM, out.Secrets.CloudALMClientSecret = fillConnection(out.CloudALM, out.Secrets.CloudALMClientSecret,
		secure["calmServiceKey"], "Cloud ALM service key (secureJsonData.calmServiceKey)", ParseCloudALMServiceKey)
	out.AuditLog, out.Secrets.AuditLogClientSecret = fillConnection(out.AuditLog, out.Secrets.AuditLogClientSecret,
		secure["auditLogServiceKey"], "audit log service key (secureJsonData.auditLogServiceKey)", ParseAuditLogServiceKey)

	if out.APIBaseURL != "" {
		u, err := NormalizeAPIURL(out.APIBaseURL)
		if err != nil {
			return Settings{}, err
		}
		out.APIBaseURL = u
	}
	if out.TokenURL != "" {
		u, err := NormalizeTokenURL(out.TokenURL)
		if err != nil {
			return Settings{}, err
		}
		out.TokenURL = u
	}

	if out.AuthType == "" {
		out.AuthType = inferAuthType(out)
	}
	if out.Environment == "" {
		out.Environment = EnvironmentCloudFoundry
	}
	if out.TenantLabel == "" && out.APIBaseURL != "" {
		if u, err := url.Parse(out.APIBaseURL); err == nil {
			out.TenantLabel = u.Hostname()
		}
	}

	out.Timeout = DefaultTimeout
	if sec := float64(jd.TimeoutSeconds); sec != 0 {
		// Clamp before converting: a float that overflows int64 converts to an undefined value, and
		// anything above MaxTimeout is rejected by Validate anyway.
		sec = math.Max(math.Min(sec, 1e6), -1e6)
		out.Timeout = time.Duration(sec * float64(time.Second))
	}
	out.MaxConcurrent = DefaultMaxConcurrentRequests
	if n := float64(jd.MaxConcurrentRequests); n != 0 {
		if n != math.Trunc(n) || math.Abs(n) > 1e6 {
			return Settings{}, fmt.Errorf("Max concurrent requests (maxConcurrentRequests) must be a whole number between %d and %d.",
				MinMaxConcurrent, MaxMaxConcurrent)
		}
		out.MaxConcurrent = int(n)
	}
	return out, nil
}

// inferAuthType picks the authentication when jsonData does not say: what the filled fields point to,
// and OAuth2 client credentials (SAP's recommended way) when nothing is filled, so that Validate then
// names exactly the fields of the recommended setup.
func inferAuthType(s Settings) AuthType {
	has := func(v string) bool { return strings.TrimSpace(v) != "" }
	switch {
	case has(s.ClientID) && !has(s.Secrets.ClientSecret) && has(s.Secrets.ClientCertificate):
		return AuthOAuth2Certificate
	case has(s.ClientID):
		return AuthOAuth2ClientCredentials
	case has(s.BasicUser) || has(s.Secrets.BasicPassword):
		return AuthBasic
	case has(s.Secrets.ClientCertificate):
		return AuthClientCertificate
	default:
		return AuthOAuth2ClientCredentials
	}
}

// jsonDataError explains a jsonData decoding failure by key name. jsonData holds no secrets, but the
// message still avoids echoing values.
func jsonDataError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field == "" {
		return fmt.Errorf("The data source settings (jsonData) must be a JSON object (got a JSON %s): correct the provisioning file or save the settings again.", typeErr.Value)
	}
	if errors.As(err, &typeErr) {
		return fmt.Errorf("The data source setting %q must be a %s, not a %s: correct it in the data source settings or the provisioning file.",
			typeErr.Field, typeErr.Type.Kind(), typeErr.Value)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("The data source settings (jsonData) are not valid JSON (problem at character %d): correct the provisioning file or save the settings again.", syn.Offset)
	}
	return fmt.Errorf("The data source settings (jsonData) cannot be read: %w. Correct the provisioning file or save the settings again.", err)
}
