package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/messages"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// outcome summarises an answer, to check it against the tenant and to compare both approaches.
type outcome struct {
	total  float64 // messages counted / rows listed / failures grouped
	groups int
	detail string
}

func (o outcome) String() string {
	if o.groups == 0 {
		return fmt.Sprintf("%.0f rows", o.total)
	}
	return fmt.Sprintf("%.0f in %d groups", o.total, o.groups)
}

// scenario is one piece of work done both ways.
type scenario struct {
	id, title string
	from, to  time.Time
	ours      func(ctx context.Context, st *messages.Store) (outcome, error)
	naive     func(ctx context.Context, n *naiveRun) (outcome, error)
	// followUp runs after the measurement with the same client (e.g. the next alert evaluation).
	followUp func(ctx context.Context, st *messages.Store) (string, error)
}

// naivePlan is what the naive run needs in full, from the tenant's own counts: pages (rows/1000),
// per-row calls, the rows it holds; reference is the tenant's answer (for the check column).
type naivePlan struct {
	pages, perRowCalls, rows int64
	reference                float64
}

func scenarios(cfg config) []scenario {
	now := cfg.now
	day := window(now.Add(-24*time.Hour), now)
	rg := func(from time.Time, interval time.Duration) messages.Range {
		return messages.Range{From: from, To: now, Interval: interval, MaxDataPoints: 2000, Now: now}
	}
	failed := odata.Eq("Status", "FAILED")
	listFrom := now.Add(-4 * time.Hour)
	alertFrom := now.Add(-5 * time.Minute)
	return []scenario{
		{id: "a", title: "messageCounts by status, 24 h, 5-minute buckets", from: now.Add(-24 * time.Hour), to: now,
			ours: func(ctx context.Context, st *messages.Store) (outcome, error) {
				f, err := messages.Counts(ctx, st, rg(now.Add(-24*time.Hour), 5*time.Minute), models.MessageCountsQuery{GroupBy: messages.GroupStatus, Format: models.FormatTimeSeries}, "SIM")
				return framesOutcome(f, err)
			},
			naive: func(ctx context.Context, n *naiveRun) (outcome, error) {
				buckets := map[string]int{}
				err := n.pages(ctx, url.Values{"$filter": {day}}, 0, func(r *fullRow) {
					buckets[r.Status+"@"+r.LogEnd.Truncate(5*time.Minute).Format(time.RFC3339)]++
				})
				return outcome{total: float64(n.rows), groups: len(buckets)}, err
			}},
		{id: "b", title: "messageCounts by iFlow, 24 h (one number per iFlow)", from: now.Add(-24 * time.Hour), to: now,
			ours: func(ctx context.Context, st *messages.Store) (outcome, error) {
				f, err := messages.Counts(ctx, st, rg(now.Add(-24*time.Hour), 5*time.Minute), models.MessageCountsQuery{GroupBy: messages.GroupIFlow, Format: models.FormatNumeric}, "SIM")
				return framesOutcome(f, err)
			},
			naive: func(ctx context.Context, n *naiveRun) (outcome, error) {
				per := map[string]int{}
				err := n.pages(ctx, url.Values{"$filter": {day}}, 0, func(r *fullRow) { per[r.IntegrationArtifact.ID]++ })
				return outcome{total: float64(n.rows), groups: len(per)}, err
			}},
		{id: "c", title: fmt.Sprintf("message list, %d rows (newest of 4 h)", cfg.listRows), from: listFrom, to: now,
			ours: func(ctx context.Context, st *messages.Store) (outcome, error) {
				f, err := messages.List(ctx, st, rg(listFrom, time.Minute), models.MessagesQuery{MaxRows: &cfg.listRows}, "SIM")
				if err != nil {
					return outcome{}, err
				}
				return outcome{total: float64(f[0].Rows()), detail: fmt.Sprintf("with the error texts of %d failed rows", metaInt(f, "errorTextRequests"))}, nil
			},
			naive: func(ctx context.Context, n *naiveRun) (outcome, error) {
				var keep []fullRow
				err := n.pages(ctx, url.Values{"$filter": {window(listFrom, now)}, "$orderby": {"LogEnd desc"}}, cfg.listRows,
					func(r *fullRow) { keep = append(keep, *r) })
				return outcome{total: float64(len(keep)), detail: "no error texts"}, err
			}},
		{id: "d", title: "errorGroups, 24 h", from: now.Add(-24 * time.Hour), to: now,
			ours: func(ctx context.Context, st *messages.Store) (outcome, error) {
				f, err := messages.ErrorGroups(ctx, st, rg(now.Add(-24*time.Hour), time.Minute), models.ErrorGroupsQuery{}, "SIM")
				if err != nil {
					return outcome{}, err
				}
				counts, _ := f[0].FieldByName("count")
				total := 0.0
				for i := 0; i < counts.Len(); i++ {
					total += counts.At(i).(float64)
				}
				return outcome{total: total, groups: f[0].Rows(), detail: fmt.Sprintf("%d error texts read (budget 500), the rest estimated per iFlow", metaInt(f, "errorTextRequests"))}, nil
			},
			naive: func(ctx context.Context, n *naiveRun) (outcome, error) {
				var rows []fullRow
				err := n.pages(ctx, url.Values{"$filter": {odata.And(day, failed)}}, 0, func(r *fullRow) { rows = append(rows, *r) })
				if err != nil {
					return outcome{total: float64(len(rows))}, err
				}
				groups := map[string]int{}
				for i := range rows {
					text, err := n.text(ctx, rows[i].MessageGuid)
					if err != nil {
						return outcome{total: float64(len(rows)), groups: len(groups)}, err
					}
					groups[text]++
				}
				return outcome{total: float64(len(rows)), groups: len(groups), detail: "every error text, raw text as group"}, nil
			}},
		{id: "e", title: "alert: failed messages per iFlow, last 5 minutes", from: alertFrom, to: now,
			ours: func(ctx context.Context, st *messages.Store) (outcome, error) {
				q := models.MessageCountsQuery{GroupBy: messages.GroupIFlow, Format: models.FormatNumeric,
					MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}}
				f, err := messages.Counts(ctx, st, rg(alertFrom, time.Minute), q, "SIM")
				o, err := framesOutcome(f, err)
				o.detail = "zero-filled: every deployed iFlow"
				return o, err
			},
			// The next evaluation (a minute later in Grafana) reuses the deployed-iFlow list (5 minutes).
			followUp: func(ctx context.Context, st *messages.Store) (string, error) {
				q := models.MessageCountsQuery{GroupBy: messages.GroupIFlow, Format: models.FormatNumeric,
					MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}}
				f, err := messages.Counts(ctx, st, rg(alertFrom, time.Minute), q, "SIM")
				if err != nil {
					return "", err
				}
				custom := f[0].Meta.Custom.(map[string]any)
				return fmt.Sprintf("the next evaluations make %d call(s)", custom["requests"].(int)-custom["cachedRequests"].(int)), nil
			},
			naive: func(ctx context.Context, n *naiveRun) (outcome, error) {
				per := map[string]int{}
				err := n.pages(ctx, url.Values{"$filter": {odata.And(window(alertFrom, now), failed)}}, 0, func(r *fullRow) { per[r.IntegrationArtifact.ID]++ })
				return outcome{total: float64(n.rows), groups: len(per), detail: "only iFlows with failures"}, err
			}},
	}
}

