package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// sweepVolumes are the weekday volumes of -sweep.
var sweepVolumes = []int{20_000, 200_000, 1_000_000}

// naiveReloadMax is the largest volume at which the naive path is run for the reload too; above it the
// reload shows the refresh's naive figures (nothing is cached on the naive path, so a reload 5 s after
// the cold load costs what a refresh costs), which saves a long run on a small machine.
const naiveReloadMax = 200_000

// After a load the plugin may still work beside its answers (reading ahead); it counts as idle once the
// tenant has answered everything and received nothing for settleQuiet (waiting at most settleLimit).
const (
	settleQuiet = time.Second
	settleLimit = 5 * time.Minute
)

// loadCost is what one load of the dashboard cost on one path.
type loadCost struct {
	calls int64
	wall  time.Duration
}

// dashStep is one load of the overview dashboard, by the plugin and by the naive path, on the same data
// at the same simulated time.
type dashStep struct {
	perDay       int
	window, step string
	plugin       loadCost
	pluginAfter  int64         // calls the plugin made after its answers (reading ahead), until it was idle
	simPerReq    time.Duration // the simulator's time per plugin request, injected latency excluded
	naive        loadCost
	naiveRerun   bool // false: the naive figures are the refresh's (see naiveReloadMax)
	naivePanels  map[string]naivePanel
	heapBase     uint64 // heap in use after GC before the cold load: both tenants and an empty plugin
	heapAfter    uint64 // heap in use after GC after the plugin's load
	heapPeak     uint64 // largest heap in use sampled during the plugin's load
	naiveHeap    uint64 // largest heap in use sampled during the naive load
	failed       []string
	naiveSkipped bool // -naive=false
}

// runDashboards runs the dashboard benchmark, prints its tables and returns the overview's steps.
func runDashboards(ctx context.Context, cfg config, out io.Writer) ([]dashStep, error) {
	root, err := repoRootDir()
	if err != nil {
		return nil, err
	}
	overview, err := dashboardRequests(root, "overview.json", 6*time.Hour)
	if err != nil {
		return nil, err
	}
	overview = interpolate(overview, map[string]string{"iflow": allValue, "package": allValue})
	volumes := []int{cfg.perDay}
	if cfg.sweep {
		volumes = sweepVolumes
	}
	var steps []dashStep
	for _, v := range volumes {
		c := cfg
		c.perDay = v
		s, err := overviewBench(ctx, c, overview)
		steps = append(steps, s...)
		if err != nil {
			printSteps(out, cfg, len(overview), steps)
			return steps, err
		}
	}
	printSteps(out, cfg, len(overview), steps)
	var allFailed []string
	for _, s := range steps {
		allFailed = append(allFailed, s.failed...)
	}
	if !cfg.sweep && cfg.dashboardMinutes > 0 {
		failed, err := everyMinute(ctx, cfg, root, out)
		if err != nil {
			return steps, err
		}
		allFailed = append(allFailed, failed...)
	}
	if len(allFailed) > 0 {
		return steps, fmt.Errorf("%d panel or rule requests failed, e.g. %s", len(allFailed), allFailed[0])
	}
	return steps, nil
}

