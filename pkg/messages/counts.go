package messages

// messageCounts: how many messages per group, as time series over the panel interval, as one number
// per group (alert rules) or as a table, zero-filled for the groups that are known to exist (every
// status; the deployed iFlows), so that silence is the value 0 and not "no data".
//
// The cheapest of three strategies runs, chosen from a probe (the first page of the window with
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
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Grouping values of messageCounts.
const (
	GroupStatus     = "status"
	GroupIFlow      = "iflow"
	GroupPackage    = "package"
	GroupSender     = "sender"
	GroupReceiver   = "receiver"
	GroupIFlowState = "iflowStatus"
	GroupNone       = "none" // messageDurations only
)

// Strategy names recorded in the frame meta.
const (
	StrategyProbe     = "probe"      // the probe held every message
	StrategyRows      = "rows"       // $select + local aggregation
	StrategyCount     = "count"      // $count per group and bucket
	StrategyCountRows = "count+rows" // $count per status; busy statuses per bucket, rare ones as rows
)

// maxBuckets bounds a time series (Grafana's own limit on points is far above; this bounds memory).
const maxBuckets = 11_000

// none is the label value for a message without a package, sender or receiver.
const none = "(none)"

// group identifies one series.
type group struct {
	key     string
	labels  data.Labels
	display string
	cols    []string // table columns (see groupColumns)
}

func groupColumns(kind string) []string {
	switch kind {
	case GroupIFlow:
		return []string{"iFlow", "iFlow id"}
	case GroupPackage:
		return []string{"package", "package id"}
	case GroupSender:
		return []string{"sender"}
	case GroupReceiver:
		return []string{"receiver"}
	case GroupIFlowState:
		return []string{"iFlow", "iFlow id", "status"}
	}
	return []string{"status"}
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func iflowGroup(id, name string) group {
	return group{key: id, labels: data.Labels{"iflow": id}, display: nameOr(name, id), cols: []string{nameOr(name, id), id}}
}

func statusGroup(s string) group {
	return group{key: s, labels: data.Labels{"status": s}, display: s, cols: []string{s}}
}

func iflowStatusGroup(id, name, status string) group {
	return group{key: id + "\x00" + status, labels: data.Labels{"iflow": id, "status": status},
		display: nameOr(name, id) + " · " + status, cols: []string{nameOr(name, id), id, status}}
}

// groupOf is the group of a message row.
func groupOf(kind string, m *mplRow) group {
	a := m.IntegrationArtifact
	switch kind {
	case GroupIFlow:
		return iflowGroup(orNone(a.ID), a.Name)
	case GroupPackage:
		id := orNone(a.PackageID)
		return group{key: id, labels: data.Labels{"package": id}, display: nameOr(a.PackageName, id), cols: []string{nameOr(a.PackageName, id), id}}
	case GroupSender:
		s := orNone(m.Sender)
		return group{key: s, labels: data.Labels{"sender": s}, display: s, cols: []string{s}}
	case GroupReceiver:
		s := orNone(m.Receiver)
		return group{key: s, labels: data.Labels{"receiver": s}, display: s, cols: []string{s}}
	case GroupIFlowState:
		return iflowStatusGroup(orNone(a.ID), a.Name, m.Status)
	}
	return statusGroup(m.Status)
}

// fieldsFor are the $select fields a grouping needs besides LogEnd/LogStart.
func fieldsFor(kind string) []string {
	switch kind {
	case GroupIFlow, GroupPackage:
		return []string{"IntegrationArtifact"}
	case GroupSender:
		return []string{"Sender"}
	case GroupReceiver:
		return []string{"Receiver"}
	case GroupIFlowState:
		return []string{"IntegrationArtifact", "Status"}
	}
	return []string{"Status"}
}

// buckets are the time series buckets: n buckets of width from start (a multiple of the width), clipped
// to the range [from, to): the first and last bucket may be partial and hold only the messages inside the
// range, and their points are stamped at the start of what they count (from for the first).
type buckets struct {
	start    time.Time
	width    time.Duration
	n        int
	from, to time.Time
}

// window is the range itself: SAP is never asked for the parts of the edge buckets outside it.
func (b buckets) window() window { return window{b.from, b.to} }

func (b buckets) index(t time.Time) int {
	if t.Before(b.from) || !t.Before(b.to) {
		return -1
	}
	i := int(t.Sub(b.start) / b.width)
	if i >= b.n {
		return -1
	}
	return i
}

func (b buckets) times() []time.Time {
	out := make([]time.Time, b.n)
	for i := range out {
		out[i] = b.bucket(i).from
	}
	return out
}

// bucket is bucket i clipped to the range.
func (b buckets) bucket(i int) window {
	s := b.start.Add(time.Duration(i) * b.width)
	e := s.Add(b.width)
	if s.Before(b.from) {
		s = b.from
	}
	if e.After(b.to) {
		e = b.to
	}
	return window{s, e}
}

// makeBuckets covers the range with buckets of the panel interval (whole minutes, at least one, and no
// more buckets than the panel's max data points), aligned to multiples of the width so that the buckets
// of consecutive refreshes coincide.
func makeBuckets(r Range) buckets {
	w := r.window()
	width := max(r.Interval, time.Minute)
	width = (width + time.Minute - 1) / time.Minute * time.Minute
	span := w.to.Sub(w.from)
	limit := int64(maxBuckets)
	if r.MaxDataPoints > 0 {
		limit = min(limit, r.MaxDataPoints)
	}
	if span/width > time.Duration(limit) {
		width = (span/time.Duration(limit) + time.Minute - 1) / time.Minute * time.Minute
	}
	start := w.from.Truncate(width)
	n := int((w.to.Sub(start) + width - 1) / width)
	return buckets{start: start, width: width, n: max(n, 1), from: w.from, to: w.to}
}

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

// groupCounts is the result: per group key, counts per bucket (or one count).
type groupCounts struct {
	groups map[string]group
	counts map[string][]float64
	nb     int
}

func newGroupCounts(nb int) *groupCounts {
	return &groupCounts{groups: map[string]group{}, counts: map[string][]float64{}, nb: nb}
}

func (g *groupCounts) add(gr group, bucket int, n float64) {
	c, ok := g.counts[gr.key]
	if !ok {
		c = make([]float64, g.nb)
		g.counts[gr.key] = c
		g.groups[gr.key] = gr
	}
	if gr.display != "" && g.groups[gr.key].display == gr.key {
		g.groups[gr.key] = gr // a better name than the id
	}
	c[bucket] += n
}

// sorted returns the groups: known ones in their order first, then the others by display name.
func (g *groupCounts) sorted(known []group) []group {
	var out []group
	seen := map[string]bool{}
	for _, k := range known {
		if gr, ok := g.groups[k.key]; ok && !seen[k.key] {
			out = append(out, gr)
			seen[k.key] = true
		}
	}
	var rest []group
	for key, gr := range g.groups {
		if !seen[key] {
			rest = append(rest, gr)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if rest[i].display != rest[j].display {
			return rest[i].display < rest[j].display
		}
		return rest[i].key < rest[j].key
	})
	return append(out, rest...)
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
	p, err := r.probe(ctx, scan)
	if err != nil {
		return nil, err
	}
	r.set("messages", p.total)
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
				target.add(groupOf(s.groupBy, m), bi, 1)
			}
			return nil
		}
	}
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

