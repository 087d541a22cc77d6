package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The optional secondary connections (SAP Cloud ALM analytics API, BTP Audit Log Retrieval API). Each has
// its own service key and OAuth client (client credentials with a secret). They are validated apart from
// the tenant settings (ValidateCloudALM, ValidateAuditLog, not Validate) because a half-filled Cloud ALM
// section must not stop the tenant's own panels: the health check and the queries of that connection
// report its problems instead.

// calmServiceSuffix is the analytics API below endpoints.Api ("https://<tenant>.<region>.alm.cloud.sap/api").
const calmServiceSuffix = "/calm-analytics/v1"

// CloudALMAnalyticsRoot is the service root of the analytics API for a normalised Cloud ALM API URL.
func CloudALMAnalyticsRoot(apiURL string) string {
	return strings.TrimSuffix(apiURL, "/") + calmServiceSuffix
}

const (
	calmAPIExample  = "https://<tenant>.<region>.alm.cloud.sap/api (endpoints.Api of the Cloud ALM service key)"
	auditLogExample = "https://auditlog-management.cfapps.<region>.hana.ondemand.com (url of the audit log service key)"
)

// NormalizeCloudALMURL accepts endpoints.Api of a Cloud ALM service key ("https://host/api") and also the
// analytics root people copy from SAP's Grafana plugin docs ("https://host/api/calm-analytics/v1"); both
// become "https://host/api". Other paths are kept (the API hub sandbox is "…/SAPCALM").
func NormalizeCloudALMURL(raw string) (string, error) {
	u, err := parseHTTPURL(raw, "Cloud ALM API URL", calmAPIExample)
	if err != nil {
		return "", err
	}
	p := cleanPath(u.Path)
	if strings.HasSuffix(strings.ToLower(p), calmServiceSuffix) {
		p = p[:len(p)-len(calmServiceSuffix)]
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}
	return out.String(), nil
}

// auditLogSuffixes are pasted request paths of the Cloud Foundry retrieval API, cut back to the host.
var auditLogSuffixes = []string{"/auditlog/v2/auditlogrecords", "/auditlog/v2"}

// NormalizeAuditLogURL accepts the url of an audit log service key. On Cloud Foundry that is the host
// (requests go to <url>/auditlog/v2/auditlogrecords; a pasted request path is cut back to the host); on
// Neo it is the whole account path (https://api.<host>/auditlog/v1/accounts/<subaccount>), kept as is.
func NormalizeAuditLogURL(raw string) (string, error) {
	u, err := parseHTTPURL(raw, "Audit log URL", auditLogExample)
	if err != nil {
		return "", err
	}
	p := cleanPath(u.Path)
	for _, suffix := range auditLogSuffixes {
		if strings.HasSuffix(strings.ToLower(p), suffix) {
			p = p[:len(p)-len(suffix)]
			break
		}
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}
	return out.String(), nil
}

// connectionKind describes one secondary connection in messages.
type connectionKind struct {
	name      string // "Cloud ALM", "Audit log"
	urlField  string // the UI name of the URL field
	urlSource string // where the URL is in the service key
	normalize func(string) (string, error)
}

var (
	cloudALMKind = connectionKind{name: "Cloud ALM", urlField: "Cloud ALM API URL", urlSource: "endpoints.Api", normalize: NormalizeCloudALMURL}
	auditLogKind = connectionKind{name: "Audit log", urlField: "Audit log URL", urlSource: "url", normalize: NormalizeAuditLogURL}
)

// normalizeConnection normalises what can be normalised; values that do not parse are kept so that the
// validation reports them with an explanation.
func normalizeConnection(c Connection, kind connectionKind) Connection {
	if u, err := kind.normalize(c.APIURL); err == nil {
		c.APIURL = u
	}
	if strings.TrimSpace(c.TokenURL) != "" {
		if u, err := NormalizeTokenURL(c.TokenURL); err == nil {
			c.TokenURL = u
		}
	}
	return c
}

// anySet reports whether any field of the connection (or its secret) was filled.
func (c Connection) anySet(secret string) bool {
	return strings.TrimSpace(c.APIURL+c.TokenURL+c.ClientID+secret) != ""
}

func validateConnection(c Connection, secret string, kind connectionKind) error {
	if c.keyErr != nil {
		return c.keyErr
	}
	if !c.anySet(secret) {
		return nil
	}
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	missing := func(v string) bool { return strings.TrimSpace(v) == "" }
	if missing(c.APIURL) {
		add("%s is missing: paste %s from the %s service key, or paste the whole key (or clear the section's other fields to turn the connection off).",
			kind.urlField, kind.urlSource, kind.name)
	} else if _, err := kind.normalize(c.APIURL); err != nil {
		errs = append(errs, err)
	}
	if missing(c.TokenURL) {
		add("%s token URL is missing: paste uaa.url from the %s service key (/oauth/token is added), or paste the whole key.", kind.name, kind.name)
	} else if _, err := NormalizeTokenURL(c.TokenURL); err != nil {
		errs = append(errs, fmt.Errorf("%s %w", kind.name, err))
	}
	if missing(c.ClientID) {
		add("%s client ID is missing: paste uaa.clientid from the %s service key, or paste the whole key.", kind.name, kind.name)
	}
	if missing(secret) {
		add("%s client secret is missing: paste uaa.clientsecret from the %s service key, or paste the whole key.", kind.name, kind.name)
	}
	return errors.Join(errs...)
}

