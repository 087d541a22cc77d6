// Command cpi-bench measures what the message queries cost against a simulated tenant, next to the same
// work done the way a generic JSON/OData data source does it (follow __next sequentially, every field,
// aggregate locally), and prints a table: API calls, wall time, peak heap, and the ratios.
//
//	go run ./cmd/cpi-bench                                  # 1 000 000 messages/day, 150 iFlows, 80 ms latency
//	go run ./cmd/cpi-bench -messages-per-day 20000 -naive-budget 10s -scenarios a,e
//	go run ./cmd/cpi-bench -dashboards -messages-per-day 20000  # the overview dashboard, plugin and naive (dashrun.go)
//	go run ./cmd/cpi-bench -sweep                                # the same at 20 000, 200 000, 1 000 000/day
//
// The tenant (pkg/simulator) runs in-process behind httptest with the injected latency on every request;
// the client is the plugin's (pkg/cpi) with SAP's per-user rate limits (message logs 100/s) and 8
// requests in flight. Each scenario starts with a fresh client (cold cache).
//
// The naive runs stop after -naive-budget; their remaining cost is then extrapolated: the number of calls
// exactly (the tenant's own count of the rows they would page through, plus one error-text call per failed
// message where the work needs texts), wall time linearly from the rate so far (a lower bound: later
// pages cost the tenant more, as their offset grows), and peak heap in proportion to the rows a
// read-everything-then-aggregate client holds. Extrapolated figures are marked "≥" or "~".
//
// Peak heap is the process's live heap (runtime/metrics, sampled every 5 ms) and includes the in-process
// simulator's own allocations on both sides. The plugin's row also gives the simulator's own time: its time
// answering, summed over the requests (which overlap), the injected latency excluded; on a loaded machine
// it is a large part of the wall time that a real tenant would spend instead. With -replay the plugin's
// run is timed once more against the answers it received, served from memory after the latency.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.perDay, "messages-per-day", cfg.perDay, "simulated weekday volume")
	flag.IntVar(&cfg.iflows, "iflows", cfg.iflows, "deployed iFlows")
	flag.DurationVar(&cfg.latency, "latency", cfg.latency, "latency injected on every request")
	flag.IntVar(&cfg.listRows, "list-rows", cfg.listRows, "rows of scenario c (message list)")
	flag.DurationVar(&cfg.naiveBudget, "naive-budget", cfg.naiveBudget, "time budget of each naive run; the rest is extrapolated")
	flag.StringVar(&cfg.scenarios, "scenarios", cfg.scenarios, "scenarios to run (a,b,c,d,e)")
	flag.BoolVar(&cfg.replay, "replay", cfg.replay, "also time the plugin against the recorded answers of its run (the simulator's own time left out)")
	flag.Int64Var(&cfg.seed, "seed", cfg.seed, "simulator seed")
	flag.IntVar(&cfg.dashboardMinutes, "dashboard-minutes", cfg.dashboardMinutes, "minutes of 3 dashboards and the alert rules (with -dashboards; 0 skips them)")
	dashboards := flag.Bool("dashboards", false, "run the dashboard benchmark (bundled dashboards and alert rules sent as Grafana sends them) instead")
	flag.BoolVar(&cfg.sweep, "sweep", false, "with -dashboards: the overview dashboard at 20 000, 200 000 and 1 000 000 messages/day in one table (ignores -messages-per-day, skips the minutes)")
	naive := flag.Bool("naive", true, "with -dashboards: also load the overview the naive way, against a second tenant with the same data")
	flag.Parse()
	cfg.noNaive = !*naive
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
	defer cancel()
	if *dashboards || cfg.sweep {
		if _, err := runDashboards(ctx, cfg, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "cpi-bench:", err)
			os.Exit(1)
		}
		return
	}
	if _, err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "cpi-bench:", err)
		os.Exit(1)
	}
}

type config struct {
	perDay, iflows, listRows int
	dashboardMinutes         int
	sweep, noNaive           bool
	latency, naiveBudget     time.Duration
	scenarios                string
	replay                   bool
	seed                     int64
	now                      time.Time
}

func defaultConfig() config {
	return config{perDay: 1_000_000, iflows: 150, latency: 80 * time.Millisecond, listRows: 100_000,
		naiveBudget: 40 * time.Second, scenarios: "a,b,c,d,e", seed: 1, dashboardMinutes: 10,
		// A weekday noon: the 24 hours before it are a full weekday of traffic.
		now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
}

// run executes the scenarios and prints the table; it returns the rows for tests.
func run(ctx context.Context, cfg config, out io.Writer) ([]row, error) {
	e, err := newEnv(cfg)
	if err != nil {
		return nil, err
	}
	defer e.close()
	fmt.Fprintf(out, "cpi-bench: %d messages/day, %d iFlows, %s latency per request, naive budget %s, now %s\n\n",
		cfg.perDay, cfg.iflows, cfg.latency, cfg.naiveBudget, cfg.now.Format(time.RFC3339))
	var rows []row
	for _, s := range scenarios(cfg) {
		if !strings.Contains(","+cfg.scenarios+",", ","+s.id+",") {
			continue
		}
		fmt.Fprintf(os.Stderr, "cpi-bench: scenario %s (%s)…\n", s.id, s.title)
		r, err := e.runScenario(ctx, s)
		if err != nil {
			return rows, fmt.Errorf("scenario %s: %w", s.id, err)
		}
		rows = append(rows, r)
	}
	printTable(out, rows)
	return rows, nil
}