func keysOf(groups []group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.key
	}
	return out
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

// knownGroups are the groups zero-filled for a grouping: every status (or those filtered on), the
// deployed iFlows (or those filtered on), and the filtered values of the other groupings.
func (r *run) knownGroups(ctx context.Context, fs *filterSet, groupBy string) ([]group, bool, error) {
	statuses := fs.statuses
	if len(statuses) == 0 {
		statuses = Statuses
	}
	switch groupBy {
	case GroupStatus:
		out := make([]group, len(statuses))
		for i, s := range statuses {
			out[i] = statusGroup(s)
		}
		return out, true, nil
	case GroupIFlow, GroupIFlowState:
		flows, err := r.knownIFlows(ctx, fs)
		if err != nil {
			return nil, false, err
		}
		if groupBy == GroupIFlow {
			out := make([]group, len(flows))
			for i, f := range flows {
				out[i] = iflowGroup(f.ID, f.Name)
			}
			return out, true, nil
		}
		if len(fs.statuses) == 0 {
			// Every iFlow × every status would be mostly empty series; the statuses that occur in the
			// range are added to every known iFlow after counting (zeroFillIFlowStatus).
			out := make([]group, 0, len(flows))
			for _, f := range flows {
				out = append(out, iflowStatusGroup(f.ID, f.Name, ""))
			}
			return out, false, nil
		}
		var out []group
		for _, f := range flows {
			for _, s := range fs.statuses {
				out = append(out, iflowStatusGroup(f.ID, f.Name, s))
			}
		}
		return out, false, nil
	case GroupPackage:
		var out []group
		for _, p := range fs.packages {
			out = append(out, group{key: p, labels: data.Labels{"package": p}, display: p, cols: []string{p, p}})
		}
		return out, false, nil
	case GroupSender, GroupReceiver:
		values := fs.senders
		label := "sender"
		if groupBy == GroupReceiver {
			values, label = fs.receivs, "receiver"
		}
		var out []group
		for _, v := range values {
			out = append(out, group{key: v, labels: data.Labels{label: v}, display: v, cols: []string{v}})
		}
		return out, false, nil
	}
	return nil, false, groupByError(groupBy, GroupStatus, GroupIFlow, GroupPackage, GroupSender, GroupReceiver, GroupIFlowState)
}

