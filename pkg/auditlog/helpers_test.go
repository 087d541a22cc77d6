package auditlog

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var fixedNow = simtest.Now

// recorder counts and keeps the requests that reach the records resource.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !strings.HasPrefix(req.URL.Path, "/oauth") {
			r.mu.Lock()
			r.reqs = append(r.reqs, req.Clone(req.Context()))
			r.mu.Unlock()
		}
		next.ServeHTTP(w, req)
	})
}

func (r *recorder) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

// auditSettings configures the data source with the audit log connection pointing at base.
func auditSettings(base string, env settings.Environment, secret string) settings.Settings {
	return settings.Settings{
		APIBaseURL: "https://cpi.example", Environment: env, TenantLabel: "SIM", AuthType: settings.AuthBasic,
		BasicUser: "u", Timeout: 5 * time.Second, MaxConcurrent: 4,
		Secrets:  settings.Secrets{BasicPassword: "cpi-password", AuditLogClientSecret: secret},
		AuditLog: settings.Connection{APIURL: base, TokenURL: base + "/oauth/token", ClientID: simulator.DefaultClientID},
	}
}

// newSimulated serves the simulated tenant (Cloud Foundry audit log endpoint) and returns a client built
// the way the data source builds it, the request recorder and the base URL to mask in goldens.
func newSimulated(t *testing.T, opts ...cpi.Option) (*cpi.Client, *recorder, string) {
	t.Helper()
	ten := simulator.New(simulator.Config{Seed: 7, Now: func() time.Time { return fixedNow }})
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(ten))
	t.Cleanup(srv.Close)
	c, err := NewClient(auditSettings(srv.URL, settings.EnvironmentCloudFoundry, simulator.DefaultClientSecret), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, rec, srv.URL
}

// newFake serves handler (plus a token endpoint accepting the default client) and returns a client.
func newFake(t *testing.T, env settings.Environment, handler http.Handler, opts ...cpi.Option) (*cpi.Client, *recorder, string) {
	t.Helper()
	rec := &recorder{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != simulator.DefaultClientID || secret != simulator.DefaultClientSecret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Bad credentials"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"fake-token-1234567890","token_type":"bearer","expires_in":3600}`))
	})
	mux.Handle("/", handler)
	srv := httptest.NewServer(rec.wrap(mux))
	t.Cleanup(srv.Close)
	// No rate limit and no retry waits by default: these tests are about paging and parsing.
	all := append([]cpi.Option{cpi.WithRateLimit(cpi.AreaOther, 0),
		cpi.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() })}, opts...)
	c, err := NewClient(auditSettings(srv.URL, env, simulator.DefaultClientSecret), all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, rec, srv.URL
}

func boolPtr(b bool) *bool { return &b }
