package messages

// A capped read over several slices (the messages list): only the slices that hold the cap are read,
// and all of them at once.
//
// The probe's total, spread over the slices by their length, says how many of the newest slices are
// expected to hold the cap; their first pages are asked for together, each with its own count. From
// the counts, newest first, each slice is told how many rows it must give (the cap minus what the
// slices before it hold; none once the cap is reached), and the rest of their pages are read by the
// paging reader, the newest slices first: a slice reads on once the slice slicesAhead before it has read
// all its pages, so that the newest rows are complete early (the list reads the error texts of their
// failed messages meanwhile), while the slices reading hold pages enough to fill the client's
// concurrency twice over. When the counts fall short of
// the expectation, the next slices are started the same way. A slice started but not needed costs its
// first page; the last slice needed reads at most one page more than it gives.

import (
	"context"
	"math"

	"golang.org/x/sync/errgroup"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

// slicesAhead is how many slices of a capped read read their pages at once: at least two, and as many
// as hold twice the client's concurrency in pages (a slice holds about sliceRows rows).
func slicesAhead(concurrency int) int {
	perSlice := sliceRows / cpi.MaxPageSize
	return max(2, (2*concurrency+perSlice-1)/perSlice)
}

// cappedSlice is one slice of a capped read.
type cappedSlice struct {
	first chan struct{} // closed once its first page is in
	read  chan struct{} // closed once it has read what it reads (or failed)
	after chan struct{} // the read of the slice slicesAhead before it (nil: none)
	sized chan struct{} // closed once size is known
	need  chan int64    // the rows it must give (0: none); sent once
	size  int64         // the rows it holds: its count, or what it gave when the tenant did not count
	told  bool          // need was sent
	count int64         // the tenant's count of the slice; -1 without one
	// overcounted: its first page held the whole slice, and fewer rows than the tenant counted.
	overcounted bool
}

// scanCapped reads the slices of parts (in delivery order) needed for want rows, handing pages to
// deliver and each finished slice to finish, as scanPages does. total is the window's count. overcounted:
// the tenant's counts proved wrong without a request more — a slice read whole held fewer rows than
// counted, or the counts of disjoint slices add up to more than the window's (beyond what arrived
// meanwhile).
func (r *run) scanCapped(parent context.Context, s scanSpec, parts []window, total, want int64,
	deliver func(slice, page int, rows []mplRow) error, finish func(slice int) error) (overcounted bool, err error) {
	g, ctx := errgroup.WithContext(parent)
	read := make([]*cappedSlice, 0, len(parts))
	ahead := slicesAhead(r.c.MaxConcurrent())
	start := func(i int) {
		sl := &cappedSlice{first: make(chan struct{}), read: make(chan struct{}), sized: make(chan struct{}), need: make(chan int64, 1), count: -1}
		if i >= ahead {
			sl.after = read[i-ahead].read
		}
		read = append(read, sl)
		g.Go(func() error {
			return safe.Call(func() error { return r.readCapped(ctx, s, parts[i], i, sl, deliver, finish) })
		})
	}
	tell := func(sl *cappedSlice, need int64) {
		if !sl.told {
			sl.told = true
			sl.need <- need
		}
	}
	// Rows expected in a slice, from the window's total.
	span := float64(s.w.to.Sub(s.w.from))
	expect := func(i int) float64 {
		return float64(total) * float64(parts[i].to.Sub(parts[i].from)) / span
	}
	var (
		have     int64   // rows the slices before i give
		expected float64 // rows expected in the slices before i
		round    int     // slices started by the last round
	)
	for i := 0; i < len(parts) && have < want && ctx.Err() == nil; i++ {
		if i == len(read) {
			// Start the next slices expected to hold what is missing and a tenth more, lest a slightly
			// short estimate cost a round trip (at least one slice). Slices quieter than expected so far
			// (the night before a busy day) lower the expectation of the next ones; far quieter (a
			// tenant whose total is wrong), each round starts twice as many as the last.
			scale, least := 1.0, 1
			if expected > 0 {
				scale = min(max(float64(have)/expected, 0.25), 1)
				if float64(have) < expected/4 {
					least = 2 * round
				}
			}
			for short := 1.1 * float64(want-have); len(read) < len(parts) && (short > 0 || len(read) < i+least); {
				short -= scale * expect(len(read))
				start(len(read))
			}
			round = len(read) - i
		}
		sl := read[i]
		if !closedBefore(ctx, sl.first) {
			break
		}
		need := want - have
		tell(sl, need)
		if !closedBefore(ctx, sl.sized) {
			break
		}
		have += min(sl.size, need)
		expected += expect(i)
	}
	for _, sl := range read {
		tell(sl, 0) // started but not needed
	}
	if err := g.Wait(); err != nil {
		return false, err
	}
	var counted int64
	for _, sl := range read {
		overcounted = overcounted || sl.overcounted
		if sl.count > 0 {
			counted = min(counted+sl.count, math.MaxInt64/2) // a tenant decides the counts
		}
	}
	// Messages arriving between the requests (a range that reaches now) may add a few.
	return overcounted || counted > total+total/10+cpi.MaxPageSize, parent.Err()
}

// closedBefore reports whether ch closed before ctx ended.
func closedBefore(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		return false
	}
}

// readCapped reads one slice of a capped read: its first page with its count, then, once told how many
// rows it must give and once the slice slicesAhead before it has read its pages, the rest of those
// through the paging reader.
func (r *run) readCapped(ctx context.Context, s scanSpec, w window, i int, sl *cappedSlice,
	deliver func(slice, page int, rows []mplRow) error, finish func(slice int) error) error {
	defer close(sl.read)
	q := s.query(w)
	q.Set("$inlinecount", "allpages")
	col, resp, err := cpi.GetCollection[mplRow](r.scanCtx(ctx, s, w), r.c, mplPath, q)
	r.record(resp)
	if err != nil {
		return err
	}
	// A page the server did not cut holds the whole slice, whatever it counted.
	uncut := col.Next == "" && len(col.Results) < cpi.MaxPageSize
	counted := col.Count != nil || uncut
	if col.Count != nil {
		sl.count = *col.Count
	}
	if counted {
		sl.size = int64(len(col.Results))
		if col.Count != nil && !uncut {
			sl.size = max(sl.size, *col.Count)
		}
		sl.overcounted = col.Count != nil && uncut && *col.Count > sl.size
		close(sl.sized)
	}
	close(sl.first)
	var need int64
	select {
	case need = <-sl.need:
	case <-ctx.Done():
		return ctx.Err()
	}
	var gave int
	if need > 0 && sl.after != nil && !closedBefore(ctx, sl.after) {
		return ctx.Err()
	}
	if need > 0 {
		lr, err := cpi.ContinueEach(r.scanCtx(ctx, s, w), r.c, cpi.ListOptions{Path: mplPath, Query: s.query(w), MaxRows: int(need)},
			col, func(page int, rows []mplRow) error { return deliver(i, page, rows) })
		r.recordList(lr)
		if err != nil {
			return err
		}
		gave = lr.Rows
	}
	if !counted {
		sl.size = int64(gave)
		close(sl.sized)
	}
	if need == 0 {
		return nil
	}
	return finish(i)
}
