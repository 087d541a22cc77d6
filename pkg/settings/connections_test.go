package settings

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestSecondaryConnections(t *testing.T) {
	jd, _ := json.Marshal(map[string]any{
		"apiUrl": "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com", "tokenUrl": "https://t.authentication.eu10.hana.ondemand.com/oauth/token",
		"clientId": "cpi", "calmApiUrl": " https://acme.eu10.alm.cloud.sap/api/ ", "calmTokenUrl": "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
		"calmClientId": "calm-client", "auditLogUrl": "https://auditlog-management.cfapps.eu10.hana.ondemand.com",
		"auditLogTokenUrl": "https://acme.authentication.eu10.hana.ondemand.com/oauth/token", "auditLogClientId": "audit-client",
	})
	s, err := Load(backend.DataSourceInstanceSettings{JSONData: jd, DecryptedSecureJSONData: map[string]string{
		"clientSecret": "cpi-secret-1", "calmClientSecret": "calm-secret-2", "auditLogClientSecret": "audit-secret-3", "tlsCACert": "PEM",
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !s.CloudALM.Configured() || s.CloudALM.APIURL != "https://acme.eu10.alm.cloud.sap/api" || s.CloudALM.ClientID != "calm-client" {
		t.Fatalf("Cloud ALM = %+v", s.CloudALM)
	}
	if !s.AuditLog.Configured() || s.AuditLog.ClientID != "audit-client" {
		t.Fatalf("audit log = %+v", s.AuditLog)
	}
	if s.Secrets.CloudALMClientSecret != "calm-secret-2" || s.Secrets.AuditLogClientSecret != "audit-secret-3" {
		t.Fatal("secondary secrets not loaded")
	}
	printed := fmt.Sprintf("%v %+v %#v", s, s, s)
	for _, secret := range []string{"cpi-secret-1", "calm-secret-2", "audit-secret-3"} {
		if strings.Contains(printed, secret) {
			t.Fatalf("printed settings contain %s", secret)
		}
	}

	calm := s.ForConnection(s.CloudALM, s.Secrets.CloudALMClientSecret)
	if calm.APIBaseURL != s.CloudALM.APIURL || calm.TokenURL != s.CloudALM.TokenURL || calm.ClientID != "calm-client" ||
		calm.AuthType != AuthOAuth2ClientCredentials || calm.Secrets.ClientSecret != "calm-secret-2" {
		t.Fatalf("derived = %+v", calm)
	}
	if calm.Secrets.TLSCACert != "PEM" || calm.TenantLabel != s.TenantLabel || calm.Timeout != s.Timeout {
		t.Fatal("derived settings lost the shared TLS, label or timeout")
	}
	if calm.Secrets.AuditLogClientSecret != "" || calm.AuditLog.Configured() {
		t.Fatal("derived settings carry another connection's credentials")
	}

	none, err := Load(backend.DataSourceInstanceSettings{JSONData: []byte(`{"apiUrl":"https://x.example"}`)})
	if err != nil || none.CloudALM.Configured() || none.AuditLog.Configured() {
		t.Fatalf("unconfigured connections: %+v %v", none, err)
	}
}

// Provisioning from environment variables: a whole Cloud ALM or audit-log key in secureJsonData fills the
// connection's empty fields; fields set explicitly win; a broken key fails that connection only.
func TestProvisionedConnectionKeys(t *testing.T) {
	const calmKey = `{"endpoints":{"Api":"https://acme.eu10.alm.cloud.sap/api"},"uaa":{"clientid":"sb-calm!b1|calm-api!b2","clientsecret":"calm-key-secret-7","url":"https://acme.authentication.eu10.hana.ondemand.com"}}`
	const auditKey = `{"url":"https://auditlog-management.cfapps.eu10.hana.ondemand.com","uaa":{"clientid":"sb-audit!b1|auditlog-management!b2","clientsecret":"audit-key-secret-8","url":"https://acme.authentication.eu10.hana.ondemand.com"}}`
	base := map[string]any{"apiUrl": "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com", "tokenUrl": "https://t.authentication.eu10.hana.ondemand.com/oauth/token", "clientId": "cpi"}
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
		secure["clientSecret"] = "cpi-secret"
		s, err := Load(backend.DataSourceInstanceSettings{JSONData: raw, DecryptedSecureJSONData: secure})
		if err != nil {
			t.Fatalf("a secondary key must never fail the tenant's settings: %v", err)
		}
		return s
	}

	s := load(t, nil, map[string]string{"calmServiceKey": calmKey, "auditLogServiceKey": auditKey})
	if s.CloudALM.APIURL != "https://acme.eu10.alm.cloud.sap/api" || s.CloudALM.TokenURL != "https://acme.authentication.eu10.hana.ondemand.com/oauth/token" ||
		s.CloudALM.ClientID != "sb-calm!b1|calm-api!b2" || s.Secrets.CloudALMClientSecret != "calm-key-secret-7" {
		t.Fatalf("Cloud ALM from key: %+v", s.CloudALM)
	}
	if s.AuditLog.APIURL != "https://auditlog-management.cfapps.eu10.hana.ondemand.com" || s.AuditLog.ClientID != "sb-audit!b1|auditlog-management!b2" ||
		s.Secrets.AuditLogClientSecret != "audit-key-secret-8" {
		t.Fatalf("audit log from key: %+v", s.AuditLog)
	}
	if err := s.ValidateCloudALM(); err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateAuditLog(); err != nil {
		t.Fatal(err)
	}

	explicit := load(t, map[string]any{"calmClientId": "my-own-client"}, map[string]string{"calmServiceKey": calmKey})
	if explicit.CloudALM.ClientID != "my-own-client" || explicit.CloudALM.APIURL == "" {
		t.Fatalf("explicit field lost or key not used: %+v", explicit.CloudALM)
	}

	broken := load(t, nil, map[string]string{"calmServiceKey": `{"uaa":{"clientsecret":"leaky-secret-9"`})
	if err := broken.Validate(); err != nil {
		t.Fatalf("the tenant's own settings must stay valid: %v", err)
	}
	err := broken.ValidateCloudALM()
	if err == nil || !strings.Contains(err.Error(), "secureJsonData.calmServiceKey") || strings.Contains(err.Error(), "leaky-secret-9") {
		t.Fatalf("broken key: %v", err)
	}
	if broken.ValidateAuditLog() != nil {
		t.Fatal("the other connection is affected")
	}
}

// Each connection has its own "skip TLS verification": the tenant's switch is not copied to Cloud ALM or
// the audit log, and theirs do not touch the tenant.
func TestConnectionTLSSkipVerifyIsTheConnections(t *testing.T) {
	conns := map[string]any{"apiUrl": "https://t.example", "clientId": "cpi",
		"calmApiUrl": "https://acme.eu10.alm.cloud.sap/api", "calmTokenUrl": "https://acme.authentication.eu10.hana.ondemand.com", "calmClientId": "calm",
		"auditLogUrl": "https://auditlog-management.cfapps.eu10.hana.ondemand.com", "auditLogTokenUrl": "https://acme.authentication.eu10.hana.ondemand.com", "auditLogClientId": "audit"}
	for _, tc := range []struct {
		name                  string
		set                   map[string]any
		tenant, calm, auditOn bool
	}{
		{"tenant only", map[string]any{"tlsSkipVerify": true}, true, false, false},
		{"Cloud ALM only", map[string]any{"calmTlsSkipVerify": true}, false, true, false},
		{"audit log only, from a provisioning string", map[string]any{"auditLogTlsSkipVerify": "true"}, false, false, true},
		{"none", map[string]any{}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jd := map[string]any{}
			for k, v := range conns {
				jd[k] = v
			}
			for k, v := range tc.set {
				jd[k] = v
			}
			raw, _ := json.Marshal(jd)
			s, err := Load(backend.DataSourceInstanceSettings{JSONData: raw})
			if err != nil {
				t.Fatal(err)
			}
			calm := s.ForConnection(s.CloudALM, "x")
			audit := s.ForConnection(s.AuditLog, "x")
			if s.TLSSkipVerify != tc.tenant || calm.TLSSkipVerify != tc.calm || audit.TLSSkipVerify != tc.auditOn {
				t.Fatalf("skip verify: tenant %v, Cloud ALM client %v, audit-log client %v", s.TLSSkipVerify, calm.TLSSkipVerify, audit.TLSSkipVerify)
			}
		})
	}
	if _, err := Load(backend.DataSourceInstanceSettings{JSONData: []byte(`{"calmTlsSkipVerify":"perhaps"}`)}); err == nil ||
		!strings.Contains(err.Error(), "calmTlsSkipVerify") {
		t.Fatalf("a non-boolean calmTlsSkipVerify: %v", err)
	}
}
