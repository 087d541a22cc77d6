// Package simtest serves a simulated tenant for the domain packages' tests, masks its random address in
// request logs and compares frames with golden files, so golden files are stable and written one way.
package simtest

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Golden compares frames with the golden file testdata/<name>.jsonc of the package under test; with -update it
// rewrites the file instead.
func Golden(t *testing.T, name string, frames data.Frames) {
	t.Helper()
	resp := backend.DataResponse{Frames: frames}
	experimental.CheckGoldenJSONResponse(t, "testdata", name, &resp, *update)
}

// Now is the fixed clock of the golden tests.
var Now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// MaskedHost replaces the test server's address in golden request logs.
const MaskedHost = "https://tenant.example"

// Tenant is a simulated tenant behind an httptest server, with a record of the requests it received.
type Tenant struct {
	Sim    *simulator.Tenant
	URL    string
	Client *cpi.Client

	mu       sync.Mutex
	requests []Request
}

// Request is what the tenant saw of one API request and how it answered.
type Request struct {
	Path, RawQuery, Accept string
	Status                 int
}

// New starts a tenant with cfg (Now defaults to the fixed clock, Seed to 7) and a client with all roles
// unless cfg.Clients says otherwise (the client then uses cfg.Clients[0]).
func New(t testing.TB, cfg simulator.Config, opts ...cpi.Option) *Tenant {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return Now }
	}
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	id, secret := simulator.DefaultClientID, simulator.DefaultClientSecret
	if len(cfg.Clients) > 0 {
		id, secret = cfg.Clients[0].ID, cfg.Clients[0].Secret
	}
	tn := &Tenant{Sim: simulator.New(cfg)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request is recorded when its status is known and before any byte of the answer leaves, so
		// a test that has its answer finds it recorded.
		rec := &statusRecorder{ResponseWriter: w, record: func(status int) {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				tn.mu.Lock()
				tn.requests = append(tn.requests, Request{Path: r.URL.Path, RawQuery: r.URL.RawQuery, Accept: r.Header.Get("Accept"), Status: status})
				tn.mu.Unlock()
			}
		}}
		tn.Sim.ServeHTTP(rec, r)
		rec.WriteHeader(http.StatusOK) // records an answer that wrote nothing
	}))
	t.Cleanup(srv.Close)
	tn.URL = srv.URL
	s := settings.Settings{
		APIBaseURL: srv.URL, TenantLabel: "SIM", AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: srv.URL + "/oauth/token", ClientID: id,
		Timeout: 5 * time.Second, MaxConcurrent: 4,
		Secrets: settings.Secrets{ClientSecret: secret},
	}
	c, err := cpi.New(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	tn.Client = c
	return tn
}

// Requests returns the API requests received so far.
func (tn *Tenant) Requests() []Request {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]Request(nil), tn.requests...)
}

// Mask replaces the test server's address in request URLs.
func (tn *Tenant) Mask(urls []string) []string {
	return Mask(urls, tn.URL, MaskedHost)
}

// Mask replaces a test server's random address base with the stable host in request URLs.
func Mask(urls []string, base, host string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = strings.Replace(u, base, host, 1)
	}
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	record  func(status int)
	written bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.written {
		return
	}
	r.written = true
	r.record(code)
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.ResponseWriter.Write(b)
}

// Fixture decodes the OData collection of SAP's example file name (internal/sapfixtures).
func Fixture[T any](t testing.TB, name string) []T {
	t.Helper()
	coll, err := odata.DecodeCollection[T](bytes.NewReader(sapfixtures.Read(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return coll.Results
}

// FixtureEntity decodes the OData entity of SAP's example file name (internal/sapfixtures).
func FixtureEntity[T any](t testing.TB, name string) T {
	t.Helper()
	e, err := odata.DecodeEntity[T](bytes.NewReader(sapfixtures.Read(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return e
}