// metaInt reads an integer the plugin put into the first frame's meta.
func metaInt(frames data.Frames, key string) int {
	if len(frames) == 0 || frames[0].Meta == nil {
		return 0
	}
	custom, _ := frames[0].Meta.Custom.(map[string]any)
	n, _ := custom[key].(int)
	return n
}

func window(from, to time.Time) string {
	return odata.And("LogEnd ge "+odata.DateTimeLiteral(from), "LogEnd lt "+odata.DateTimeLiteral(to))
}

// framesOutcome sums the numeric fields of numeric or time-series frames.
func framesOutcome(frames data.Frames, err error) (outcome, error) {
	if err != nil {
		return outcome{}, err
	}
	o := outcome{}
	for _, f := range frames {
		for _, fld := range f.Fields {
			if !fld.Type().Numeric() {
				continue
			}
			o.groups++
			for i := 0; i < fld.Len(); i++ {
				if v, ok := fld.ConcreteAt(i); ok {
					o.total += v.(float64)
				}
			}
		}
	}
	if len(frames) > 0 && frames[0].Meta != nil {
		if c, ok := frames[0].Meta.Custom.(map[string]any); ok {
			if s, ok := c["strategy"].(string); ok {
				o.detail = "strategy " + s
			}
		}
	}
	return o, nil
}

