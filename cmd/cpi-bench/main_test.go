package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
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
// dashboards and every alert rule must answer through the plugin, and the tables must be printed.
func TestDashboardBenchSmoke(t *testing.T) {
	cfg := defaultConfig()
	cfg.perDay, cfg.iflows, cfg.latency, cfg.dashboardMinutes = 3_000, 10, 0, 3
	var out bytes.Buffer
	if err := runDashboards(context.Background(), cfg, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"Overview dashboard", "refresh after 60 s", "calls per minute"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
