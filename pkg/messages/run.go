// Package messages answers the five message query types (messages, messageCounts, messageDurations,
// errorGroups, stuckMessages) from MessageProcessingLogs, asking the tenant as little as possible: $count
// where a number is all that is needed, $select of the two or three fields an aggregation needs, parallel
// $skip pages inside time slices, error texts only for the rows shown (bounded, cached by message id),
// and the client's deduplication and short cache for closed windows.
//
// Files: filter.go (time window and filters), run.go (request log and frame meta), store.go (what the
// queries of a tenant share), rowstore.go, rowstore_fill.go and rowstore_read.go (the tenant's rows by
// minute), scan.go (reading rows: probe, time slices, parallel pages), scan_capped.go (the slices a row
// cap needs, at once), mplrow_json.go and mplpage_json.go (decoding rows and pages of rows), list.go and
// list_columns.go (messages), counts.go
// (messageCounts), durations.go and durations_frames.go (messageDurations), errorgroups.go and signature.go
// (errorGroups), stuck.go (stuckMessages), landscape.go (deployed iFlows, packages, senders and receivers),
// frames.go (frame helpers), answer.go (each type in one call). Each type has a fetch step (FetchCounts …)
// that returns its result (CountsResult …) and a frames step (CountsFrames …) for the format the fetch
// resolved.
package messages

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
)

// mplPath is the entity set every message query reads.
const mplPath = "MessageProcessingLogs"

// maxLoggedRequests bounds the request list in the Query inspector; the count is always exact.
const maxLoggedRequests = 60

// run is one query's bookkeeping: the requests it made (for the Query inspector), how many the cache
// answered, notices and facts for the frame meta. Safe for concurrent use.
type run struct {
	st  *Store
	c   *cpi.Client
	now time.Time
	mu  sync.Mutex

	requests []string
	cached   int
	notices  []data.Notice
	custom   map[string]any
}

func newRun(st *Store, now time.Time) *run {
	return &run{st: st, c: st.c, now: now, custom: map[string]any{}}
}

// reqCtx marks the context of a request about window w, by the settle rule: SAP writes a log when the
// message's step ends (a log can appear after its LogEnd) and a RETRY message moves its LogEnd forward
// at each retry, so the answer about a recent window still changes. A window that ended at least
// settleAfter ago is settled: its answer is reused for settledTTL (slices and buckets are aligned to
// absolute time, so a refresh asks again only for the open edge). A window that ended at least
// closedAfter ago is reused for the client's default TTL (30 s: the panels of one refresh). Any request
// shares the answer of an identical one in flight (another panel of the same dashboard).
func (r *run) reqCtx(ctx context.Context, w window) context.Context {
	switch {
	case w.settled(r.now):
		return cpi.CacheFor(ctx, settledTTL)
	case w.closed(r.now):
		return cpi.CacheFor(ctx, 0)
	}
	return cpi.Shareable(ctx)
}

// scanCtx is reqCtx for the requests of a scan, which may allow an open window's answer to be shared
// for a while (scanSpec.shared).
func (r *run) scanCtx(ctx context.Context, s scanSpec, w window) context.Context {
	if s.uncached {
		return cpi.Shareable(ctx)
	}
	if s.shared > 0 && !w.closed(r.now) {
		return cpi.CacheFor(ctx, s.shared)
	}
	return r.reqCtx(ctx, w)
}

func (r *run) record(resp *cpi.Response) {
	if resp == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, resp.URL)
	if resp.Cached {
		r.cached++
	}
}

// recordList records a listing's requests; a listing whose pages fell short of the tenant's count is
// said once per query (the caps of message queries are worded by the query types themselves).
func (r *run) recordList(res cpi.ListResult) {
	r.mu.Lock()
	r.requests = append(r.requests, res.Requests...)
	r.cached += res.Cached
	r.mu.Unlock()
	if res.Incomplete {
		r.countNotice()
	}
}

func (r *run) countNotice() {
	r.notice(data.NoticeSeverityWarning, "The tenant counted more messages than its pages held: the result may be incomplete.")
}

func (r *run) notice(sev data.NoticeSeverity, format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	text := fmt.Sprintf(format, a...)
	for _, n := range r.notices {
		if n.Text == text {
			return
		}
	}
	r.notices = append(r.notices, data.Notice{Severity: sev, Text: text})
}

func (r *run) addNotice(n *data.Notice) {
	if n != nil {
		r.notice(n.Severity, "%s", n.Text)
	}
}

func (r *run) set(key string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.custom[key] = v
}

// addStat adds n to a counting fact of the frame meta.
func (r *run) addStat(key string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, _ := r.custom[key].(int)
	r.custom[key] = v + n
}

// requestCount is the number of GETs the query made so far (cache hits included).
func (r *run) requestCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

// count is one /$count with bookkeeping.
func (r *run) count(ctx context.Context, q url.Values) (int64, error) {
	n, resp, err := r.c.Count(ctx, mplPath+"/$count", q)
	r.record(resp)
	return n, err
}

// meta builds the frame meta: the requests (the first ones, when there are many), their exact number,
// how many the cache answered, the notices, and Custom facts (e.g. the counting strategy).
func (r *run) meta() *data.FrameMeta {
	r.mu.Lock()
	defer r.mu.Unlock()
	logged := r.requests
	if len(logged) > maxLoggedRequests {
		logged = append(append([]string{}, r.requests[:maxLoggedRequests]...),
			fmt.Sprintf("… and %d more requests (%d in total)", len(r.requests)-maxLoggedRequests, len(r.requests)))
	}
	m := frames.Meta(logged, r.notices...)
	m.Stats[0].Value = float64(len(r.requests))
	m.Stats = append(m.Stats, data.QueryStat{FieldConfig: data.FieldConfig{DisplayName: "OData requests answered by the cache"}, Value: float64(r.cached)})
	if len(r.custom) > 0 {
		custom := map[string]any{}
		keys := make([]string, 0, len(r.custom))
		for k := range r.custom {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			custom[k] = r.custom[k]
		}
		custom["requests"] = len(r.requests)
		custom["cachedRequests"] = r.cached
		m.Custom = custom
	}
	return m
}
