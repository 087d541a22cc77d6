package settings

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Fuzz targets for what users paste and provision: service keys, URLs, jsonData and secureJsonData.
// `go test` runs their seeds; scripts/fuzz.sh fuzzes each of them for a given time.

// secretFields are the service-key members that hold secrets, at whatever depth they appear.
var secretFields = map[string]bool{"clientsecret": true, "key": true, "certificate": true}

// replacement stands in for a secret in the comparison run; it keeps a blank value blank so both runs
// take the same path.
func replacement(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	return "replaced-value"
}

// swapSecrets returns doc with every secret replaced, and the secrets it found.
func swapSecrets(doc any) (any, []string) {
	var found []string
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, val := range x {
				if s, ok := val.(string); ok && secretFields[k] {
					found = append(found, s)
					out[k] = replacement(s)
					continue
				}
				out[k] = walk(val)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i := range x {
				out[i] = walk(x[i])
			}
			return out
		}
		return v
	}
	return walk(doc), found
}

// leaked reports a secret that appears in the text of run but not in the text of the run with the
// secrets replaced: such a secret was copied from the input, it is not part of a fixed text or of a
// field that is not secret.
func leaked(secrets []string, run, replaced string) string {
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) >= 4 && strings.Contains(run, s) && !strings.Contains(replaced, s) {
			return s
		}
	}
	return ""
}

// checkKeyErrors runs parse on text and, for a JSON document, on the same document with its secrets
// replaced; an error of the first run must not contain a secret the second lacks.
func checkKeyErrors(t *testing.T, text string, parse func(string) error) {
	t.Helper()
	err := parse(text)
	if err == nil {
		return
	}
	if n := len(err.Error()); n > 1000 {
		t.Fatalf("error of %d bytes", n)
	}
	var doc any
	if json.Unmarshal([]byte(strings.TrimSpace(text)), &doc) != nil {
		return
	}
	swapped, secrets := swapSecrets(doc)
	b, _ := json.Marshal(swapped)
	other := ""
	if err2 := parse(string(b)); err2 != nil {
		other = err2.Error()
	}
	if s := leaked(secrets, err.Error(), other); s != "" {
		t.Fatalf("error %q contains the secret %q", err, s)
	}
}

var keySeeds = []string{
	`{"oauth":{"clientid":"sb-1!b2|it!b3","clientsecret":"s3cr3t-value","url":"https://t.it-cpi001.cfapps.eu10.hana.ondemand.com","tokenurl":"https://t.authentication.eu10.hana.ondemand.com/oauth/token"}}`,
	`{"clientid":"c","clientsecret":"s3cr3t-value","url":"https://t.example.com/api/v1/","tokenurl":"https://a.example.com"}`,
	`{"oauth":{"clientid":"c","certificate":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----","key":"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----","url":"https://t.example.com","tokenurl":"https://a.example.com/oauth/token"}}`,
	`{"oauth":{"clientid":"c","certificate":"PEM","url":"https://t.example.com","tokenurl":"https://a.example.com"}}`,
	`{"oauth":{"clientid":"c","clientsecret":"s3cr3t-value","url":"https://t-rt.example.com","tokenurl":"https://a.example.com"}}`,
	`{"oauth":{"clientid":"c","clientsecret":"s3cr3t-value","url":"s3cr3t-value://t","tokenurl":"https://a.example.com"}}`,
	`{"oauth":{"clientid":"c","clientsecret":"s3cr3t-value","url":"https://user:s3cr3t-value@t.example.com","tokenurl":"https://a.example.com"}}`,
	`{"oauth":{"clientid":"c","clientsecret":42,"url":"https://t.example.com","tokenurl":"https://a.example.com"}}`,
	`{"uaa":{"clientid":"c","clientsecret":"s3cr3t-value","url":"https://a.example.com"},"endpoints":{"Api":"https://t.eu10.alm.cloud.sap/api"}}`,
	`{"credentials":{"uaa":{"clientid":"c","clientsecret":"s3cr3t-value","url":"https://a.example.com"},"url":"https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2/auditlogrecords"}}`,
	`{"uaa":{"clientid":"c","certificate":"PEM","url":"https://a.example.com"},"url":"https://x.example.com"}`,
	`{"clientsecret":"s3cr3t-value", "url": `, `"s3cr3t-value"`, `[]`, ``, `null`,
}

