package main

// The naive path of the dashboard benchmark: what a generic JSON/OData data source costs for the same
// panels. Each panel lists every MessageProcessingLogs row of its range that its filters select (the
// filters as $filter; no $select, no $count, no $skip planning: the first page, then __next after
// __next) and aggregates locally; a panel that shows error texts reads one ErrorInformation/$value per
// failed message it shows. Nothing is cached, so a reload or a refresh pays everything again.

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// naiveTextWorkers is how many error texts one panel reads at once (the client allows 8 in flight in all).
const naiveTextWorkers = 8

// naivePanel is what the naive path did for one panel: rows listed, error texts read, groups formed.
type naivePanel struct {
	rows, texts, groups int
}

// naiveEnv is the naive client of a second tenant with the same data as the plugin's.
type naiveEnv struct {
	clk *clock
	*tenantServer
	c *cpi.Client
}

func newNaiveEnv(cfg config, clk *clock) (*naiveEnv, error) {
	t := newTenantServer(cfg, clk)
	c, err := benchClient(t.srv.URL)
	if err != nil {
		t.srv.Close()
		return nil, err
	}
	return &naiveEnv{clk: clk, tenantServer: t, c: c}, nil
}

func (e *naiveEnv) close() {
	e.c.Close()
	e.srv.Close()
}

// load answers every panel at once, as Grafana asks them, and returns the calls, the wall time, what
// each panel did and the panels that failed.
func (e *naiveEnv) load(ctx context.Context, reqs []panelRequest) (int64, time.Duration, map[string]naivePanel, []string) {
	before := e.calls.Load()
	start := time.Now()
	now := e.clk.now()
	var mu sync.Mutex
	panels := map[string]naivePanel{}
	var failed []string
	var wg sync.WaitGroup
	for _, p := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sum naivePanel
			var errs []string
			for _, q := range p.queries {
				r, err := e.query(ctx, q, now.Add(-p.from), now.Add(-p.to), now, p.width)
				sum.rows, sum.texts, sum.groups = sum.rows+r.rows, sum.texts+r.texts, sum.groups+r.groups
				if err != nil {
					errs = append(errs, p.title+": "+err.Error())
				}
			}
			mu.Lock()
			defer mu.Unlock()
			panels[p.title] = sum
			failed = append(failed, errs...)
		}()
	}
	wg.Wait()
	return e.calls.Load() - before, time.Since(start), panels, failed
}

// query answers one panel query the generic way.
func (e *naiveEnv) query(ctx context.Context, q map[string]any, from, to, now time.Time, width int) (naivePanel, error) {
	qt, _ := q["queryType"].(string)
	filter := naiveFilter(q)
	switch qt {
	case "messageCounts":
		interval := time.Duration(0)
		if q["format"] == "timeseries" {
			interval = grafanaInterval(to.Sub(from), width)
		}
		groupBy, _ := q["groupBy"].(string)
		return e.count(ctx, odata.And(window(from, to), filter), groupBy, interval)
	case "stuckMessages":
		minutes := 60
		if m, ok := q["stuckMinutes"].(float64); ok && m >= 1 {
			minutes = int(m)
		}
		limit := now.Add(-time.Duration(minutes) * time.Minute)
		if limit.After(to) {
			limit = to
		}
		stuck := odata.Or(odata.Eq("Status", "PROCESSING"), odata.Eq("Status", "RETRY"))
		return e.count(ctx, odata.And("LogStart ge "+odata.DateTimeLiteral(from), "LogStart lt "+odata.DateTimeLiteral(limit), stuck, filter), "iflow", 0)
	case "errorGroups":
		return e.failures(ctx, odata.And(window(from, to), odata.Eq("Status", "FAILED"), filter), nil)
	case "messages":
		maxRows := 10_000
		if m, ok := q["maxRows"].(float64); ok && m >= 1 {
			maxRows = int(m)
		}
		withText, _ := q["withErrorText"].(bool)
		return e.list(ctx, odata.And(window(from, to), filter), maxRows, withText)
	case "artifacts":
		var p naivePanel
		_, err := follow(ctx, e.c, "IntegrationRuntimeArtifacts", nil, func(*map[string]any) bool { p.rows++; return true }, nil)
		return p, err
	}
	return naivePanel{}, fmt.Errorf("no naive path for query type %q", qt)
}

// naiveFilter translates the panel's message filters into a $filter term ("" when there is none).
func naiveFilter(q map[string]any) string {
	var terms []string
	for _, f := range []struct{ key, path string }{{"statuses", "Status"}, {"iflows", "IntegrationArtifact/Id"}, {"packages", "IntegrationArtifact/PackageId"}} {
		vals, _ := q[f.key].([]any)
		var or []string
		for _, v := range vals {
			if s, ok := v.(string); ok && s != "" {
				or = append(or, odata.Eq(f.path, s))
			}
		}
		if len(or) > 0 {
			terms = append(terms, odata.Or(or...))
		}
	}
	return odata.And(terms...)
}

// count lists every row of filter and counts them per group (and per interval for a time series).
func (e *naiveEnv) count(ctx context.Context, filter, groupBy string, interval time.Duration) (naivePanel, error) {
	var p naivePanel
	counts := map[string]int{}
	_, err := follow(ctx, e.c, "MessageProcessingLogs", url.Values{"$filter": {filter}}, func(r *fullRow) bool {
		p.rows++
		key := r.Status
		if groupBy == "iflow" {
			key = r.IntegrationArtifact.ID
		}
		if interval > 0 {
			key += "@" + r.LogEnd.Truncate(interval).Format(time.RFC3339)
		}
		counts[key]++
		return true
	}, nil)
	p.groups = len(counts)
	return p, err
}

// list lists the newest maxRows rows of filter, with the error text of each failed one when asked.
func (e *naiveEnv) list(ctx context.Context, filter string, maxRows int, withText bool) (naivePanel, error) {
	var p naivePanel
	var failed []string
	_, err := follow(ctx, e.c, "MessageProcessingLogs", url.Values{"$filter": {filter}, "$orderby": {"LogEnd desc"}}, func(r *fullRow) bool {
		p.rows++
		if withText && r.Status == "FAILED" {
			failed = append(failed, r.MessageGuid)
		}
		return p.rows < maxRows
	}, nil)
	if err != nil || len(failed) == 0 {
		return p, err
	}
	t, err := e.failures(ctx, "", failed)
	p.texts, p.groups = t.texts, t.groups
	return p, err
}

// failures reads the error text of every failed message (those of filter, or guids) and groups them by
// text.
func (e *naiveEnv) failures(ctx context.Context, filter string, guids []string) (naivePanel, error) {
	var p naivePanel
	if filter != "" {
		_, err := follow(ctx, e.c, "MessageProcessingLogs", url.Values{"$filter": {filter}}, func(r *fullRow) bool {
			p.rows++
			guids = append(guids, r.MessageGuid)
			return true
		}, nil)
		if err != nil {
			return p, err
		}
	}
	groups := map[string]int{}
	var mu sync.Mutex
	var next atomic.Int64
	var firstErr error
	var wg sync.WaitGroup
	for range min(naiveTextWorkers, len(guids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(guids) || ctx.Err() != nil {
					return
				}
				text, err := errorText(ctx, e.c, guids[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				p.texts++
				groups[text]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	p.groups = len(groups)
	return p, firstErr
}