// knownIFlows are the iFlows that should show up (as 0 when silent): the iFlows filtered on, else the
// deployed ones; with a package, sender or receiver filter, only those the landscape associates with it.
func (r *run) knownIFlows(ctx context.Context, fs *filterSet) ([]IFlow, error) {
	deployed, err := r.deployedIFlows(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, f := range deployed {
		names[f.ID] = f.Name
	}
	flows := deployed
	if len(fs.iflows) > 0 {
		flows = nil
		for _, id := range fs.iflows {
			flows = append(flows, IFlow{ID: id, Name: names[id]})
		}
	}
	if len(fs.packages)+len(fs.senders)+len(fs.receivs) == 0 {
		return flows, nil
	}
	land, err := r.discover(ctx)
	if err != nil {
		return nil, err
	}
	var out []IFlow
	for _, f := range flows {
		info := land[f.ID]
		if info == nil {
			continue
		}
		if len(fs.packages) > 0 && !slices.Contains(fs.packages, info.PackageID) {
			continue
		}
		if len(fs.senders) > 0 && !intersects(fs.senders, info.Senders) {
			continue
		}
		if len(fs.receivs) > 0 && !intersects(fs.receivs, info.Receivers) {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// zeroFillIFlowStatus adds, for iFlow × status without a status filter, a zero series for every known
// iFlow and every status that occurs in the result.
func zeroFillIFlowStatus(out *groupCounts, known []group) []group {
	statuses := map[string]bool{}
	for _, g := range out.groups {
		if s := g.labels["status"]; s != "" {
			statuses[s] = true
		}
	}
	var filled []group
	for _, k := range known { // placeholders of knownGroups: iFlow with status ""
		for s := range statuses {
			g := iflowStatusGroup(k.labels["iflow"], k.cols[0], s)
			out.add(g, 0, 0)
			filled = append(filled, g)
		}
	}
	sort.Slice(filled, func(i, j int) bool { return filled[i].display < filled[j].display })
	return filled
}

// Counts answers a messageCounts query.
func Counts(ctx context.Context, st *Store, rg Range, q models.MessageCountsQuery, tenant string) (data.Frames, error) {
	groupBy := q.GroupBy
	if groupBy == "" || groupBy == GroupNone { // none: messageDurations' value, kept when the type is switched
		groupBy = GroupStatus
	}
	format, err := models.ResolveFormat(models.QueryMessageCounts, q.Format)
	if err != nil {
		return nil, err
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return nil, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	known, countable, err := r.knownGroups(ctx, fs, groupBy)
	if err != nil {
		return nil, err
	}
	s := countsSpec{filters: fs, timeField: "LogEnd", w: rg.window(), groupBy: groupBy, countable: countable}
	zeroFill := known
	if groupBy == GroupIFlowState && len(fs.statuses) == 0 {
		s.known = nil
	} else {
		s.known = known
	}
	if format == models.FormatTimeSeries {
		b := makeBuckets(rg)
		s.b = &b
		r.set("bucketSeconds", int(b.width.Seconds()))
	}
	out, err := r.countGroups(ctx, s)
	if err != nil {
		return nil, err
	}
	if groupBy == GroupIFlowState && len(fs.statuses) == 0 {
		zeroFill = zeroFillIFlowStatus(out, known)
	}
	return countFrames(r, out, zeroFill, groupBy, format, s.b, tenant), nil
}

func countFrames(r *run, out *groupCounts, known []group, groupBy string, format models.Format, b *buckets, tenant string) data.Frames {
	groups := out.sorted(known)
	if format == models.FormatTable {
		cols := groupColumns(groupBy)
		values := make([][]string, len(cols))
		counts := make([]float64, len(groups))
		for i, g := range groups {
			for c := range cols {
				values[c] = append(values[c], g.cols[c])
			}
			for _, v := range out.counts[g.key] {
				counts[i] += v
			}
		}
		var fields []*data.Field
		for c, name := range cols {
			if values[c] == nil {
				values[c] = []string{}
			}
			fields = append(fields, data.NewField(name, nil, values[c]))
		}
		fields = append(fields, data.NewField("messages", nil, counts))
		return data.Frames{tableFrame(r, "message counts", tenant, fields...)}
	}
	list := make([]series, len(groups))
	for i, g := range groups {
		c := out.counts[g.key]
		list[i] = series{name: "count", labels: g.labels, display: g.display}
		if b != nil {
			list[i].times, list[i].values = b.times(), c
		} else {
			list[i].values = []float64{sum(c)}
		}
	}
	t := data.FrameTypeNumericMulti
	if b != nil {
		t = data.FrameTypeTimeSeriesMulti
	}
	return seriesFrames(r, tenant, t, list)
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// groupByError explains an invalid groupBy.
func groupByError(v string, allowed ...string) error {
	return fmt.Errorf("groupBy %q is not one of %s", v, strings.Join(allowed, ", "))
}