// FuzzParseServiceKey: a pasted tenant key is refused without quoting a secret, or accepted with
// normalised URLs and a complete client.
func FuzzParseServiceKey(f *testing.F) {
	for _, s := range keySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkKeyErrors(t, text, func(s string) error { _, err := ParseServiceKey(s); return err })
		k, err := ParseServiceKey(text)
		if err != nil {
			return
		}
		checkNormalized(t, "API URL", k.APIURL, NormalizeAPIURL)
		checkNormalized(t, "token URL", k.TokenURL, NormalizeTokenURL)
		if strings.TrimSpace(k.ClientID) == "" {
			t.Fatalf("key accepted without a client ID: %+v", k)
		}
		switch k.AuthType {
		case AuthOAuth2ClientCredentials:
			if strings.TrimSpace(k.ClientSecret) == "" {
				t.Fatal("client credentials without a secret")
			}
		case AuthOAuth2Certificate:
			if strings.TrimSpace(k.ClientCertificate) == "" || strings.TrimSpace(k.ClientKey) == "" {
				t.Fatal("certificate authentication without certificate and key")
			}
		default:
			t.Fatalf("auth type %q", k.AuthType)
		}
	})
}

// FuzzParseConnectionKeys: the Cloud ALM and audit log keys are refused without quoting a secret, or
// accepted with normalised URLs and a complete client.
func FuzzParseConnectionKeys(f *testing.F) {
	for _, s := range keySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		parsers := []struct {
			name      string
			parse     func(string) (ConnectionKey, error)
			normalize func(string) (string, error)
		}{
			{"Cloud ALM", ParseCloudALMServiceKey, NormalizeCloudALMURL},
			{"audit log", ParseAuditLogServiceKey, NormalizeAuditLogURL},
		}
		for _, p := range parsers {
			checkKeyErrors(t, text, func(s string) error { _, err := p.parse(s); return err })
			k, err := p.parse(text)
			if err != nil {
				continue
			}
			checkNormalized(t, p.name+" URL", k.APIURL, p.normalize)
			checkNormalized(t, p.name+" token URL", k.TokenURL, NormalizeTokenURL)
			if strings.TrimSpace(k.ClientID) == "" || strings.TrimSpace(k.ClientSecret) == "" {
				t.Fatalf("%s key accepted without client ID or secret: %q", p.name, k.ClientID)
			}
		}
	})
}

// checkNormalized asserts the shape of a normalised URL and that normalising it again changes nothing.
func checkNormalized(t *testing.T, what, got string, normalize func(string) (string, error)) {
	t.Helper()
	u, err := url.Parse(got)
	if err != nil {
		t.Fatalf("%s %q does not parse: %v", what, got, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.Host != strings.ToLower(u.Host) ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(got, "/") {
		t.Fatalf("%s %q is not a normalised http(s) URL", what, got)
	}
	again, err := normalize(got)
	if err != nil || again != got {
		t.Fatalf("%s %q normalises again to %q (%v)", what, got, again, err)
	}
}

// FuzzNormalizeURL: every URL normaliser either refuses with a bounded message that does not echo
// the input, or returns a normalised URL that it maps to itself.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{
		"https://T.example.com/api/v1/", "https://t.example.com//cpi//api/v1", "http://127.0.0.1:8080", "https://a.example.com",
		"https://a.example.com/oauth/token?grant_type=client_credentials", "https://user:pw@t.example.com", "t.example.com",
		"ftp://t.example.com", "https://t.example.com#x", "https://t.example.com/api/calm-analytics/v1",
		"https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2/auditlogrecords", "https://[::1]:443/x",
		"https:/x", "https://%41.example.com", " ", "https://t.example.com/..//./api/V1",
	} {
		f.Add(s)
	}
	normalizers := []struct {
		name string
		fn   func(string) (string, error)
	}{
		{"API URL", NormalizeAPIURL}, {"token URL", NormalizeTokenURL},
		{"Cloud ALM URL", NormalizeCloudALMURL}, {"audit log URL", NormalizeAuditLogURL},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, n := range normalizers {
			got, err := n.fn(raw)
			if err != nil {
				// The messages name the field and give an example; only the scheme of the input is quoted.
				if len(err.Error()) > 600 {
					t.Fatalf("%s: error of %d bytes for %d bytes of input: %v", n.name, len(err.Error()), len(raw), err)
				}
				continue
			}
			checkNormalized(t, n.name, got, n.fn)
		}
	})
}

