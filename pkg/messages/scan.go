package messages

// Reading message rows cheaply.
//
// 1. A probe: the first page of the whole window, with $inlinecount=allpages and $select of the fields
//    needed. Small windows (an alert rule's 5 minutes) are answered by the probe alone: one request.
// 2. Otherwise the window is cut into time slices of about sliceRows messages each (from the probe's
//    count), and every slice is listed with cpi.ListEach: its first page counted, the rest fetched in
//    parallel by $skip. Slicing keeps $skip small, which SAP recommends (narrow time windows) and which
//    keeps a server-side offset scan cheap; a 24-hour window of a million messages costs about one request
//    per 1000 rows plus one per slice.
//
// Aggregations consume the rows page by page (memory is bounded by the pages in flight). A capped read
// (the messages list) reads the newest slices that hold the cap, all at once (scan_capped.go).

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

const (
	// sliceRows is the target number of messages per time slice (16 pages).
	sliceRows = 16 * cpi.MaxPageSize
	// parallelSlices bounds the slices listed at once; the client bounds the requests in flight anyway,
	// this bounds the pages held in memory.
	parallelSlices = 4
	// maxSlices bounds the slices of one window whatever the tenant counts (a week of a million
	// messages a day is about 440 slices of sliceRows; more slices only shorten $skip).
	maxSlices = 512
)

// artifactRef is the IntegrationArtifact complex property of a message.
type artifactRef struct {
	ID          string `json:"Id"`
	Name        string `json:"Name"`
	PackageID   string `json:"PackageId"`
	PackageName string `json:"PackageName"`
}

// mplRow holds the MessageProcessingLog fields the message queries use; a $select fills only some.
type mplRow struct {
	MessageGuid            string      `json:"MessageGuid"`
	CorrelationID          string      `json:"CorrelationId"`
	ApplicationMessageID   string      `json:"ApplicationMessageId"`
	ApplicationMessageType string      `json:"ApplicationMessageType"`
	LogStart               odata.Time  `json:"LogStart"`
	LogEnd                 odata.Time  `json:"LogEnd"`
	Sender                 string      `json:"Sender"`
	Receiver               string      `json:"Receiver"`
	Status                 string      `json:"Status"`
	CustomStatus           string      `json:"CustomStatus"`
	AlternateWebLink       string      `json:"AlternateWebLink"`
	IntegrationArtifact    artifactRef `json:"IntegrationArtifact"`
}

// scanSpec says which rows to read.
type scanSpec struct {
	filters   *filterSet
	timeField string // LogEnd or LogStart
	w         window
	extra     []string // more $filter terms
	fields    []string // $select; MessageGuid is always added (it keeps pages distinguishable)
	desc      bool     // newest first
	align     time.Duration
	maxRows   int // 0 = all
	// shared > 0: an open window's answer may be reused for this long (a listing every panel of one
	// refresh asks for, e.g. the stuck messages).
	shared time.Duration
	// uncached: the answer is kept elsewhere (the row store), so it must not crowd the response cache.
	uncached bool
	// sliceRows, when set, replaces the default messages per time slice.
	sliceRows int64
}

func (s scanSpec) query(w window) url.Values {
	q := s.filters.query(s.timeField, w, s.extra...)
	fields := append([]string{"MessageGuid"}, s.fields...)
	fields = append(fields, s.filters.localFields()...)
	slices.Sort(fields)
	q.Set("$select", strings.Join(slices.Compact(fields), ","))
	order := s.timeField
	if s.desc {
		order += " desc"
	}
	q.Set("$orderby", order)
	return q
}

// probeResult is the first page of the whole window and the window's total.
type probeResult struct {
	total int64
	rows  []mplRow
	col   *odata.Collection[mplRow] // the page as received (nil when the caller only knew the total)
}

// complete reports whether the probe holds every row wanted: as many as counted or capped, or a page
// the server did not cut (no __next, fewer than a full page), whatever it counted.
func (p probeResult) complete(maxRows int) bool {
	uncut := p.col != nil && p.col.Next == "" && len(p.col.Results) < cpi.MaxPageSize
	return int64(len(p.rows)) >= p.total || (maxRows > 0 && len(p.rows) >= maxRows) || uncut
}

