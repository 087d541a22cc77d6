package calm

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// Range is what a query's window depends on: Grafana's time range, interval and maximum number of points.
type Range struct {
	From, To      time.Time
	Interval      time.Duration
	MaxDataPoints int64
}

// Query is one calmMetrics query of a request.
type Query struct {
	RefID   string
	Options models.CalmMetricsQuery
	Range   Range
}

// Plan normalises and validates a query and returns the window it is sent in.
func Plan(q models.CalmMetricsQuery, r Range, reg *Registry) (models.CalmMetricsQuery, Window, error) {
	q = Normalize(q)
	if err := Validate(q, reg); err != nil {
		return q, Window{}, err
	}
	from, to := r.From.UTC(), r.To.UTC()
	if !to.After(from) {
		return q, Window{}, fmt.Errorf("the time range is empty (from %s to %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	// Cloud ALM reads from/to to the second.
	from, to = from.Truncate(time.Second), to.Truncate(time.Second)
	return q, Window{Format: q.Format, From: from, To: to, Resolution: Resolution(r.Interval, to.Sub(from), r.MaxDataPoints)}, nil
}

// Batch sends the calmMetrics queries of one request that share a window in one POST (Cloud ALM answers
// several queries per request, index-aligned): the first query of a window sends it for all, the others
// wait for its result.
type Batch struct {
	queries []Query
	mu      sync.Mutex
	calls   map[string]*batchCall
}

type batchCall struct {
	done    chan struct{}
	results map[string]Result
}

// NewBatch is the batch of a request's calmMetrics queries, in request order.
func NewBatch(queries []Query) *Batch {
	return &Batch{queries: queries, calls: map[string]*batchCall{}}
}

// Answer returns q's result. With a batch, q goes to Cloud ALM with the siblings of its window; without
// one (nil), or when q is not among them, it is sent alone.
func (b *Batch) Answer(ctx context.Context, c cpi.Source, reg *Registry, q Query, tenant string) Result {
	opts, window, err := Plan(q.Options, q.Range, reg)
	if err != nil {
		return Result{Err: err}
	}
	run := func(items []Item) map[string]Result {
		return Run(ctx, c, reg, window, items, tenant)
	}
	if b != nil {
		results, err := b.run(ctx, window.Key(), func() map[string]Result {
			return run(b.siblings(reg, window))
		})
		if err != nil {
			return Result{Err: &WaitError{Err: err}}
		}
		if res, ok := results[q.RefID]; ok {
			return res
		}
	}
	return run([]Item{{RefID: q.RefID, Query: opts}})[q.RefID]
}

// WaitError says the query's context ended while it waited for the request it shares with other queries.
type WaitError struct{ Err error }

func (e *WaitError) Error() string {
	return "the query was cancelled while waiting for the Cloud ALM request it shares with other queries: " + e.Err.Error()
}

func (e *WaitError) Unwrap() error { return e.Err }

// run returns the results of the window's request, sending it when this query is the first of its window.
// A query waiting for another one's request stops waiting when its own context ends.
func (b *Batch) run(ctx context.Context, key string, fn func() map[string]Result) (map[string]Result, error) {
	b.mu.Lock()
	if call, ok := b.calls[key]; ok {
		b.mu.Unlock()
		select {
		case <-call.done:
			return call.results, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &batchCall{done: make(chan struct{})}
	b.calls[key] = call
	b.mu.Unlock()
	defer close(call.done)
	call.results = fn()
	return call.results, nil
}

// siblings are the batch's queries (in request order) that plan to window w; queries that do not plan
// (invalid, missing a required filter) are answered on their own with their error.
func (b *Batch) siblings(reg *Registry, w Window) []Item {
	var items []Item
	for _, q := range b.queries {
		if q.RefID == "" {
			continue
		}
		planned, qw, err := Plan(q.Options, q.Range, reg)
		if err != nil || qw.Key() != w.Key() {
			continue
		}
		items = append(items, Item{RefID: q.RefID, Query: planned})
	}
	return items
}