// plan computes what the naive run needs in full, from the tenant's own counts.
func (e *env) plan(ctx context.Context, s scenario) (naivePlan, error) {
	switch s.id {
	case "a", "b":
		n, err := e.count(ctx, window(s.from, s.to))
		return naivePlan{pages: pages(n), rows: n, reference: float64(n)}, err
	case "c":
		n, err := e.count(ctx, window(s.from, s.to))
		rows := min(n, int64(e.cfg.listRows))
		return naivePlan{pages: pages(rows), rows: rows, reference: float64(rows)}, err
	case "d":
		n, err := e.count(ctx, odata.And(window(s.from, s.to), odata.Eq("Status", "FAILED")))
		return naivePlan{pages: pages(n), perRowCalls: n, rows: n, reference: float64(n)}, err
	case "e":
		n, err := e.count(ctx, odata.And(window(s.from, s.to), odata.Eq("Status", "FAILED")))
		return naivePlan{pages: max(pages(n), 1), rows: n, reference: float64(n)}, err
	}
	return naivePlan{}, fmt.Errorf("unknown scenario %s", s.id)
}

func pages(rows int64) int64 { return max((rows+cpi.MaxPageSize-1)/cpi.MaxPageSize, 1) }

// fullRow is every property of a MessageProcessingLog, as a client without $select receives it (typed:
// lighter than the generic maps a JSON data source keeps, so the naive heap figures are conservative).
type fullRow struct {
	Metadata struct {
		ID, URI, Type string
	} `json:"__metadata"`
	MessageGuid, CorrelationID, ApplicationMessageID, PredecessorMessageGuid, ApplicationMessageType string
	LogStart, LogEnd                                                                                 odata.Time
	Sender, Receiver, IntegrationFlowName, Status, AlternateWebLink                                  string
	IntegrationArtifact                                                                              struct{ ID, Name, Type, PackageID, PackageName string }
	LogLevel, CustomStatus, ArchivingStatus                                                          string
	ArchivingSenderChannelMessages, ArchivingReceiverChannelMessages, ArchivingLogAttachments        any
	ArchivingPersistedMessages                                                                       any
	TransactionID, PreviousComponentName, LocalComponentName, OriginComponentName                    string
}

// naiveRun is the generic way: one page after the other by __next, every field, within a time budget.
type naiveRun struct {
	c        *cpi.Client
	deadline time.Time
	rows     int
	calls    int
	stopped  bool
}

var errBudget = errors.New("naive budget exhausted")

func (n *naiveRun) over() bool {
	if time.Now().After(n.deadline) {
		n.stopped = true
		return true
	}
	return false
}

// pages follows __next from the first page of q (limit > 0: stop after that many rows).
func (n *naiveRun) pages(ctx context.Context, q url.Values, limit int, fn func(*fullRow)) error {
	calls, err := follow(ctx, n.c, "MessageProcessingLogs", q, func(r *fullRow) bool {
		if limit > 0 && n.rows >= limit {
			return false
		}
		n.rows++
		fn(r)
		return limit <= 0 || n.rows < limit
	}, func() error {
		if n.over() {
			return errBudget
		}
		return nil
	})
	n.calls += calls
	return err
}

// follow is a generic client's paging: the first page of path?q, then __next after __next, one page at
// a time, every row decoded as T; fn returns false to stop, beforeNext (optional) may stop before a page.
func follow[T any](ctx context.Context, c *cpi.Client, path string, q url.Values, fn func(*T) bool, beforeNext func() error) (calls int, err error) {
	resp, err := c.Get(ctx, path, q)
	for {
		calls++
		if err != nil {
			return calls, err
		}
		col, derr := odata.DecodeCollection[T](bytes.NewReader(resp.Body))
		if derr != nil {
			return calls, derr
		}
		for i := range col.Results {
			if !fn(&col.Results[i]) {
				return calls, nil
			}
		}
		if col.Next == "" {
			return calls, nil
		}
		if beforeNext != nil {
			if err := beforeNext(); err != nil {
				return calls, err
			}
		}
		next, rerr := odata.ResolveNext(c.ServiceRoot(), col.Next)
		if rerr != nil {
			return calls, rerr
		}
		resp, err = c.GetURL(ctx, next)
	}
}

