package plugin

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// "Skip TLS verification" belongs to each connection: the tenant's switch does not reach Cloud ALM or the
// audit log, whose certificates are checked unless their own switch is on.
func TestSecondaryConnectionsHaveTheirOwnTLSVerification(t *testing.T) {
	sim := simulator.New(simulator.Config{Seed: 5, IFlows: 6, MessagesPerDay: 4000, Now: func() time.Time { return calmNow }})
	// One server with a certificate no system trusts, for every connection.
	srv := httptest.NewUnstartedServer(sim)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	health := func(t *testing.T, extra map[string]any) string {
		t.Helper()
		jd := map[string]any{"apiUrl": srv.URL, "tokenUrl": srv.URL + "/oauth/token", "clientId": simulator.DefaultClientID, "tenantLabel": "SIM",
			"tlsSkipVerify": true,
			"calmApiUrl":    srv.URL + "/api", "calmTokenUrl": srv.URL, "calmClientId": simulator.DefaultClientID,
			"auditLogUrl": srv.URL, "auditLogTokenUrl": srv.URL + "/oauth/token", "auditLogClientId": simulator.DefaultClientID}
		for k, v := range extra {
			jd[k] = v
		}
		raw, _ := json.Marshal(jd)
		inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{JSONData: raw, DecryptedSecureJSONData: map[string]string{
			"clientSecret": simulator.DefaultClientSecret, "calmClientSecret": simulator.DefaultClientSecret, "auditLogClientSecret": simulator.DefaultClientSecret}})
		if err != nil {
			t.Fatal(err)
		}
		ds := inst.(*Datasource)
		t.Cleanup(ds.Dispose)
		res, err := ds.CheckHealth(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Message
	}
	// The message has one part per connection: "Cloud Integration: … · Cloud ALM: … · Audit log: …".
	parts := func(msg string) map[string]string {
		out := map[string]string{}
		for _, p := range strings.Split(msg, " · ") {
			name, text, _ := strings.Cut(p, ": ")
			out[name] = text
		}
		return out
	}
	untrusted := func(text string) bool { return strings.Contains(strings.ToLower(text), "certificate") }

	got := parts(health(t, nil))
	if untrusted(got["Cloud Integration"]) || !strings.HasPrefix(got["Cloud Integration"], "Connected") {
		t.Errorf("tenant with its own switch on: %q", got["Cloud Integration"])
	}
	if !untrusted(got["Cloud ALM"]) || !untrusted(got["Audit log"]) {
		t.Errorf("the tenant's switch reached the secondary connections: Cloud ALM %q, audit log %q", got["Cloud ALM"], got["Audit log"])
	}

	got = parts(health(t, map[string]any{"calmTlsSkipVerify": true}))
	if !strings.HasPrefix(got["Cloud ALM"], "OK") || !untrusted(got["Audit log"]) {
		t.Errorf("Cloud ALM's own switch: Cloud ALM %q, audit log %q", got["Cloud ALM"], got["Audit log"])
	}

	got = parts(health(t, map[string]any{"tlsSkipVerify": false, "auditLogTlsSkipVerify": true}))
	if !untrusted(got["Cloud Integration"]) || !strings.HasPrefix(got["Audit log"], "OK") || !untrusted(got["Cloud ALM"]) {
		t.Errorf("the audit log's own switch: %v", got)
	}
}

// The CA stays in secureJsonData when "With CA cert" is turned off: only the switch decides whether it is
// used, so a stale or broken CA behind a switched-off option neither breaks nor narrows the connection.
func TestCustomCAOnlyWithItsSwitch(t *testing.T) {
	ds := newInstance(t, map[string]any{"tlsAuthWithCACert": false},
		map[string]string{"clientSecret": simulator.DefaultClientSecret, "tlsCACert": "not a certificate"})
	res, err := ds.CheckHealth(context.Background(), nil)
	if err != nil || res.Status != backend.HealthStatusOk {
		t.Fatalf("health with a stale CA behind a switched-off option: %v %s", err, res.Message)
	}
	on := newInstance(t, map[string]any{"tlsAuthWithCACert": true},
		map[string]string{"clientSecret": simulator.DefaultClientSecret, "tlsCACert": "not a certificate"})
	res, _ = on.CheckHealth(context.Background(), nil)
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "CA certificate") {
		t.Fatalf("health with a broken CA switched on: %s", res.Message)
	}
}