// ValidateCloudALM checks the Cloud ALM connection: nil when it is complete or when nothing of it is
// filled (not configured); otherwise every problem, in the words of the config editor.
func (s Settings) ValidateCloudALM() error {
	return validateConnection(s.CloudALM, s.Secrets.CloudALMClientSecret, cloudALMKind)
}

// ValidateAuditLog is ValidateCloudALM for the audit log connection.
func (s Settings) ValidateAuditLog() error {
	return validateConnection(s.AuditLog, s.Secrets.AuditLogClientSecret, auditLogKind)
}

// ConnectionKey is what a service key of a secondary connection fills. URLs are normalised.
type ConnectionKey struct {
	APIURL       string
	TokenURL     string
	ClientID     string
	ClientSecret string
}

// keyDocument parses a pasted key into its top-level object, unwrapping {"credentials": {…}} (the output
// of `cf service-key` with CF CLI v8). Messages never quote the key: it holds the secret.
func keyDocument(text, what string) (map[string]any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("Paste the service key JSON: the whole {…} shown under Service Keys of your %s instance in the BTP cockpit.", what)
	}
	var doc any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		var syn *json.SyntaxError
		where := ""
		if errors.As(err, &syn) {
			where = fmt.Sprintf(" (problem at character %d)", syn.Offset)
		}
		return nil, fmt.Errorf("The service key is not valid JSON%s: paste the whole key exactly as shown in the BTP cockpit, including the outer braces { }.", where)
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("The service key must be a JSON object: paste the whole key of your %s instance as shown in the BTP cockpit.", what)
	}
	if inner, ok := top["credentials"].(map[string]any); ok {
		top = inner
	}
	return top, nil
}

// stringField reads one string field of m; a non-string value is an error naming the field only.
func stringField(m map[string]any, name, path string) (string, error) {
	raw, ok := m[name]
	if !ok || raw == nil {
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("The service key field %q must be text (a JSON string): paste the key exactly as shown in the BTP cockpit.", path)
	}
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return s, nil
}

// isCPIKey recognises a Process Integration Runtime key: an "oauth" section or a top-level tokenurl.
func isCPIKey(top map[string]any) bool {
	_, nested := top["oauth"].(map[string]any)
	_, tokenURL := top["tokenurl"]
	return nested || tokenURL
}

// keyWithAPI is the key's UAA credentials with its API URL (from field, normalised), the same for every
// secondary connection.
func keyWithAPI(top map[string]any, field, raw string, normalize func(string) (string, error), kind connectionKind, what string) (ConnectionKey, error) {
	apiURL, err := normalize(raw)
	if err != nil {
		return ConnectionKey{}, fmt.Errorf("The service key field %q is unusable: %w", field, err)
	}
	key, err := uaaCredentials(top, kind, what)
	if err != nil {
		return ConnectionKey{}, err
	}
	key.APIURL = apiURL
	return key, nil
}

// uaaCredentials reads uaa.url, uaa.clientid and uaa.clientsecret, with messages for the key of kind.
func uaaCredentials(top map[string]any, kind connectionKind, what string) (ConnectionKey, error) {
	uaa, ok := top["uaa"].(map[string]any)
	if !ok {
		return ConnectionKey{}, fmt.Errorf("The service key has no \"uaa\" section (the OAuth client): paste the whole key of your %s instance.", what)
	}
	var key ConnectionKey
	fields := []struct {
		name string
		dst  *string
	}{{"url", &key.TokenURL}, {"clientid", &key.ClientID}, {"clientsecret", &key.ClientSecret}}
	for _, f := range fields {
		v, err := stringField(uaa, f.name, "uaa."+f.name)
		if err != nil {
			return ConnectionKey{}, err
		}
		*f.dst = v
	}
	if key.ClientSecret == "" {
		if _, cert := uaa["certificate"]; cert {
			return ConnectionKey{}, fmt.Errorf("This %s key authenticates with an X.509 certificate (it has uaa.certificate, no uaa.clientsecret): create a service key with a client secret (credential type binding-secret) and paste that.", kind.name)
		}
	}
	if key.TokenURL == "" {
		return ConnectionKey{}, fmt.Errorf("The service key has no \"uaa.url\" (the OAuth server): paste the whole key of your %s instance.", what)
	}
	tokenURL, err := NormalizeTokenURL(key.TokenURL)
	if err != nil {
		return ConnectionKey{}, fmt.Errorf("The service key field \"uaa.url\" is unusable: %w", err)
	}
	key.TokenURL = tokenURL
	if key.ClientID == "" {
		return ConnectionKey{}, fmt.Errorf("The service key has no \"uaa.clientid\": paste the whole key of your %s instance.", what)
	}
	if key.ClientSecret == "" {
		return ConnectionKey{}, fmt.Errorf("The service key has no \"uaa.clientsecret\": paste the whole key of your %s instance.", what)
	}
	return key, nil
}

