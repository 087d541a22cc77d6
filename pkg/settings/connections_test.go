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
