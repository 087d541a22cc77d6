package messages

// The row store (rowstore.go) answers when it holds the range or may read it for every panel at once;
// otherwise the cheapest of three strategies runs, chosen from a probe (the first page of the window with
// $inlinecount, which answers small windows by itself):
//   - count: one $count per group and bucket (groups × buckets requests); wins for one number per group
//     over a busy range (8 statuses → 8 requests, whatever the volume);
//   - rows: $select of the 3–4 fields needed, aggregated locally (about one request per 1000 messages);
//     wins for fine time series and for groups that cannot be enumerated (packages, senders, receivers);
//   - count+rows (status time series): one $count per status first; the busy statuses (e.g. COMPLETED)
//     are counted per bucket, the rare ones read as rows.
// The strategy that ran is in the frame meta (Custom.strategy) with the request count.

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Strategy names recorded in the frame meta.
const (
	StrategyProbe     = "probe"      // the probe held every message
	StrategyRows      = "rows"       // $select + local aggregation
	StrategyCount     = "count"      // $count per group and bucket
	StrategyCountRows = "count+rows" // $count per status; busy statuses per bucket, rare ones as rows
)

// countsSpec is a counting job, shared by messageCounts and stuckMessages.
type countsSpec struct {
	filters   *filterSet
	timeField string
	w         window
	extra     []string
	groupBy   string
	b         *buckets // nil: one number per group
	known     []group  // zero-filled groups (in order)
	// onlyKnown: the count strategy may count the known groups one by one (they are exhaustive enough).
	countable bool
}

// countGroups runs the cheapest strategy and returns the counts, zero-filled for spec.known.
func (r *run) countGroups(ctx context.Context, s countsSpec) (*groupCounts, error) {
	nb := 1
	if s.b != nil {
		nb = s.b.n
	}
	out := newGroupCounts(nb)
	for _, k := range s.known {
		out.add(k, 0, 0)
	}
	if s.w.empty() {
		r.set("strategy", StrategyProbe)
		return out, nil
	}
	scan := scanSpec{filters: s.filters, timeField: s.timeField, w: s.w, extra: s.extra,
		fields: append([]string{s.timeField}, fieldsFor(s.groupBy)...), align: time.Minute}
	if s.b != nil {
		scan.align = s.b.width
	}
	aggregate := func(target *groupCounts) func([]mplRow) error {
		return func(rows []mplRow) error {
			for i := range rows {
				m := &rows[i]
				bi := 0
				if s.b != nil {
					t := m.LogEnd.Time
					if s.timeField == "LogStart" {
						t = m.LogStart.Time
					}
					if bi = s.b.index(t); bi < 0 {
						continue
					}
				}
				target.addRow(s.groupBy, m, bi, 1)
			}
			return nil
		}
	}
	if _, ok, err := r.fromStore(ctx, scan, aggregate(out)); ok {
		return out, err
	}
	p, err := r.probe(ctx, scan)
	if err != nil {
		return nil, err
	}
	r.set("messages", p.total)
	if p.complete(0) {
		r.set("strategy", StrategyProbe)
		_, err := r.scan(ctx, scan, p, aggregate(out))
		return out, err
	}

	pages := int((p.total + cpi.MaxPageSize - 1) / cpi.MaxPageSize)
	rowsCost := pages + (int(p.total)+sliceRows-1)/sliceRows
	countCost := math.MaxInt
	if s.countable && len(s.filters.local) == 0 && len(s.known) > 0 {
		countCost = len(s.known) * nb
	}
	mixedFloor := math.MaxInt
	if s.countable && s.groupBy == GroupStatus && nb > 1 && len(s.filters.local) == 0 {
		mixedFloor = len(s.known) + nb + 1
	}
	r.set("estimatedRequests", map[string]int{"rows": rowsCost, "count": min(countCost, 1<<30)})
	switch {
	case countCost <= rowsCost && countCost <= mixedFloor:
		r.set("strategy", StrategyCount)
		err = r.countCells(ctx, s, s.known, nb, out)
		if err == nil {
			r.checkTotal(out, p.total, s.groupBy)
		}
		return out, err
	case mixedFloor < rowsCost:
		return out, r.countMixed(ctx, s, scan, out, aggregate)
	}
	r.set("strategy", StrategyRows)
	_, err = r.scan(ctx, scan, p, aggregate(out))
	return out, err
}

