package health

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// secondary builds a connection client the way the plugin does (ForConnection + WithServiceRoot).
func secondary(t *testing.T, kind ConnectionKind, apiRoot, tokenURL string) Connection {
	t.Helper()
	base := settings.Settings{Timeout: 5 * time.Second, MaxConcurrent: 2}
	s := base.ForConnection(settings.Connection{APIURL: apiRoot, TokenURL: tokenURL, ClientID: clientID}, clientSecret)
	c, err := cpi.New(s, cpi.WithServiceRoot(apiRoot), cpi.WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return Connection{Kind: kind, Client: c, Now: func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }}
}

func TestSecondaryConnections(t *testing.T) {
	var hits atomic.Int64
	tok := quietServer(t, tokenEndpoint(&hits, 0, "", ""), false)
	badTok := quietServer(t, tokenEndpoint(&hits, 401, "application/json", `{"error":"invalid_client","error_description":"Bad credentials"}`), false)
	var auditQuery atomic.Value
	api := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+tokenValue {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/ok/calm-analytics/v1/analytics/providers":
			respond(200, "application/json", `[{"name":"CPI_MESSAGES","description":"IM - Cloud Platform Integration"},{"name":"EXM_DATAPROVIDER"}]`)(w, r)
		case "/nocpi/calm-analytics/v1/analytics/providers":
			respond(200, "application/json", `[{"name":"DP_TASKS"}]`)(w, r)
		case "/forbidden/calm-analytics/v1/analytics/providers":
			respond(403, "application/json", `{"error":{"code":"FORBIDDEN","message":"Insufficient scope"}}`)(w, r)
		case "/ui/calm-analytics/v1/analytics/providers":
			respond(200, "text/html", "<html><body>Cloud ALM</body></html>")(w, r)
		case "/auditlog/v2/auditlogrecords":
			auditQuery.Store(r.URL.RawQuery)
			respond(200, "application/json", `[]`)(w, r)
		case "/neo/AuditLogRecords":
			auditQuery.Store(r.URL.RawQuery)
			respond(200, "application/json", `{"value":[]}`)(w, r)
		case "/denied/auditlog/v2/auditlogrecords":
			respond(403, "", "")(w, r)
		default:
			http.NotFound(w, r)
		}
	}), false)
	tenant := quietServer(t, &tenant{mplFixture: sapfixtures.Read(t, "real-cf-tenant-MessageProcessingLogs-inlinecount.json")}, false)

	for _, tc := range []struct {
		name   string
		neo    bool
		conns  func(t *testing.T) []Connection
		ok     bool
		words  []string
		checks func(t *testing.T)
	}{
		{"Cloud ALM and audit log OK", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, CloudALM, api.URL+"/ok/calm-analytics/v1", tok.URL+"/oauth/token"), secondary(t, AuditLog, api.URL, tok.URL+"/oauth/token")}
		}, true, []string{"Cloud Integration: Connected to", " · Cloud ALM: OK, 2 analytics providers (CPI_MESSAGES included). · Audit log: OK, audit log records readable."},
			func(t *testing.T) {
				// One minute, five minutes back, UTC without zone.
				if q := auditQuery.Load(); q != "time_from=2026-11-21T11:54:00&time_to=2026-11-21T11:55:00" {
					t.Errorf("audit log query %v", q)
				}
			}},
		{"audit log on Neo", true, func(t *testing.T) []Connection {
			return []Connection{secondary(t, AuditLog, api.URL+"/neo", tok.URL+"/oauth/token")}
		}, true, []string{"Audit log: OK"}, func(t *testing.T) {
			if q := auditQuery.Load(); q != "$top=1" {
				t.Errorf("Neo audit log query %v", q)
			}
		}},
		{"Cloud ALM without CPI_MESSAGES", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, CloudALM, api.URL+"/nocpi/calm-analytics/v1", tok.URL+"/oauth/token")}
		}, true, []string{"Cloud ALM: OK, 1 analytics provider, but not CPI_MESSAGES", "Integration Monitoring"}, nil},
		{"Cloud ALM wrong secret", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, CloudALM, api.URL+"/ok/calm-analytics/v1", badTok.URL+"/oauth/token")}
		}, false, []string{"message logs readable. · Cloud ALM: 401, check the client ID and client secret", "uaa.clientsecret of the Cloud ALM service key"}, nil},
		{"Cloud ALM missing scope", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, CloudALM, api.URL+"/forbidden/calm-analytics/v1", tok.URL+"/oauth/token")}
		}, false, []string{"Cloud ALM: 403", "calm-api.analytics.read", "new service key"}, nil},
		{"Cloud ALM wrong URL", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, CloudALM, api.URL+"/nothing/calm-analytics/v1", tok.URL+"/oauth/token")}
		}, false, []string{"Cloud ALM: 404, No Cloud ALM analytics API at", "endpoints.Api"}, nil},
		{"Cloud ALM web UI", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, CloudALM, api.URL+"/ui/calm-analytics/v1", tok.URL+"/oauth/token")}
		}, false, []string{"Cloud ALM: ", "HTML page", "not the address of the Cloud ALM web UI"}, nil},
		{"audit log denied", false, func(t *testing.T) []Connection {
			return []Connection{secondary(t, AuditLog, api.URL+"/denied", tok.URL+"/oauth/token")}
		}, false, []string{"Audit log: 403", "auditlog-management, plan default"}, nil},
		{"audit log configuration error", false, func(t *testing.T) []Connection {
			return []Connection{{Kind: AuditLog, ConfigErr: errors.Join(errors.New("Audit log URL is missing: paste url."), errors.New("Audit log client secret is missing."))}}
		}, false, []string{"Audit log: not configured correctly: Audit log URL is missing: paste url. Audit log client secret is missing."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := basicSettings(tenant.URL)
			if tc.neo {
				s.Environment = settings.EnvironmentNeo
			}
			c, err := cpi.New(s)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Close)
			conns := tc.conns(t)
			res := Check(context.Background(), s, c, conns...)
			assertNoSecrets(t, res)
			if res.OK != tc.ok {
				t.Fatalf("OK = %v, want %v: %s", res.OK, tc.ok, res.Message)
			}
			for _, w := range tc.words {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message %q does not contain %q", res.Message, w)
				}
			}
			if len(res.Details) != 2+len(conns) {
				t.Errorf("details %+v", res.Details)
			}
			if tc.checks != nil {
				tc.checks(t)
			}
		})
	}
}