// probe reads the first page of the window with its total. It asks what the listing's first page would
// ask ($top = the cap, or none: the server cuts at 1000 and sends __next), so that a window that fits in
// one slice continues from it without asking for the first page again.
func (r *run) probe(ctx context.Context, s scanSpec) (probeResult, error) {
	q := s.query(s.w)
	if s.maxRows > 0 {
		q.Set("$top", strconv.Itoa(s.maxRows))
	}
	q.Set("$inlinecount", "allpages")
	col, resp, err := cpi.GetCollection[mplRow](r.scanCtx(ctx, s, s.w), r.c, mplPath, q)
	r.record(resp)
	if err != nil {
		return probeResult{}, err
	}
	p := probeResult{rows: col.Results, total: int64(len(col.Results)), col: &col}
	switch {
	case col.Count != nil:
		p.total = *col.Count
	case col.Next != "":
		// The tenant ignored $inlinecount but cut the page: its length is not the total. $count says
		// how to slice the window; the listing follows __next either way.
		n, err := r.count(r.reqCtx(ctx, s.w), s.filters.query(s.timeField, s.w, s.extra...))
		if err != nil {
			return probeResult{}, err
		}
		p.total = max(n, int64(len(col.Results)))
	}
	if p.complete(s.maxRows) && p.total > int64(len(p.rows)) && (s.maxRows == 0 || p.total < int64(s.maxRows)) {
		r.countNotice()
	}
	return p, nil
}

// scanResult tells what a scan read.
type scanResult struct {
	read   int  // rows read (before local filters)
	capped bool // more rows matched than maxRows
	slices int
	// overcounted: the tenant's counts proved wrong (see scanCapped), so the probe's total is not to be
	// believed either.
	overcounted bool
}

// scan hands every row of the window to fn, page by page (never concurrently). p is the window's probe.
// With maxRows > 0 the rows come in order (desc: newest first) and reading stops at the cap.
func (r *run) scan(ctx context.Context, s scanSpec, p probeResult, fn func(rows []mplRow) error) (scanResult, error) {
	if s.maxRows == 0 {
		return r.scanPages(ctx, s, p, func(_, _ int, rows []mplRow) error { return fn(rows) }, nil)
	}
	o := &inOrder{fn: fn, left: int64(s.maxRows), pages: map[int]map[int][]mplRow{}, done: map[int]bool{}}
	return r.scanPages(ctx, s, p, o.page, o.sliceDone)
}