// text reads one error text (one call per failed message: the only way to group by it).
func (n *naiveRun) text(ctx context.Context, guid string) (string, error) {
	if n.over() {
		return "", errBudget
	}
	n.calls++
	return errorText(ctx, n.c, guid)
}

// errorText reads the error text of one message; a message without one has the empty text.
func errorText(ctx context.Context, c *cpi.Client, guid string) (string, error) {
	resp, err := c.Get(ctx, "MessageProcessingLogs("+odata.StringLiteral(guid)+")/ErrorInformation/$value", nil)
	if err != nil {
		if cpi.IsKind(err, cpi.KindEntityNotFound) {
			return "", nil
		}
		return "", err
	}
	return string(resp.Body), nil
}

// row is one line pair of the table.
type row struct {
	s          scenario
	ours       measurement
	oursOut    outcome
	naive      measurement
	naiveOut   outcome
	plan       naivePlan
	stopped    bool
	estCalls   int64
	estWall    time.Duration
	estHeap    uint64
	naiveCalls int
}

func (e *env) runScenario(ctx context.Context, s scenario) (row, error) {
	r := row{s: s}
	var err error
	if r.plan, err = e.plan(ctx, s); err != nil {
		return r, err
	}
	c, err := e.client()
	if err != nil {
		return r, err
	}
	st := messages.NewStore(c)
	r.ours, err = e.measure(ctx, func(ctx context.Context) error {
		var err error
		r.oursOut, err = s.ours(ctx, st)
		return err
	})
	if err == nil && s.followUp != nil {
		var more string
		if more, err = s.followUp(ctx, st); err == nil {
			r.oursOut.detail += "; " + more
		}
	}
	c.Close()
	if err == nil && e.cfg.replay {
		err = e.replayOurs(ctx, s, &r)
	}
	if err != nil {
		return r, err
	}
	nc, err := e.client()
	if err != nil {
		return r, err
	}
	defer nc.Close()
	n := &naiveRun{c: nc}
	r.naive, err = e.measure(ctx, func(ctx context.Context) error {
		n.deadline = time.Now().Add(e.cfg.naiveBudget)
		var err error
		r.naiveOut, err = s.naive(ctx, n)
		return err
	})
	if err != nil && !errors.Is(err, errBudget) {
		return r, err
	}
	r.stopped, r.naiveCalls = n.stopped, n.calls
	r.estCalls, r.estWall, r.estHeap = r.naive.calls, r.naive.wall, r.naive.peakHeap
	if r.stopped {
		need := r.plan.pages + r.plan.perRowCalls
		r.estCalls = need
		if n.calls > 0 {
			r.estWall = time.Duration(float64(r.naive.wall) * float64(need) / float64(n.calls))
		}
		if n.rows > 0 && r.plan.rows > int64(n.rows) {
			r.estHeap = uint64(float64(r.naive.peakHeap) * float64(r.plan.rows) / float64(n.rows))
		}
	}
	return r, nil
}

// replayOurs measures the plugin's run again against the answers of a run before it (see replay.go).
func (e *env) replayOurs(ctx context.Context, s scenario, r *row) error {
	m, misses, err := e.replay(ctx, func(ctx context.Context) error {
		c, err := e.client()
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = s.ours(ctx, messages.NewStore(c))
		return err
	})
	if err != nil {
		return err
	}
	r.oursOut.detail += fmt.Sprintf("; %s (CPU %s) against its recorded answers", dur(m.wall), dur(m.cpu))
	if misses > 0 {
		r.oursOut.detail += fmt.Sprintf(" (%d not recorded)", misses)
	}
	return nil
}

func ratio(naive, ours float64) string {
	if ours <= 0 || naive <= 0 {
		return "–"
	}
	x := naive / ours
	switch {
	case x >= 10:
		return fmt.Sprintf("%.0f×", math.Round(x))
	default:
		return fmt.Sprintf("%.1f×", x)
	}
}
