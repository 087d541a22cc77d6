package cpi

// Listing an entity set cheaply.
//
// SAP answers at most 1000 entries per request and then sends a __next link. Following
// __next is sequential: a 100 000-row list is 100 round trips one after the other. SAP recommends $top/$skip
// instead, and with the total known from $inlinecount on the first page, every remaining page can be asked
// for at once, within the client's concurrency and rate limits. When a server ignores $skip (it answers the
// first page again) or does not send __count, List falls back to following __next.

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"sync"

	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

// MaxPageSize is SAP's server-side page: no request returns more entries.
const MaxPageSize = 1000

// maxFollowedPages stops a __next chain that never ends (a server repeating its link).
const maxFollowedPages = 100_000

// ListOptions describes one listing.
type ListOptions struct {
	// Path is the entity set (or navigation) relative to the service root, e.g. "MessageProcessingLogs".
	Path string
	// Query holds $filter, $select, $orderby and custom options; $top, $skip and $inlinecount are set by
	// List. Paging by $skip needs a stable order: give an $orderby.
	Query url.Values
	// MaxRows caps the rows read (0 = all); ListResult.Capped tells whether more existed.
	MaxRows int
	// Parallel bounds the page requests in flight (default: the client's maximum concurrency).
	Parallel int
}

// ListResult describes what a listing did.
type ListResult struct {
	Total        int64    // __count of the first page; -1 when the server did not send it
	Rows         int      // rows delivered
	Capped       bool     // more rows matched than MaxRows
	Incomplete   bool     // the server ignored $skip and sent no __next: only the first page could be read
	FollowedNext bool     // pages were read by following __next (the server ignored $skip or $inlinecount)
	Requests     []string // URLs requested, in page order (for the Query inspector)
	Cached       int      // how many of them were answered by the cache or an identical request in flight
}

// List reads all rows (up to MaxRows) in order.
func List[T any](ctx context.Context, c *Client, o ListOptions) ([]T, ListResult, error) {
	pages := map[int][]T{}
	res, err := ListEach(ctx, c, o, func(page int, rows []T) error {
		pages[page] = rows
		return nil
	})
	if err != nil {
		return nil, res, err
	}
	out := make([]T, 0, res.Rows)
	for _, i := range slices.Sorted(maps.Keys(pages)) {
		out = append(out, pages[i]...)
	}
	return out, res, nil
}

// ListEach reads the rows page by page and hands each page to fn (never concurrently; pages may arrive
// out of order, page 0 first). Memory stays bounded by the pages in flight, so callers that aggregate
// never hold the whole result. fn returning an error stops the listing.
func ListEach[T any](ctx context.Context, c *Client, o ListOptions, fn func(page int, rows []T) error) (ListResult, error) {
	l := &lister[T]{c: c, o: o, fn: fn, res: ListResult{Total: -1}}
	if l.o.Parallel <= 0 {
		l.o.Parallel = cap(c.sem)
	}
	err := l.run(ctx)
	return l.res, err
}

// ContinueEach is ListEach for a listing whose first page the caller already has: first must be the
// answer to o's query with $inlinecount=allpages (and $top = o.MaxRows, or none), e.g. a probe that
// decided how to read a window. Its rows are handed to fn as page 0 and its request is not repeated or
// logged again; the remaining pages are read as ListEach does.
func ContinueEach[T any](ctx context.Context, c *Client, o ListOptions, first odata.Collection[T], fn func(page int, rows []T) error) (ListResult, error) {
	l := &lister[T]{c: c, o: o, fn: fn, res: ListResult{Total: -1}}
	if l.o.Parallel <= 0 {
		l.o.Parallel = cap(c.sem)
	}
	err := l.continueFrom(ctx, first)
	l.finishRequests()
	return l.res, err
}

type lister[T any] struct {
	c  *Client
	o  ListOptions
	fn func(int, []T) error

	mu       sync.Mutex // guards res and serialises fn
	res      ListResult
	requests map[int]string
}

func (l *lister[T]) query(top, skip int, count bool) url.Values {
	q := url.Values{}
	for k, v := range l.o.Query {
		if k == "$top" || k == "$skip" || k == "$inlinecount" {
			continue
		}
		q[k] = v
	}
	if top > 0 {
		q.Set("$top", strconv.Itoa(top))
	}
	if skip > 0 {
		q.Set("$skip", strconv.Itoa(skip))
	}
	if count {
		q.Set("$inlinecount", "allpages")
	}
	return q
}

func (l *lister[T]) record(page int, resp *Response) {
	if resp == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.requests == nil {
		l.requests = map[int]string{}
	}
	l.requests[page] = resp.URL
	if resp.Cached {
		l.res.Cached++
	}
}

// deliver hands rows to fn under the lock.
func (l *lister[T]) deliver(page int, rows []T) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.res.Rows += len(rows)
	return l.fn(page, rows)
}

func (l *lister[T]) run(ctx context.Context) error {
	defer l.finishRequests()
	// The first request asks for everything wanted ($top = the cap, or no $top): the server answers one
	// page of at most 1000 and, when it cuts, a __next link, which is what the fallbacks follow. Its page
	// length tells how to cut the remaining pages.
	limit := max(l.o.MaxRows, 0)
	col, resp, err := GetCollection[T](ctx, l.c, l.o.Path, l.query(limit, 0, true))
	l.record(0, resp)
	if err != nil {
		return err
	}
	return l.continueFrom(ctx, col)
}