const (
	calmKeyWhat     = "SAP Cloud ALM API (plan standard)"
	auditLogKeyWhat = "Audit Log Management (auditlog-management, plan default)"
)

// ParseCloudALMServiceKey parses a pasted key of the SAP Cloud ALM API service: endpoints.Api is the API
// URL, uaa.url + /oauth/token the token URL, uaa.clientid and uaa.clientsecret the client.
func ParseCloudALMServiceKey(text string) (ConnectionKey, error) {
	top, err := keyDocument(text, calmKeyWhat)
	if err != nil {
		return ConnectionKey{}, err
	}
	if isCPIKey(top) {
		return ConnectionKey{}, errors.New("This is a Process Integration Runtime key (it has tokenurl/oauth): paste it into the service key field at the top. " +
			"Here paste the key of your SAP Cloud ALM API instance (it has endpoints.Api and uaa).")
	}
	endpoints, _ := top["endpoints"].(map[string]any)
	api := ""
	for _, name := range []string{"Api", "api", "API"} {
		v, err := stringField(endpoints, name, "endpoints."+name)
		if err != nil {
			return ConnectionKey{}, err
		}
		if v != "" {
			api = v
			break
		}
	}
	if api == "" {
		if _, hasURL := top["url"]; hasURL {
			return ConnectionKey{}, errors.New("The service key has no \"endpoints.Api\": it is not a Cloud ALM API key. A key with \"url\" and \"uaa\" is probably the audit log key: paste it under Audit log. " +
				"Here paste the key of your SAP Cloud ALM API instance (plan standard).")
		}
		return ConnectionKey{}, errors.New("The service key has no \"endpoints.Api\" (the Cloud ALM API URL): paste the whole key of your SAP Cloud ALM API instance (plan standard).")
	}
	return keyWithAPI(top, "endpoints.Api", api, NormalizeCloudALMURL, cloudALMKind, calmKeyWhat)
}

// ParseAuditLogServiceKey parses a pasted key of the audit log retrieval service (Cloud Foundry,
// auditlog-management plan default): url is the API URL, uaa.url + /oauth/token the token URL.
func ParseAuditLogServiceKey(text string) (ConnectionKey, error) {
	top, err := keyDocument(text, auditLogKeyWhat)
	if err != nil {
		return ConnectionKey{}, err
	}
	if isCPIKey(top) {
		return ConnectionKey{}, errors.New("This is a Process Integration Runtime key (it has tokenurl/oauth): paste it into the service key field at the top. " +
			"Here paste the key of your Audit Log Management instance (auditlog-management, plan default; it has url and uaa).")
	}
	raw, err := stringField(top, "url", "url")
	if err != nil {
		return ConnectionKey{}, err
	}
	if raw == "" {
		if _, hasEndpoints := top["endpoints"]; hasEndpoints {
			return ConnectionKey{}, errors.New("This is a Cloud ALM key (it has endpoints.Api): paste it under SAP Cloud ALM. " +
				"Here paste the key of your Audit Log Management instance (auditlog-management, plan default).")
		}
		return ConnectionKey{}, errors.New("The service key has no \"url\" (the audit log API URL): paste the whole key of your Audit Log Management instance (auditlog-management, plan default).")
	}
	return keyWithAPI(top, "url", raw, NormalizeAuditLogURL, auditLogKind, auditLogKeyWhat)
}

// fillConnection fills the empty fields of a secondary connection from a provisioned service key (for
// provisioning from an environment variable, like secureJsonData.serviceKey for the tenant); fields set
// explicitly win. A key that cannot be parsed is kept as the connection's error.
func fillConnection(c Connection, secret, keyText, what string, parse func(string) (ConnectionKey, error)) (Connection, string) {
	if strings.TrimSpace(keyText) == "" {
		return c, secret
	}
	key, err := parse(keyText)
	if err != nil {
		c.keyErr = fmt.Errorf("The provisioned %s cannot be used: %w", what, err)
		return c, secret
	}
	fill := func(dst *string, v string) {
		if strings.TrimSpace(*dst) == "" {
			*dst = v
		}
	}
	fill(&c.APIURL, key.APIURL)
	fill(&c.TokenURL, key.TokenURL)
	fill(&c.ClientID, key.ClientID)
	fill(&secret, key.ClientSecret)
	return c, secret
}
