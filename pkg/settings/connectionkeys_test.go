package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Both secondary-connection key parsers pass the shared vectors (src/servicekey.connections.test.ts runs
// the same files against the TypeScript parsers).
func TestConnectionServiceKeyVectors(t *testing.T) {
	secretRe := regexp.MustCompile(`"clientsecret"\s*:\s*"([^"]{4,})"`)
	for _, tc := range []struct {
		file  string
		parse func(string) (ConnectionKey, error)
	}{
		{"calm-service-keys.json", ParseCloudALMServiceKey},
		{"auditlog-service-keys.json", ParseAuditLogServiceKey},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "tests", "vectors", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("cannot read the shared vectors %s (tests/vectors of the repository): %v", path, err)
			}
			var file struct {
				Cases []struct {
					Name   string            `json:"name"`
					Input  *string           `json:"input"`
					Expect map[string]string `json:"expect"`
					Error  string            `json:"error"`
				} `json:"cases"`
			}
			if err := json.Unmarshal(data, &file); err != nil {
				t.Fatalf("%s is not valid JSON: %v", path, err)
			}
			if len(file.Cases) < 10 {
				t.Fatalf("%s has only %d cases", path, len(file.Cases))
			}
			for _, v := range file.Cases {
				t.Run(v.Name, func(t *testing.T) {
					if v.Input == nil || (v.Expect == nil) == (v.Error == "") {
						t.Fatal("malformed vector: needs input and exactly one of expect/error")
					}
					got, err := tc.parse(*v.Input)
					if v.Error != "" {
						if err == nil {
							t.Fatalf("want error containing %q, got %+v", v.Error, got)
						}
						if !strings.Contains(err.Error(), v.Error) {
							t.Fatalf("error %q does not contain %q", err, v.Error)
						}
						// The key holds a secret: no message may quote it.
						for _, m := range secretRe.FindAllStringSubmatch(*v.Input, -1) {
							if strings.Contains(err.Error(), m[1]) {
								t.Fatalf("error quotes the secret: %v", err)
							}
						}
						return
					}
					if err != nil {
						t.Fatalf("unexpected error: %v", err)
					}
					for k := range v.Expect {
						switch k {
						case "apiUrl", "tokenUrl", "clientId", "clientSecret":
						default:
							t.Fatalf("vector expects unknown field %q", k)
						}
					}
					gotFields := map[string]string{"apiUrl": got.APIURL, "tokenUrl": got.TokenURL, "clientId": got.ClientID, "clientSecret": got.ClientSecret}
					for k, g := range gotFields {
						if want := v.Expect[k]; g != want {
							t.Errorf("%s = %q, want %q", k, g, want)
						}
					}
				})
			}
		})
	}
}

