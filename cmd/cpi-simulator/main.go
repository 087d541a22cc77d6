// Command cpi-simulator serves a simulated SAP Cloud Integration tenant (OData API, OAuth token
// endpoint, Cloud ALM analytics, audit-log retrieval) for the docker-compose demo, integration tests and
// benchmarks. See pkg/simulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "cpi-simulator:", err)
		os.Exit(2)
	}
}

// faultFlags collects repeated -fault values.
type faultFlags []string

func (f *faultFlags) String() string     { return strings.Join(*f, " ") }
func (f *faultFlags) Set(v string) error { *f = append(*f, v); return nil }

const usageText = `Usage: cpi-simulator [flags]

Serves a simulated SAP Cloud Integration tenant:
  POST /oauth/token                       OAuth client credentials (HTTP Basic or form client_id/client_secret)
  GET  /api/v1/...                        CPI OData V2 API (MessageProcessingLogs, IntegrationRuntimeArtifacts, ...)
  /api/calm-analytics/v1/analytics/...    Cloud ALM analytics (providers, providers/filters, providers/data)
  GET  /auditlog/v2/auditlogrecords       Cloud Foundry audit log retrieval
Data is deterministic for a seed and relative to the current time.

Faults (-fault, repeatable): "Route:key=value,key=value" where Route is an entity set name
(MessageProcessingLogs, IntegrationRuntimeArtifacts, KeystoreEntries, ...), "token", "calm", "auditlog" or
"*" (default when no route is given). Keys:
  status=503        answer this HTTP status instead (429, 500, 502, 503, 504, ...)
  retryAfter=2      Retry-After header with the status
  count=3           only the next 3 matching requests (default: always)
  latency=200ms     fixed delay;  jitter=100ms  extra random delay
  loginPage         HTML login page with status 200
  truncate          cut the body in half
  slowBody=5s       trickle the body over this duration
  expireTokens      invalidate every token issued so far (at start-up: none yet)
Examples: -fault 'MessageProcessingLogs:status=503,count=3' -fault '*:latency=50ms,jitter=100ms'
The same syntax works per request in the X-Sim-Fault header, e.g. X-Sim-Fault: status=429;retryAfter=1

Flags:
`

// run parses args and serves until ctx is done. ready, when non-nil, receives the listen address.
func run(ctx context.Context, args []string, logOut io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("cpi-simulator", flag.ContinueOnError)
	fs.SetOutput(logOut)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		if cases := simulator.HostileCases(); len(cases) > 0 {
			fmt.Fprintln(fs.Output(), "Hostile cases (-hostile name,name or all):")
			for _, c := range cases {
				fmt.Fprintf(fs.Output(), "  %-22s %s\n", c[0], c[1])
			}
			fmt.Fprintln(fs.Output())
		}
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (docker: 0.0.0.0:8080)")
	seed := fs.Int64("seed", 1, "seed of the generated data")
	perDay := fs.Int("messages-per-day", 20000, "message volume on a weekday (up to millions; generated on demand)")
	iflows := fs.Int("iflows", 40, "number of integration flows in packages (one more is deployed without a package)")
	environment := fs.String("environment", "cloudFoundry", "cloudFoundry or neo (LogFiles exist on neo only)")
	clientID := fs.String("client-id", envOr("SIM_CLIENT_ID", simulator.DefaultClientID), "OAuth client id (env SIM_CLIENT_ID)")
	clientSecret := fs.String("client-secret", envOr("SIM_CLIENT_SECRET", simulator.DefaultClientSecret), "OAuth client secret (env SIM_CLIENT_SECRET; prefer the env variable)")
	basicUser := fs.String("basic-user", os.Getenv("SIM_BASIC_USER"), "optional Basic-auth user for /api/v1 (env SIM_BASIC_USER)")
	basicPassword := fs.String("basic-password", os.Getenv("SIM_BASIC_PASSWORD"), "password of -basic-user (env SIM_BASIC_PASSWORD)")
	tokenLifetime := fs.Duration("token-lifetime", time.Hour, "lifetime of issued access tokens")
	rateLimit := fs.Bool("rate-limit", false, "answer 429 above SAP's per-user rate limits")
	quiet := fs.Bool("quiet", false, "do not log requests")
	hostile := fs.String("hostile", "", "comma-separated hostile cases to serve, or \"all\" (listed above)")
	var faults faultFlags
	fs.Var(&faults, "fault", "inject a fault, e.g. 'MessageProcessingLogs:status=503,count=3' (repeatable; see above)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *environment != "cloudFoundry" && *environment != "neo" {
		return fmt.Errorf("-environment must be cloudFoundry or neo, not %q", *environment)
	}
	hostileCases, err := simulator.ParseHostile(*hostile)
	if err != nil {
		return fmt.Errorf("-hostile: %w", err)
	}
	cfg := simulator.Config{
		Seed: *seed, MessagesPerDay: *perDay, IFlows: *iflows, Environment: *environment,
		Clients:       []simulator.Client{{ID: *clientID, Secret: *clientSecret, Roles: simulator.AllRoles}},
		TokenLifetime: *tokenLifetime, PerUserRateLimit: *rateLimit, Hostile: hostileCases,
	}
	if *basicUser != "" {
		cfg.BasicUsers = []simulator.Client{{ID: *basicUser, Secret: *basicPassword, Roles: simulator.AllRoles}}
	}
	tenant := simulator.New(cfg)
	for _, spec := range faults {
		route, f, err := simulator.ParseRouteFault(spec)
		if err != nil {
			return fmt.Errorf("-fault %q: %w", spec, err)
		}
		tenant.SetFault(route, f)
	}
	logger := log.New(logOut, "", log.LstdFlags|log.LUTC)
	var handler http.Handler = tenant
	if !*quiet {
		handler = logRequests(logger, tenant)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	logger.Printf("cpi-simulator listening on http://%s (seed %d, %d messages/day, %d iFlows, %s); token URL http://%s/oauth/token, client id %s",
		ln.Addr(), *seed, *perDay, *iflows, *environment, ln.Addr(), *clientID)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// The serving context is already cancelled here; shutdown gets its own grace period.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// statusWriter records the status and size of a response for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// logRequests writes one line per request. It never logs headers or bodies (credentials live there);
// query strings of the token endpoint are dropped because clients may put client_secret in them.
func logRequests(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		target := r.URL.Path
		if r.URL.RawQuery != "" && r.URL.Path != "/oauth/token" && !strings.Contains(strings.ToLower(r.URL.RawQuery), "secret") {
			target += "?" + r.URL.RawQuery
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		logger.Printf("%s %s %d %dB %s", r.Method, target, sw.status, sw.bytes, time.Since(start).Round(time.Microsecond))
	})
}