// scanPages hands every page of the window to fn (never concurrently, in any order), keyed by its
// slice and its page within the slice: ordering the keys orders the rows (desc: newest first). done, if
// not nil, is called once a slice has delivered all its pages. Local filters are applied; the result
// counts the rows read before them. With maxRows > 0 the slices a cap needs are read (see scanCapped);
// they may deliver a few rows more than the cap (a tenant that counts fewer rows than it sends).
func (r *run) scanPages(ctx context.Context, s scanSpec, p probeResult, fn func(slice, page int, rows []mplRow) error, done func(slice int) error) (scanResult, error) {
	var res scanResult
	var mu sync.Mutex
	deliver := func(slice, page int, rows []mplRow) error {
		mu.Lock()
		defer mu.Unlock()
		res.read += len(rows)
		return fn(slice, page, s.filters.keepRows(rows))
	}
	finish := func(slice int) error {
		if done == nil {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		return done(slice)
	}
	if p.complete(s.maxRows) {
		rows := p.rows
		if s.maxRows > 0 && len(rows) > s.maxRows {
			rows = rows[:s.maxRows]
		}
		// Capped only when the cap was reached: a tenant may count more than its pages hold.
		res.capped = s.maxRows > 0 && p.total > int64(s.maxRows) && len(rows) >= s.maxRows
		if err := deliver(0, 0, rows); err != nil {
			return res, err
		}
		return res, finish(0)
	}
	per := int64(sliceRows)
	if s.sliceRows > 0 {
		per = s.sliceRows
	}
	k := int(min((p.total+per-1)/per, maxSlices))
	parts := splitWindow(s.w, k, s.align)
	res.slices = len(parts)
	if len(parts) == 1 && p.col != nil {
		// One slice: the probe is its first page; read the rest of it.
		lr, err := cpi.ContinueEach(r.scanCtx(ctx, s, s.w), r.c, cpi.ListOptions{Path: mplPath, Query: s.query(s.w), MaxRows: s.maxRows},
			*p.col, func(page int, rows []mplRow) error { return deliver(0, page, rows) })
		r.recordList(lr)
		if err != nil {
			return res, err
		}
		res.capped = s.maxRows > 0 && p.total > int64(s.maxRows) && res.read >= s.maxRows
		return res, finish(0)
	}
	if s.desc {
		slices.Reverse(parts)
	}
	if s.maxRows > 0 {
		want := min(p.total, int64(s.maxRows))
		overcounted, err := r.scanCapped(ctx, s, parts, p.total, want, deliver, finish)
		res.capped = p.total > want && int64(res.read) >= want
		res.overcounted = overcounted
		return res, err
	}
	err := forEachLimit(ctx, len(parts), parallelSlices, func(ctx context.Context, i int) error {
		lr, err := cpi.ListEach(r.scanCtx(ctx, s, parts[i]), r.c, cpi.ListOptions{Path: mplPath, Query: s.query(parts[i])},
			func(page int, rows []mplRow) error { return deliver(i, page, rows) })
		r.recordList(lr)
		if err != nil {
			return err
		}
		return finish(i)
	})
	return res, err
}

// keepRows applies the local filters to a page.
func (fs *filterSet) keepRows(rows []mplRow) []mplRow {
	if len(fs.local) == 0 {
		return rows
	}
	out := rows[:0:0]
	for i := range rows {
		if fs.keep(&rows[i]) {
			out = append(out, rows[i])
		}
	}
	return out
}

// inOrder turns the pages of scanPages into rows in key order, up to left rows: a slice's pages are
// kept until the slice is done and every slice before it was handed on.
type inOrder struct {
	fn    func(rows []mplRow) error
	left  int64
	next  int                      // the first slice not handed on
	pages map[int]map[int][]mplRow // per slice, per page
	done  map[int]bool
}

func (o *inOrder) page(slice, page int, rows []mplRow) error {
	if o.pages[slice] == nil {
		o.pages[slice] = map[int][]mplRow{}
	}
	o.pages[slice][page] = rows
	return nil
}

func (o *inOrder) sliceDone(slice int) error {
	o.done[slice] = true
	for ; o.done[o.next]; o.next++ {
		pages := o.pages[o.next]
		delete(o.pages, o.next)
		for _, i := range slices.Sorted(maps.Keys(pages)) {
			rows := pages[i]
			if int64(len(rows)) > o.left {
				rows = rows[:o.left]
			}
			o.left -= int64(len(rows))
			if len(rows) == 0 {
				continue
			}
			if err := o.fn(rows); err != nil {
				return err
			}
		}
	}
	return nil
}

// sliceSteps are the slice widths: each divides a day, so slice boundaries are multiples of the step in
// absolute time and the slices of consecutive refreshes (whose range moved by a minute) coincide: only
// the two edge slices differ, the others are answered from the cache once settled (see run.reqCtx).
var sliceSteps = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	20 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 4 * time.Hour, 6 * time.Hour,
	8 * time.Hour, 12 * time.Hour, 24 * time.Hour}

// splitWindow cuts w into at least k slices (about k, up to twice as many) whose inner boundaries are
// multiples of a step of sliceSteps that is also a multiple of align (at least a minute).
func splitWindow(w window, k int, align time.Duration) []window {
	align = max(align, time.Minute)
	if k <= 1 || w.to.Sub(w.from) <= align {
		return []window{w}
	}
	want := w.to.Sub(w.from) / time.Duration(k)
	step := align
	for _, s := range sliceSteps {
		if s <= want && s%align == 0 {
			step = s
		}
	}
	if step < want/2 { // align is not a divisor of a ladder step: a multiple of align near want
		step = want / align * align
	}
	var out []window
	from := w.from
	for from.Before(w.to) {
		to := from.Truncate(step).Add(step)
		if !to.Before(w.to) {
			to = w.to
		}
		out = append(out, window{from, to})
		from = to
	}
	return out
}

// forEachLimit runs fn(i) for i in [0, n) with at most limit at once (an errgroup); the first error
// cancels the rest and is returned once every call has ended; a panic in fn is that call's error.
func forEachLimit(parent context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	g, ctx := errgroup.WithContext(parent)
	g.SetLimit(max(limit, 1))
	for i := 0; i < n && ctx.Err() == nil; i++ {
		g.Go(func() error { return safe.Call(func() error { return fn(ctx, i) }) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return parent.Err() // cancelled from outside before every call ran
}