// cellFilter is the filter set and extra term that select one group.
func (s countsSpec) cellFilter(g group) (*filterSet, []string) {
	switch s.groupBy {
	case GroupStatus:
		return s.filters.withStatuses([]string{g.key}), s.extra
	case GroupIFlow:
		return s.filters, append(slices.Clone(s.extra), odata.Eq("IntegrationArtifact/Id", g.key))
	}
	return s.filters, s.extra
}

// countCells asks one $count per group and bucket, in parallel (the client bounds the requests).
func (r *run) countCells(ctx context.Context, s countsSpec, groups []group, nb int, out *groupCounts) error {
	type cell struct {
		g group
		b int
	}
	cells := make([]cell, 0, len(groups)*nb)
	for _, g := range groups {
		for b := 0; b < nb; b++ {
			cells = append(cells, cell{g, b})
		}
	}
	var mu sync.Mutex
	return forEachLimit(ctx, len(cells), 16, func(ctx context.Context, i int) error {
		c := cells[i]
		w := s.w
		if s.b != nil {
			w = s.b.bucket(c.b)
		}
		fs, extra := s.cellFilter(c.g)
		n, err := r.count(r.reqCtx(ctx, w), fs.query(s.timeField, w, extra...))
		if err != nil {
			return err
		}
		mu.Lock()
		out.add(c.g, c.b, float64(n))
		mu.Unlock()
		return nil
	})
}

// countMixed: one $count per status over the whole window; statuses with more pages than buckets are
// counted per bucket, the others read as rows in one listing.
func (r *run) countMixed(ctx context.Context, s countsSpec, scan scanSpec, out *groupCounts,
	aggregate func(*groupCounts) func([]mplRow) error) error {
	totals := make([]int64, len(s.known))
	err := forEachLimit(ctx, len(s.known), 16, func(ctx context.Context, i int) error {
		fs, extra := s.cellFilter(s.known[i])
		n, err := r.count(r.reqCtx(ctx, s.w), fs.query(s.timeField, s.w, extra...))
		totals[i] = n
		return err
	})
	if err != nil {
		return err
	}
	var busy []group
	var rare []string
	var rareTotal int64
	for i, g := range s.known {
		switch {
		case totals[i] == 0:
		case int((totals[i]+cpi.MaxPageSize-1)/cpi.MaxPageSize) > s.b.n:
			busy = append(busy, g)
		default:
			rare = append(rare, g.key)
			rareTotal += totals[i]
		}
	}
	r.set("strategy", StrategyCountRows)
	r.set("countedStatuses", keysOf(busy))
	r.set("rowStatuses", rare)
	if len(busy) > 0 {
		if err := r.countCells(ctx, s, busy, s.b.n, out); err != nil {
			return err
		}
	}
	if len(rare) > 0 {
		sub := scan
		sub.filters = s.filters.withStatuses(rare)
		p := probeResult{total: rareTotal}
		if rareTotal <= cpi.MaxPageSize {
			// Small enough for one page: the probe is the whole answer.
			var err error
			if p, err = r.probe(ctx, sub); err != nil {
				return err
			}
		}
		if _, err := r.scan(ctx, sub, p, aggregate(out)); err != nil {
			return err
		}
	}
	return nil
}

// checkTotal explains a gap between the counted groups and the probe's total (messages of iFlows that
// are no longer deployed, or a status this plugin does not know).
func (r *run) checkTotal(out *groupCounts, total int64, groupBy string) {
	var sum float64
	for _, c := range out.counts {
		for _, v := range c {
			sum += v
		}
	}
	if missing := total - int64(sum); missing > 0 {
		what := "of groups this query does not list"
		if groupBy == GroupIFlow {
			what = "of iFlows that are not deployed (any more)"
		}
		r.notice(data.NoticeSeverityInfo, "%d of the %d messages in the range belong to none of the series shown: they are messages %s. Use the table format to see every group.", missing, total, what)
	}
}
