package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// env is the simulated tenant with a counter of API calls.
type env struct {
	cfg   config
	sim   *simulator.Tenant
	srv   *httptest.Server
	calls atomic.Int64
	simNs atomic.Int64 // time the simulator spent answering, the injected latency excluded
	rec   recorder
}

func newEnv(cfg config) (*env, error) {
	e := &env{cfg: cfg}
	e.sim = simulator.New(simulator.Config{Seed: cfg.seed, MessagesPerDay: cfg.perDay, IFlows: cfg.iflows,
		Now: func() time.Time { return cfg.now },
		// The reference counts are read in-process with this user, outside the measured calls.
		BasicUsers: []simulator.Client{{ID: "bench-direct", Secret: "bench-direct", Roles: simulator.AllRoles}}})
	if cfg.latency > 0 {
		e.sim.SetFault("*", simulator.Fault{Latency: cfg.latency})
	}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/") {
			e.calls.Add(1)
			if e.rec.serve(w, r, cfg.latency, e.sim) {
				return
			}
			start := time.Now()
			defer func() { e.simNs.Add(int64(time.Since(start) - cfg.latency)) }()
		}
		e.sim.ServeHTTP(w, r)
	}))
	return e, nil
}

func (e *env) close() { e.srv.Close() }

// client is a fresh plugin client (cold cache).
func (e *env) client() (*cpi.Client, error) { return benchClient(e.srv.URL) }

// benchClient is a plugin client of the tenant at base: OAuth client credentials, SAP's default rate
// limits, 8 requests in flight.
func benchClient(base string) (*cpi.Client, error) {
	s := settings.Settings{APIBaseURL: base, TenantLabel: "SIM", AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: base + "/oauth/token", ClientID: simulator.DefaultClientID, Timeout: 120 * time.Second,
		MaxConcurrent: settings.DefaultMaxConcurrentRequests, Secrets: settings.Secrets{ClientSecret: simulator.DefaultClientSecret}}
	return cpi.New(s, cpi.WithVersion("bench"))
}

// direct asks the tenant in-process, outside the measured calls (the latency fault applies, so it is
// only used for a few reference numbers).
func (e *env) direct(ctx context.Context, path string, q url.Values) (string, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/"+path+"?"+cpi.EncodeQuery(q), nil)
	req.SetBasicAuth("bench-direct", "bench-direct")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	e.sim.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return "", &httpError{rec.Code, rec.Body.String()}
	}
	return rec.Body.String(), nil
}

type httpError struct {
	status int
	body   string
}

func (h *httpError) Error() string { return "HTTP " + strconv.Itoa(h.status) + ": " + h.body }

// count is the tenant's $count of a filter (the reference for checks and extrapolation).
func (e *env) count(ctx context.Context, filter string) (int64, error) {
	body, err := e.direct(ctx, "MessageProcessingLogs/$count", url.Values{"$filter": {filter}})
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(body), 10, 64)
}

// measurement is what one run cost.
type measurement struct {
	calls    int64
	wall     time.Duration
	peakHeap uint64
	// sim is the simulator's own time, summed over the requests (they overlap, so it may exceed wall).
	sim time.Duration
	cpu time.Duration // the process's CPU time (user and system)
}

// measure runs fn with a clean heap, counting the tenant's API calls and sampling the live heap.
func (e *env) measure(ctx context.Context, fn func(context.Context) error) (measurement, error) {
	runtime.GC()
	e.calls.Store(0)
	e.simNs.Store(0)
	stop := sampleHeap(liveHeap)
	cpu0 := cpuTime()
	start := time.Now()
	err := fn(ctx)
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	peak := stop()
	return measurement{calls: e.calls.Load(), wall: wall, peakHeap: peak, sim: time.Duration(e.simNs.Load()), cpu: cpu}, err
}