// FuzzLoad: any jsonData and secureJsonData load or fail without panicking; no secret appears in an
// error or in the printed settings; settings that validate are within bounds and normalised.
func FuzzLoad(f *testing.F) {
	type seed struct{ jsonData, secret, password, serviceKey, calmKey, auditKey, certificate, key string }
	for _, s := range []seed{
		{jsonData: `{"apiUrl":"https://t.example.com/api/v1","tokenUrl":"https://a.example.com","clientId":"c","timeoutSeconds":"30","tlsSkipVerify":"true"}`, secret: "s3cr3t-value"},
		{jsonData: `{"authType":"basic","basicUser":"u","apiUrl":"https://t.example.com"}`, password: "p4ssw0rd-value"},
		{jsonData: `{"authType":"basic","basicUser":"p4ssw0rd-value","apiUrl":"p4ssw0rd-value"}`, password: "p4ssw0rd-value"},
		{jsonData: `{"timeoutSeconds":1e300,"maxConcurrentRequests":2.5}`},
		{jsonData: `{"maxConcurrentRequests":"NaN","environment":"s3cr3t-value"}`, secret: "s3cr3t-value"},
		{jsonData: `[1]`}, {jsonData: `{"apiUrl":5}`}, {jsonData: `{"apiUrl":`}, {jsonData: ``},
		{jsonData: `{"authType":"clientCertificate","apiUrl":"https://t.example.com"}`, certificate: "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----", key: "-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----"},
		{jsonData: `{"tlsAuthWithCACert":true}`, serviceKey: keySeeds[0]},
		{jsonData: `{}`, serviceKey: keySeeds[5], calmKey: keySeeds[8], auditKey: keySeeds[9]},
		{jsonData: `{"calmApiUrl":"https://t.eu10.alm.cloud.sap/api/","auditLogUrl":"x"}`, calmKey: `{"uaa":{"clientsecret":"s3cr3t-value"}}`},
	} {
		f.Add([]byte(s.jsonData), s.secret, s.password, s.serviceKey, s.calmKey, s.auditKey, s.certificate, s.key)
	}
	f.Fuzz(func(t *testing.T, jsonData []byte, secret, password, serviceKey, calmKey, auditKey, certificate, key string) {
		secure := map[string]string{
			"clientSecret": secret, "basicPassword": password, "serviceKey": serviceKey, "calmServiceKey": calmKey,
			"auditLogServiceKey": auditKey, "clientCertificate": certificate, "clientKey": key,
			"calmClientSecret": secret + "-calm", "auditLogClientSecret": password + "-audit",
		}
		texts := loadTexts(jsonData, secure)

		// The comparison run: the same settings with every secret replaced, inside the keys too.
		secrets := []string{secret, password, certificate, key, secret + "-calm", password + "-audit"}
		swapped := map[string]string{}
		for k, v := range secure {
			swapped[k] = v
			if strings.HasSuffix(k, "erviceKey") {
				var doc any
				if json.Unmarshal([]byte(strings.TrimSpace(v)), &doc) == nil {
					d, found := swapSecrets(doc)
					b, _ := json.Marshal(d)
					swapped[k], secrets = string(b), append(secrets, found...)
				}
				continue
			}
			swapped[k] = replacement(v)
		}
		other := loadTexts(jsonData, swapped)
		if s := leaked(secrets, texts, other); s != "" {
			t.Fatalf("the secret %q appears in %q", s, texts)
		}

		s, err := Load(backend.DataSourceInstanceSettings{JSONData: jsonData, DecryptedSecureJSONData: secure})
		if err != nil || s.Validate() != nil {
			return
		}
		checkNormalized(t, "API URL", s.APIBaseURL, NormalizeAPIURL)
		if s.Timeout < MinTimeout || s.Timeout > MaxTimeout || s.MaxConcurrent < MinMaxConcurrent || s.MaxConcurrent > MaxMaxConcurrent {
			t.Fatalf("valid settings out of bounds: timeout %v, concurrency %d", s.Timeout, s.MaxConcurrent)
		}
		if s.Environment != EnvironmentCloudFoundry && s.Environment != EnvironmentNeo {
			t.Fatalf("valid settings with environment %q", s.Environment)
		}
	})
}

// loadTexts is everything Load and the validations say about the settings, and the settings printed.
func loadTexts(jsonData []byte, secure map[string]string) string {
	s, err := Load(backend.DataSourceInstanceSettings{JSONData: jsonData, DecryptedSecureJSONData: secure})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, err := range []error{s.Validate(), s.ValidateCloudALM(), s.ValidateAuditLog()} {
		if err != nil {
			b.WriteString(err.Error() + "\n")
		}
	}
	fmt.Fprintf(&b, "%v\n%+v\n%#v\n", s, s, s)
	return b.String()
}
