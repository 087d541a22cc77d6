package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// TestBenchSmoke runs every scenario with tiny parameters so the command cannot rot: each scenario must
// produce both rows, answer what the tenant says (✓), and the naive run must hit its (tiny) budget in
// the error-groups scenario, exercising the extrapolation; each plugin run is replayed against its
// recorded answers.
func TestBenchSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.perDay, cfg.iflows, cfg.latency, cfg.listRows = 8_000, 10, time.Millisecond, 1500
	cfg.naiveBudget = 300 * time.Millisecond
	cfg.replay = true
	var out bytes.Buffer
	rows, err := run(context.Background(), cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 {
		t.Fatalf("%d scenarios, want 5:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		if r.ours.calls == 0 || r.estCalls == 0 || r.ours.peakHeap == 0 || r.ours.wall <= 0 {
			t.Errorf("scenario %s: empty figures %+v", r.s.id, r)
		}
		if r.oursOut.total != r.plan.reference {
			t.Errorf("scenario %s: the plugin answered %v, the tenant %v", r.s.id, r.oursOut.total, r.plan.reference)
		}
		// Every request of the replayed run was answered from the recording of the run before it.
		if !strings.Contains(r.oursOut.detail, "against its recorded answers") || strings.Contains(r.oursOut.detail, "not recorded") {
			t.Errorf("scenario %s: replay %q", r.s.id, r.oursOut.detail)
		}
		if !r.stopped && r.naiveOut.total != r.plan.reference {
			t.Errorf("scenario %s: the naive run answered %v, the tenant %v", r.s.id, r.naiveOut.total, r.plan.reference)
		}
	}
	d := rows[3]
	if d.s.id != "d" || !d.stopped || d.estCalls != d.plan.pages+d.plan.perRowCalls || d.estCalls <= int64(d.naiveCalls) {
		t.Errorf("error groups: stopped %v, estimated calls %d (plan %+v, made %d)", d.stopped, d.estCalls, d.plan, d.naiveCalls)
	}
	text := out.String()
	for _, want := range []string{"| scenario | approach | API calls |", "a) messageCounts by status", "e) alert", "naive ÷ plugin", "≥ "} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

// TestDashboardBenchSmoke runs the dashboard benchmark with tiny parameters: every panel of the bundled
// dashboards and every alert rule must answer through the plugin and the naive path, the naive path must
// list what the tenant holds and cost more calls than the plugin on a cold load, and the tables must be
// printed.
func TestDashboardBenchSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.perDay, cfg.iflows, cfg.latency, cfg.dashboardMinutes = 3_000, 10, 0, 3
	var out bytes.Buffer
	steps, err := runDashboards(context.Background(), cfg, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(steps) != 9 {
		t.Fatalf("%d overview steps, want 9 (3 per window):\n%s", len(steps), out.String())
	}
	// The tenant's own counts of the three 6-hour windows (cfg.now is Friday 2026-11-20 12:00 UTC).
	windows := map[string][2]string{
		"weekend night (Sun 00:00)": {"2026-11-14T18:00:00", "2026-11-15T00:00:00"},
		"weekday night (00:00)":     {"2026-11-19T18:00:00", "2026-11-20T00:00:00"},
		"busy weekday (16:00)":      {"2026-11-20T10:00:00", "2026-11-20T16:00:00"},
	}
	for _, s := range steps {
		// A reload within 30 s is answered from what the plugin holds: no call, but a load that took time.
		if !s.naiveRerun || s.naive.calls == 0 || (s.plugin.calls == 0) != (s.step == "reload after 5 s") ||
			s.plugin.wall == 0 || s.heapAfter == 0 || s.heapPeak == 0 {
			t.Errorf("%s %s: empty figures %+v", s.window, s.step, s)
		}
		if s.step == "cold" && s.naive.calls <= s.plugin.calls {
			t.Errorf("%s cold: naive %d calls, plugin %d", s.window, s.naive.calls, s.plugin.calls)
		}
		w, ok := windows[s.window]
		if !ok {
			t.Errorf("unknown window %q", s.window)
			continue
		}
		at := w[1]
		if s.step != "cold" {
			continue // the clock has moved: the tenant's counts below are those of the cold load
		}
		all := tenantCount(t, cfg, at, "LogEnd ge datetime'"+w[0]+"' and LogEnd lt datetime'"+w[1]+"'")
		failed := tenantCount(t, cfg, at, "LogEnd ge datetime'"+w[0]+"' and LogEnd lt datetime'"+w[1]+"' and Status eq 'FAILED'")
		if got := s.naivePanels["Messages"]; got.rows != all {
			t.Errorf("%s: the naive Messages panel listed %d rows, the tenant counts %d", s.window, got.rows, all)
		}
		if got := s.naivePanels["Error groups"]; got.rows != failed || got.texts != failed {
			t.Errorf("%s: the naive Error groups panel listed %d rows and read %d texts, the tenant counts %d failed", s.window, got.rows, got.texts, failed)
		}
		if all == 0 || failed == 0 {
			t.Errorf("%s: the tenant has %d messages, %d failed: the check above checks nothing", s.window, all, failed)
		}
	}
	for _, want := range []string{"Overview dashboard", "refresh after 60 s", "naive ÷ plugin", "calls per minute"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// tenantCount asks a fresh tenant of cfg, at the UTC time at, for the $count of filter.
func tenantCount(t *testing.T, cfg config, at, filter string) int {
	t.Helper()
	now, err := time.Parse("2006-01-02T15:04:05", at)
	if err != nil {
		t.Fatal(err)
	}
	sim := simulator.New(simulator.Config{Seed: cfg.seed, MessagesPerDay: cfg.perDay, IFlows: cfg.iflows, Now: func() time.Time { return now },
		BasicUsers: []simulator.Client{{ID: "u", Secret: "p", Roles: simulator.AllRoles}}})
	req := httptest.NewRequest(http.MethodGet, "/api/v1/MessageProcessingLogs/$count?$filter="+url.QueryEscape(filter), nil)
	req.SetBasicAuth("u", "p")
	rec := httptest.NewRecorder()
	sim.ServeHTTP(rec, req)
	n, err := strconv.Atoi(strings.TrimSpace(rec.Body.String()))
	if rec.Code != http.StatusOK || err != nil {
		t.Fatalf("$count %s: HTTP %d %q", filter, rec.Code, rec.Body.String())
	}
	return n
}

// TestSettleWaitsForCallsInFlight: settle returns only once the tenant has answered the call still in
// flight, and counts it.
func TestSettleWaitsForCallsInFlight(t *testing.T) {
	cfg := defaultConfig()
	cfg.perDay, cfg.iflows, cfg.latency = 1_000, 3, 300*time.Millisecond
	clk := &clock{}
	clk.set(cfg.now)
	ts := newTenantServer(cfg, clk)
	defer ts.srv.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(ts.srv.URL + "/api/v1/IntegrationRuntimeArtifacts")
		if err == nil {
			_ = resp.Body.Close()
		}
	}()
	for ts.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if n := ts.settle(context.Background(), 0, 10*time.Millisecond, time.Minute); n != 1 {
		t.Errorf("settle counted %d calls, want 1", n)
	}
	if ts.inflight.Load() != 0 {
		t.Error("settle returned while the call was in flight")
	}
	<-done
}
