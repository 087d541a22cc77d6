// Package simulator is a simulated SAP Cloud Integration (CPI) tenant: the OData V2 API under /api/v1,
// an XSUAA-like OAuth token endpoint, Cloud ALM analytics and the Cloud Foundry audit-log retrieval API,
// with deterministic, time-relative data and fault injection.
//
// It is an http.Handler so tests can run it in-process (httptest.NewServer(simulator.New(cfg))), and
// cmd/cpi-simulator serves it for docker-compose and benchmarks. Where the real service and this
// simulator could disagree, the payload shapes follow the captured fixtures in internal/sapfixtures/testdata.
package simulator

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Role names (Cloud Foundry role templates of the Process Integration Runtime "api" plan).
const (
	RoleMonitoringDataRead      = "MonitoringDataRead"
	RoleWorkspacePackagesRead   = "WorkspacePackagesRead"
	RoleDataStoresAndQueuesRead = "DataStoresAndQueuesRead"
	RoleMessagePayloadsRead     = "MessagePayloadsRead"
)

// AllRoles is what the default client gets.
var AllRoles = []string{RoleMonitoringDataRead, RoleWorkspacePackagesRead, RoleDataStoresAndQueuesRead, RoleMessagePayloadsRead}

// Default credentials of the built-in client (only used when Config.Clients is empty).
const (
	DefaultClientID     = "sim-client"
	DefaultClientSecret = "sim-secret"
)

// Config configures a simulated tenant. The zero value is usable.
type Config struct {
	Seed             int64
	MessagesPerDay   int              // default 20000
	IFlows           int              // deployed iFlows in packages (default 40); plus 1 deployed in no package and 2 not deployed
	Environment      string           // "cloudFoundry" (default) | "neo"
	Clients          []Client         // default: one client "sim-client"/"sim-secret" with all roles
	BasicUsers       []Client         // ID = user name, Secret = password
	TokenLifetime    time.Duration    // default 1h
	Now              func() time.Time // default time.Now
	PerUserRateLimit bool             // default false; when true SAP's per-user limits answer 429
	Hostile          []string         // hostile cases that are on (hostile.go); "all" for every case
}

// Client is an OAuth client (or, in Config.BasicUsers, a Basic-auth user) and its roles.
type Client struct {
	ID, Secret string
	Roles      []string
}

// Tenant is one simulated tenant. It is safe for concurrent use.
type Tenant struct {
	cfg  Config
	now  func() time.Time
	land *landscape
	gen  *generator

	mu         sync.Mutex
	tokens     map[string]tokenInfo
	tokenSeq   uint64
	validAfter uint64 // tokens with seq <= validAfter were expired by a fault
	faults     map[string]*faultState
	rate       map[string]*rateWindow
	// wallClock times the per-user rate limit: requests per real second, whatever Config.Now says the
	// data's "now" is (tests pin Now; the limit must still move on).
	wallClock func() time.Time
}

// New builds a tenant from cfg, filling defaults.
func New(cfg Config) *Tenant {
	cfg = hostileConfig(cfg)
	if cfg.MessagesPerDay <= 0 {
		cfg.MessagesPerDay = 20000
	}
	if cfg.IFlows <= 0 {
		cfg.IFlows = 40
	}
	if cfg.IFlows < 8 {
		cfg.IFlows = 8 // the special cases (ERROR artifact, version drift, stuck messages) need a few flows
	}
	switch strings.ToLower(cfg.Environment) {
	case "neo":
		cfg.Environment = "neo"
	default:
		cfg.Environment = "cloudFoundry"
	}
	if len(cfg.Clients) == 0 {
		cfg.Clients = []Client{{ID: DefaultClientID, Secret: DefaultClientSecret, Roles: AllRoles}}
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &Tenant{
		cfg:       cfg,
		now:       cfg.Now,
		tokens:    map[string]tokenInfo{},
		faults:    map[string]*faultState{},
		rate:      map[string]*rateWindow{},
		wallClock: time.Now,
	}
	t.land = newLandscape(cfg.Seed, cfg.IFlows)
	t.gen = newGenerator(cfg.Seed, cfg.MessagesPerDay, t.land)
	return t
}

// Neo reports whether the tenant simulates the Neo environment.
func (t *Tenant) Neo() bool { return t.cfg.Environment == "neo" }

// ServeHTTP dispatches a request: fault injection first, then the token endpoint, the APIs, or the
// HTML login page SAP shows for every other path.
func (t *Tenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = t.markEcho(r)
	if t.hostileChainError(w, r) {
		return
	}
	route := routeOf(r.URL.Path)
	f, ok, err := t.faultFor(route, r)
	if err != nil {
		writeODataError(w, r, http.StatusBadRequest, "Bad Request", "invalid X-Sim-Fault header: "+err.Error())
		return
	}
	if ok {
		var done bool
		w, done = t.applyFault(w, r, route, f)
		if done {
			return
		}
		if fw, isFW := w.(*faultWriter); isFW {
			defer fw.finish()
		}
	}
	path := r.URL.Path
	switch {
	case path == "/oauth/token" || path == "/oauth2/api/v1/token": // XSUAA (CF) and Neo token paths
		t.serveToken(w, r)
	case path == "/api/v1" || strings.HasPrefix(path, "/api/v1/"):
		w, r, finish := t.hostilePaging(w, r)
		t.serveAPI(w, r)
		finish()
	case strings.HasPrefix(path, "/api/calm-analytics/v1/"):
		t.serveCALM(w, r)
	case strings.HasPrefix(path, "/auditlog/v2/"):
		t.serveAuditLog(w, r)
	default:
		writeLoginPage(w, http.StatusOK)
	}
}

// routeOf names the fault-injection route of a path: "token", the entity set name under /api/v1
// ("MessageProcessingLogs", …), "calm" or "auditlog"; "" for anything else.
func routeOf(path string) string {
	switch {
	case path == "/oauth/token" || path == "/oauth2/api/v1/token":
		return "token"
	case strings.HasPrefix(path, "/api/v1/"):
		rest := strings.TrimPrefix(path, "/api/v1/")
		if i := strings.IndexAny(rest, "(/"); i >= 0 {
			rest = rest[:i]
		}
		return rest
	case strings.HasPrefix(path, "/api/calm-analytics/"):
		return "calm"
	case strings.HasPrefix(path, "/auditlog/"):
		return "auditlog"
	}
	return ""
}