func TestNormalizeConnectionURLs(t *testing.T) {
	for _, tc := range []struct {
		fn       func(string) (string, error)
		in, want string
	}{
		{NormalizeCloudALMURL, "https://acme.eu10.alm.cloud.sap/api", "https://acme.eu10.alm.cloud.sap/api"},
		{NormalizeCloudALMURL, " https://ACME.eu10.alm.cloud.sap/api/calm-analytics/v1/ ", "https://acme.eu10.alm.cloud.sap/api"},
		{NormalizeCloudALMURL, "https://sandbox.api.sap.com/SAPCALM/calm-analytics/v1", "https://sandbox.api.sap.com/SAPCALM"},
		{NormalizeCloudALMURL, "http://127.0.0.1:8080/api//", "http://127.0.0.1:8080/api"},
		{NormalizeAuditLogURL, "https://auditlog-management.cfapps.eu10.hana.ondemand.com/", "https://auditlog-management.cfapps.eu10.hana.ondemand.com"},
		{NormalizeAuditLogURL, "https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2", "https://auditlog-management.cfapps.eu10.hana.ondemand.com"},
		{NormalizeAuditLogURL, "https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/abc/", "https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/abc"},
	} {
		got, err := tc.fn(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%q → %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "acme.eu10.alm.cloud.sap/api", "https://u:p@host/api", "https://host/api?x=1"} {
		if _, err := NormalizeCloudALMURL(bad); err == nil || !strings.Contains(err.Error(), "Cloud ALM API URL") {
			t.Errorf("NormalizeCloudALMURL(%q) = %v, want an error naming the field", bad, err)
		}
		if _, err := NormalizeAuditLogURL(bad); err == nil || !strings.Contains(err.Error(), "Audit log URL") {
			t.Errorf("NormalizeAuditLogURL(%q) = %v, want an error naming the field", bad, err)
		}
	}
	if got := CloudALMAnalyticsRoot("https://acme.eu10.alm.cloud.sap/api"); got != "https://acme.eu10.alm.cloud.sap/api/calm-analytics/v1" {
		t.Errorf("analytics root = %s", got)
	}
}

// Load normalises the secondary URLs; a malformed one does not fail Load (the tenant's own settings stay
// usable) but is reported by that connection's validation.
func TestLoadAndValidateConnections(t *testing.T) {
	const calmSecret, auditSecret = "calm-Secret-9a8b", "audit-Secret-7c6d"
	base := map[string]any{"apiUrl": "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com",
		"tokenUrl": "https://t.authentication.eu10.hana.ondemand.com", "clientId": "cpi"}
	load := func(t *testing.T, extra map[string]any, secure map[string]string) Settings {
		t.Helper()
		jd := map[string]any{}
		for k, v := range base {
			jd[k] = v
		}
		for k, v := range extra {
			jd[k] = v
		}
		raw, _ := json.Marshal(jd)
		sec := map[string]string{"clientSecret": "cpi-secret"}
		for k, v := range secure {
			sec[k] = v
		}
		s, err := Load(backend.DataSourceInstanceSettings{JSONData: raw, DecryptedSecureJSONData: sec})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("the tenant settings must stay valid whatever the secondary connections hold: %v", err)
		}
		return s
	}

	t.Run("complete connections are normalised and valid", func(t *testing.T) {
		s := load(t, map[string]any{
			"calmApiUrl": "https://acme.eu10.alm.cloud.sap/api/calm-analytics/v1/", "calmTokenUrl": "https://acme.authentication.eu10.hana.ondemand.com",
			"calmClientId": "calm", "auditLogUrl": "https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2/auditlogrecords",
			"auditLogTokenUrl": "https://acme.authentication.eu10.hana.ondemand.com/", "auditLogClientId": "audit",
		}, map[string]string{"calmClientSecret": calmSecret, "auditLogClientSecret": auditSecret})
		want := Connection{APIURL: "https://acme.eu10.alm.cloud.sap/api", TokenURL: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token", ClientID: "calm"}
		if s.CloudALM != want {
			t.Errorf("Cloud ALM = %+v, want %+v", s.CloudALM, want)
		}
		if s.AuditLog.APIURL != "https://auditlog-management.cfapps.eu10.hana.ondemand.com" || s.AuditLog.TokenURL != "https://acme.authentication.eu10.hana.ondemand.com/oauth/token" {
			t.Errorf("audit log = %+v", s.AuditLog)
		}
		if err := s.ValidateCloudALM(); err != nil {
			t.Errorf("ValidateCloudALM: %v", err)
		}
		if err := s.ValidateAuditLog(); err != nil {
			t.Errorf("ValidateAuditLog: %v", err)
		}
	})

	t.Run("nothing filled means not configured, not invalid", func(t *testing.T) {
		s := load(t, nil, nil)
		if s.CloudALM.Configured() || s.AuditLog.Configured() || s.ValidateCloudALM() != nil || s.ValidateAuditLog() != nil {
			t.Fatalf("unconfigured connections reported: %v / %v", s.ValidateCloudALM(), s.ValidateAuditLog())
		}
	})

	for _, tc := range []struct {
		name     string
		extra    map[string]any
		secure   map[string]string
		validate func(Settings) error
		want     []string
	}{
		{"only a Cloud ALM secret", nil, map[string]string{"calmClientSecret": calmSecret}, Settings.ValidateCloudALM,
			[]string{"Cloud ALM API URL is missing", "endpoints.Api", "Cloud ALM token URL is missing", "uaa.url", "Cloud ALM client ID is missing"}},
		{"Cloud ALM without secret", map[string]any{"calmApiUrl": "https://acme.eu10.alm.cloud.sap/api", "calmTokenUrl": "https://a.authentication.eu10.hana.ondemand.com", "calmClientId": "c"}, nil,
			Settings.ValidateCloudALM, []string{"Cloud ALM client secret is missing", "uaa.clientsecret"}},
		{"Cloud ALM URL without scheme", map[string]any{"calmApiUrl": "acme.eu10.alm.cloud.sap/api", "calmTokenUrl": "https://a.authentication.eu10.hana.ondemand.com", "calmClientId": "c"},
			map[string]string{"calmClientSecret": calmSecret}, Settings.ValidateCloudALM, []string{"Cloud ALM API URL has no scheme"}},
		{"audit log token URL with a query", map[string]any{"auditLogUrl": "https://auditlog-management.cfapps.eu10.hana.ondemand.com", "auditLogTokenUrl": "https://a.authentication.eu10.hana.ondemand.com/oauth/token?grant_type=client_credentials", "auditLogClientId": "c"},
			map[string]string{"auditLogClientSecret": auditSecret}, Settings.ValidateAuditLog, []string{"Audit log Token URL must not contain a query"}},
		{"audit log without URL", map[string]any{"auditLogClientId": "c"}, map[string]string{"auditLogClientSecret": auditSecret},
			Settings.ValidateAuditLog, []string{"Audit log URL is missing", "url from the Audit log service key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := load(t, tc.extra, tc.secure)
			err := tc.validate(s)
			if err == nil {
				t.Fatal("want a validation error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not contain %q", err, w)
				}
			}
			for _, secret := range []string{calmSecret, auditSecret, "cpi-secret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("validation error leaks a secret: %v", err)
				}
			}
		})
	}
}