// continueFrom delivers the first page and reads the rest.
func (l *lister[T]) continueFrom(ctx context.Context, col odata.Collection[T]) error {
	limit := max(l.o.MaxRows, 0)
	first := col.Results
	if limit > 0 && len(first) > limit {
		first = first[:limit] // a server that ignores $top
	}
	if col.Count == nil {
		// No __count: the total is unknown, so pages cannot be planned. Follow the server's links.
		if err := l.deliver(0, first); err != nil {
			return err
		}
		return l.follow(ctx, col.Next, 1, len(first))
	}
	total := *col.Count
	l.res.Total = total
	want := total
	if limit > 0 && want > int64(limit) {
		want, l.res.Capped = int64(limit), true
	}
	if err := l.deliver(0, first); err != nil {
		return err
	}
	step := len(first)
	if int64(step) >= want {
		return nil
	}
	if step == 0 {
		// Counted rows but sent none (they vanished between count and read, or the server pages oddly).
		return l.follow(ctx, col.Next, 1, 0)
	}
	return l.parallel(ctx, first, step, want, col.Next)
}

// parallel asks for every remaining page at once. Page 1 is compared with page 0 before anything else
// is delivered: a server that ignores $skip answers the first page again, and then the listing falls
// back to __next.
func (l *lister[T]) parallel(parent context.Context, first []T, step int, want int64, next string) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	var offsets []int
	for off := int64(step); off < want; off += int64(step) {
		offsets = append(offsets, int(off))
	}
	verified := make(chan struct{})
	var (
		wg         sync.WaitGroup
		errMu      sync.Mutex
		firstErr   error
		skipIgnore bool
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		cancel()
	}
	// work reads one page; a panic in it (a tenant's value no decoder expected) fails the listing.
	work := func(i int) error {
		page := i + 1
		off := offsets[i]
		top := int(min(int64(step), want-int64(off)))
		col, resp, err := GetCollection[T](ctx, l.c, l.o.Path, l.query(top, off, false))
		l.record(page, resp)
		if err != nil {
			return err
		}
		rows := col.Results
		if len(rows) > top {
			rows = rows[:top]
		}
		if page == 1 {
			if reflect.DeepEqual(rows, first) {
				errMu.Lock()
				skipIgnore = true
				errMu.Unlock()
				cancel()
				close(verified)
				return nil
			}
			close(verified)
		} else {
			select {
			case <-verified:
			case <-ctx.Done():
				return nil
			}
			if ctx.Err() != nil {
				return nil
			}
		}
		return l.deliver(page, rows)
	}
	jobs := make(chan int)
	workers := min(l.o.Parallel, len(offsets))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if err := safe.Call(func() error { return work(i) }); err != nil {
					fail(err)
				}
			}
		}()
	}
feed:
	for i := range offsets {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	if skipIgnore {
		// Only page 0 was delivered; read the rest by following the server's links.
		l.mu.Lock()
		for p := range l.requests {
			if p > 1 {
				delete(l.requests, p) // cancelled pages: not part of the answer
			}
		}
		l.mu.Unlock()
		return l.follow(parent, next, 2, step)
	}
	return firstErr
}

// follow reads pages by __next, sequentially, starting at page index page with have rows delivered.
func (l *lister[T]) follow(ctx context.Context, next string, page, have int) error {
	limit := l.o.MaxRows
	seen := map[string]bool{}
	for ; next != "" && (limit <= 0 || have < limit); page++ {
		l.res.FollowedNext = true
		if seen[next] || page > maxFollowedPages {
			return fmt.Errorf("the tenant's next links repeat (%s); stopped after %d pages", next, page)
		}
		seen[next] = true
		abs, err := odata.ResolveNext(l.c.ServiceRoot(), next)
		if err != nil {
			return l.c.Malformed(nil, err)
		}
		resp, err := l.c.GetURL(ctx, abs)
		l.record(page, resp)
		if err != nil {
			return err
		}
		col, err := decodeCollection[T](resp)
		if err != nil {
			return l.c.Malformed(resp, err)
		}
		rows := col.Results
		if limit > 0 && have+len(rows) > limit {
			rows = rows[:limit-have]
			l.res.Capped = true
		}
		if err := l.deliver(page, rows); err != nil {
			return err
		}
		have += len(rows)
		next = col.Next
	}
	if next != "" && limit > 0 && have >= limit {
		l.res.Capped = true
	}
	if expected := l.expected(); next == "" && expected >= 0 && int64(have) < expected {
		// The server counted more rows than its links lead to (it ignored $skip and sent no __next).
		l.res.Incomplete = true
	}
	return nil
}

// expected is the number of rows the listing should deliver: the count, capped; -1 when unknown.
func (l *lister[T]) expected() int64 {
	if l.res.Total < 0 {
		return -1
	}
	if l.o.MaxRows > 0 {
		return min(l.res.Total, int64(l.o.MaxRows))
	}
	return l.res.Total
}

func decodeCollection[T any](resp *Response) (odata.Collection[T], error) {
	return odata.DecodeCollection[T](bytes.NewReader(resp.Body))
}

// finishRequests turns the per-page request map into the ordered list.
func (l *lister[T]) finishRequests() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.res.Requests = l.res.Requests[:0]
	for p := 0; len(l.res.Requests) < len(l.requests); p++ {
		if u, ok := l.requests[p]; ok {
			l.res.Requests = append(l.res.Requests, u)
		}
		if p > maxFollowedPages+1 {
			break
		}
	}
}