// overviewBench loads the overview dashboard cold, 5 s later and 60 s after that, in three 6-hour windows
// (the quietest of a weekend, of a weekday night, and the busiest of a weekday), through the plugin and
// (unless cfg.noNaive) the naive path against a second tenant.
func overviewBench(ctx context.Context, cfg config, overview []panelRequest) ([]dashStep, error) {
	day := cfg.now.Truncate(24 * time.Hour)
	sunday := day.AddDate(0, 0, -int(day.Weekday())) // the last Sunday 00:00: Saturday evening's 6 hours
	windows := []struct {
		name string
		end  time.Time
	}{{"weekend night (Sun 00:00)", sunday}, {"weekday night (00:00)", day}, {"busy weekday (16:00)", day.Add(16 * time.Hour)}}
	var out []dashStep
	for _, w := range windows {
		steps, err := overviewWindow(ctx, cfg, overview, w.name, w.end)
		out = append(out, steps...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func overviewWindow(ctx context.Context, cfg config, overview []panelRequest, name string, end time.Time) ([]dashStep, error) {
	clk := &clock{}
	clk.set(end)
	e, err := newDashEnv(ctx, cfg, clk)
	if err != nil {
		return nil, err
	}
	defer e.close()
	var n *naiveEnv
	if !cfg.noNaive {
		if n, err = newNaiveEnv(cfg, clk); err != nil {
			return nil, err
		}
		defer n.close()
	}
	base := heapInUseAfterGC()
	var out []dashStep
	for _, st := range []struct {
		name    string
		advance time.Duration
	}{{"cold", 0}, {"reload after 5 s", 5 * time.Second}, {"refresh after 60 s", 60 * time.Second}} {
		clk.add(st.advance)
		fmt.Fprintf(os.Stderr, "cpi-bench: %d messages/day, %s, %s…\n", cfg.perDay, name, st.name)
		s := dashStep{perDay: cfg.perDay, window: name, step: st.name, heapBase: base, naiveSkipped: n == nil}
		e.simNs.Store(0)
		stop := sampleHeap(heapInUse)
		s.plugin.calls, s.plugin.wall, s.failed = e.load(ctx, overview)
		s.pluginAfter = e.settle(ctx, e.calls.Load(), settleQuiet, settleLimit)
		s.heapPeak = stop()
		s.heapAfter = heapInUseAfterGC()
		if s.plugin.calls > 0 {
			s.simPerReq = time.Duration(e.simNs.Load() / s.plugin.calls)
		}
		if n != nil && (st.advance != 5*time.Second || cfg.perDay <= naiveReloadMax) {
			var failed []string
			stop := sampleHeap(heapInUse)
			s.naive.calls, s.naive.wall, s.naivePanels, failed = n.load(ctx, overview)
			s.naiveHeap, s.naiveRerun = stop(), true
			for _, f := range failed {
				s.failed = append(s.failed, "naive "+f)
			}
		}
		out = append(out, s)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	// Without a cache a reload costs the naive path what a refresh costs.
	if n != nil && !out[1].naiveRerun {
		out[1].naive, out[1].naivePanels, out[1].naiveHeap = out[2].naive, out[2].naivePanels, out[2].naiveHeap
	}
	return out, nil
}

// printSteps writes the overview table.
func printSteps(out io.Writer, cfg config, requests int, steps []dashStep) {
	fmt.Fprintf(out, "\n### Overview dashboard (%d requests: panels and annotations at once), %d iFlows, %s latency\n\n",
		requests, cfg.iflows, cfg.latency)
	fmt.Fprintln(out, "| messages/day | window (6 h ending) | step | plugin calls | naive calls | naive ÷ plugin | plugin wall | naive wall | simulator time per plugin request | heap in use after GC | of which the plugin | peak heap, plugin load | peak heap, naive load | failed panels |")
	fmt.Fprintln(out, "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	marked := false
	for _, s := range steps {
		naiveCalls, naiveWall, naiveHeap, r := "–", "–", "–", "–"
		if !s.naiveSkipped {
			naiveCalls, naiveWall, naiveHeap = fmt.Sprint(s.naive.calls), dur(s.naive.wall), mib(s.naiveHeap)
			r = ratio(float64(s.naive.calls), float64(s.plugin.calls+s.pluginAfter))
			if !s.naiveRerun {
				naiveCalls, naiveWall, naiveHeap, marked = naiveCalls+" *", naiveWall+" *", naiveHeap+" *", true
			}
		}
		own := uint64(0)
		if s.heapAfter > s.heapBase {
			own = s.heapAfter - s.heapBase
		}
		fmt.Fprintf(out, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s.perDay, s.window, s.step,
			callsAfter(s.plugin.calls, s.pluginAfter), naiveCalls, r, dur(s.plugin.wall), naiveWall, s.simPerReq.Round(10*time.Microsecond), mib(s.heapAfter),
			mib(own), mib(s.heapPeak), naiveHeap, strings.Join(s.failed, "; "))
	}
	for _, s := range steps {
		if s.step != "cold" || s.naiveSkipped {
			continue
		}
		rows, texts := 0, 0
		for _, p := range s.naivePanels {
			rows, texts = rows+p.rows, texts+p.texts
		}
		fmt.Fprintf(out, "\nNaive cold load, %d messages/day, %s: %d rows listed, %d error texts read.", s.perDay, s.window, rows, texts)
	}
	fmt.Fprintln(out)
	if marked {
		fmt.Fprintf(out, "\n\\* not run again: above %d messages/day the naive reload shows the refresh's figures (nothing is cached on the naive path).\n", naiveReloadMax)
	}
}

// callsAfter shows a load's calls, and those made after its answers ("+ n after") when there were any.
func callsAfter(calls, after int64) string {
	if after == 0 {
		return fmt.Sprint(calls)
	}
	return fmt.Sprintf("%d + %d after", calls, after)
}

// everyMinute loads three dashboards and the alert rules every minute for cfg.dashboardMinutes minutes
// in the busy window and returns the requests that failed.
func everyMinute(ctx context.Context, cfg config, root string, out io.Writer) ([]string, error) {
	var all []panelRequest
	for _, name := range []string{"overview.json", "iflow-detail.json", "runtime-security.json"} {
		reqs, err := dashboardRequests(root, name, 6*time.Hour)
		if err != nil {
			return nil, err
		}
		all = append(all, reqs...)
	}
	rules, err := alertRequests(root)
	if err != nil {
		return nil, err
	}
	all = append(all, rules...)
	clk := &clock{}
	clk.set(cfg.now.Truncate(24 * time.Hour).Add(16 * time.Hour))
	e, err := newDashEnv(ctx, cfg, clk)
	if err != nil {
		return nil, err
	}
	defer e.close()
	flow, err := e.busiestIFlow(ctx)
	if err != nil {
		return nil, err
	}
	all = interpolate(all, map[string]string{"iflow": flow, "package": allValue})
	fmt.Fprintf(out, "\n### 3 dashboards and %d alert-rule queries every minute for %d minutes (busy window), %d messages/day\n\n| minute | API calls | wall | peak heap in use |\n|---:|---:|---:|---:|\n",
		len(rules), cfg.dashboardMinutes, cfg.perDay)
	var total int64
	var failedAll []string
	for m := 0; m < cfg.dashboardMinutes; m++ {
		stop := sampleHeap(heapInUse)
		calls, wall, failed := e.load(ctx, all)
		after := e.settle(ctx, e.calls.Load(), settleQuiet, settleLimit)
		peak := stop()
		note := ""
		if len(failed) > 0 {
			note = " (failed: " + strings.Join(failed, "; ") + ")"
			failedAll = append(failedAll, failed...)
		}
		fmt.Fprintf(out, "| %d | %s | %s%s | %s |\n", m, callsAfter(calls, after), dur(wall), note, mib(peak))
		if m > 0 {
			total += calls + after
		}
		clk.add(time.Minute)
	}
	if cfg.dashboardMinutes > 1 {
		fmt.Fprintf(out, "\nAfter the first minute: %.1f calls per minute; heap in use after GC at the end: %s.\n",
			float64(total)/float64(cfg.dashboardMinutes-1), mib(heapInUseAfterGC()))
	}
	return failedAll, nil
}
