package cpi

// Reading a collection: the one paging reader of the plugin. Every collection is read through List,
// ListEach or ContinueEach; nothing else follows __next or plans $skip pages.
//
// SAP answers at most 1000 entries per request and then sends a __next link. Following __next is
// sequential: a 100 000-row list is 100 round trips one after the other. SAP recommends $top/$skip
// instead, and with the total known from $inlinecount, the remaining pages can be asked for several at
// once, within the client's concurrency and rate limits. The rule:
//
//  1. The first page asks for everything wanted ($top = the cap, or none) with $inlinecount=allpages.
//  2. Without __count the total is unknown: the rest is read by following __next, page after page.
//  3. With __count and a first page the server cut (it sent __next, or MaxPageSize rows), the remaining
//     pages are asked for by $skip, Parallel at a time. The count only says how far to plan: offsets are
//     handed out one by one (nothing is sized by the count), and the plan ends at the first page that
//     comes back short. A last planned page that carries __next is followed; so is a first page whose
//     __next says there is more than its count.
//  4. A server that ignores $skip answers a page with the first page's rows: page 1 is compared with as
//     many rows of page 0 before any later page is delivered, and on a match the rest is read by __next.
//     A later page or a followed link that repeats rows already delivered fails the listing, so no row
//     is ever delivered twice.
//  5. A cap (MaxRows) that cuts the result sets Capped; a tenant whose pages end short of its count
//     sets Incomplete; Notice says both in words, for the panel.
//
// ListOptions.NextOnly is for collections whose API documents neither $inlinecount nor $skip: the query
// is sent as given and __next followed.

import (
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

// maxPages bounds the pages of one listing (a __next chain that never ends, a count that never does).
const maxPages = 100_000

// Source is the client every query package reads with (and the paging reader reads from): a *Client, or
// a type that embeds one and wraps Get or GetURL (tests inject failures that way). Pages are requested
// through the Source's own methods.
type Source interface {
	Get(ctx context.Context, path string, query url.Values) (*Response, error)
	GetURL(ctx context.Context, rawURL string) (*Response, error)
	// Post sends a reading POST (Cloud ALM's data and filter requests).
	Post(ctx context.Context, path string, body []byte) (*Response, error)
	// ServiceRoot is the URL the client's paths are relative to.
	ServiceRoot() string
	Malformed(resp *Response, err error) error
	client() *Client
}

func (c *Client) client() *Client { return c }

// List reads all rows (up to MaxRows) in order.
func List[T any](ctx context.Context, src Source, o ListOptions) ([]T, ListResult, error) {
	pages := map[int][]T{}
	res, err := ListEach(ctx, src, o, func(page int, rows []T) error {
		pages[page] = rows
		return nil
	})
	if err != nil {
		return nil, res, err
	}
	var out []T
	for _, i := range slices.Sorted(maps.Keys(pages)) {
		out = append(out, pages[i]...)
	}
	return out, res, nil
}

// ListEach reads the rows page by page and hands each page to fn (never concurrently; pages may arrive
// out of order, page 0 first). Memory stays bounded by the pages in flight, so callers that aggregate
// never hold the whole result. fn returning an error stops the listing.
func ListEach[T any](ctx context.Context, src Source, o ListOptions, fn func(page int, rows []T) error) (ListResult, error) {
	l := newLister(src, o, fn)
	err := l.run(ctx)
	l.finishRequests()
	return l.res, err
}

// ContinueEach is ListEach for a listing whose first page the caller already has: first must be the
// answer to o's query with $inlinecount=allpages (and $top = o.MaxRows, or none), e.g. a probe that
// decided how to read a window. Its rows are handed to fn as page 0 and its request is not repeated or
// logged again; the remaining pages are read as ListEach does.
func ContinueEach[T any](ctx context.Context, src Source, o ListOptions, first odata.Collection[T], fn func(page int, rows []T) error) (ListResult, error) {
	l := newLister(src, o, fn)
	err := l.continueFrom(ctx, first)
	l.finishRequests()
	return l.res, err
}

type lister[T any] struct {
	src Source
	c   *Client
	o   ListOptions
	fn  func(int, []T) error

	mu       sync.Mutex // guards res and requests, and serialises fn
	res      ListResult
	requests map[int]string
}

func newLister[T any](src Source, o ListOptions, fn func(int, []T) error) *lister[T] {
	c := src.client()
	if o.Parallel <= 0 {
		o.Parallel = cap(c.sem)
	}
	o.MaxRows = max(o.MaxRows, 0)
	return &lister[T]{src: src, c: c, o: o, fn: fn, res: ListResult{Total: -1}, requests: map[int]string{}}
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

func (l *lister[T]) delivered() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.res.Rows
}

func (l *lister[T]) run(ctx context.Context) error {
	q := l.query(l.o.MaxRows, 0, true)
	if l.o.NextOnly {
		q = l.query(0, 0, false)
	}
	col, resp, err := l.page(ctx, q)
	l.record(0, resp)
	if err != nil {
		return err
	}
	return l.continueFrom(ctx, col)
}

// continueFrom delivers the first page and reads the rest (rules 2 and 3).
func (l *lister[T]) continueFrom(ctx context.Context, col odata.Collection[T]) error {
	limit := l.o.MaxRows
	first := col.Results
	if limit > 0 && len(first) > limit {
		first = first[:limit] // a server that ignores $top
		l.res.Capped = true
	}
	if col.Count != nil && !l.o.NextOnly {
		l.res.Total = *col.Count
		if limit > 0 && l.res.Total > int64(limit) {
			l.res.Capped = true
		}
	}
	if err := l.deliver(0, first); err != nil {
		return err
	}
	have := len(first)
	if limit > 0 && have >= limit {
		l.res.Capped = l.res.Capped || col.Next != ""
		return nil
	}
	if l.res.Total < 0 {
		return l.follow(ctx, col.Next, 1, have, first)
	}
	want := l.expected()
	cut := col.Next != "" || len(col.Results) >= MaxPageSize
	if have == 0 || int64(have) >= want || !cut {
		if col.Next != "" {
			// The server says there is more than it counted (or sent no rows but a link): follow it.
			return l.follow(ctx, col.Next, 1, have, first)
		}
		l.checkCount()
		return nil
	}
	return l.parallel(ctx, first, want, col.Next)
}

// parallel reads the pages after the first by $skip, Parallel at a time (rules 3 and 4).
func (l *lister[T]) parallel(parent context.Context, first []T, want int64, firstNext string) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	step := int64(len(first))
	verified := make(chan struct{}) // closed once page 1 is known not to repeat page 0
	var (
		mu          sync.Mutex
		nextOff     = step
		end         = want // no offset at or beyond end is asked for; lowered by a short page
		firstErr    error
		skipIgnored bool
		lastPage    int
		lastNext    string // __next of the last planned page, when it was full
	)
	take := func() (int, int64, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || skipIgnored || nextOff >= end || ctx.Err() != nil || nextOff/step > maxPages {
			return 0, 0, false
		}
		off := nextOff
		nextOff += step
		return int(off / step), off, true
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil && !skipIgnored {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	work := func(page int, off int64) error {
		top := min(step, want-off)
		col, resp, err := l.page(ctx, l.query(int(top), int(off), false))
		l.record(page, resp)
		if err != nil {
			if page == 1 {
				close(verified)
			}
			return err
		}
		rows := col.Results
		if int64(len(rows)) > top {
			rows = rows[:top] // a server that ignores $top
		}
		if page == 1 {
			if repeats(rows, first) {
				mu.Lock()
				skipIgnored = true
				mu.Unlock()
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
			if repeats(rows, first) {
				return l.c.pagingError(resp, fmt.Sprintf("page %d ($skip=%d) repeats the first page", page, off))
			}
		}
		mu.Lock()
		if int64(len(rows)) < top {
			end = min(end, off+int64(len(rows))) // the data ends here
		}
		beyond := off >= end
		if off+top >= want && int64(len(rows)) == top && col.Next != "" && page > lastPage {
			lastPage, lastNext = page, col.Next
		}
		mu.Unlock()
		if beyond {
			return nil
		}
		return l.deliver(page, rows)
	}
	var wg sync.WaitGroup
	for range l.o.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				page, off, ok := take()
				if !ok {
					return
				}
				if err := safe.Call(func() error { return work(page, off) }); err != nil {
					fail(err)
				}
			}
		}()
	}
	wg.Wait()

	if skipIgnored {
		// Only page 0 was delivered; read the rest by following the server's links.
		l.mu.Lock()
		for p := range l.requests {
			if p > 1 {
				delete(l.requests, p) // cancelled pages: not part of the answer
			}
		}
		l.mu.Unlock()
		return l.follow(parent, firstNext, 2, len(first), first)
	}
	if firstErr != nil {
		return firstErr
	}
	if lastNext != "" {
		return l.follow(parent, lastNext, lastPage+1, l.delivered(), nil)
	}
	l.checkCount()
	return nil
}

// repeats reports whether a page holds the first rows of the first page again (a server that ignored
// $skip). Rows are compared whole, as many as the page holds: a page of 500 is compared with the first
// 500 rows of page 0, not with all 1000.
func repeats[T any](rows, first []T) bool {
	return len(rows) > 0 && len(rows) <= len(first) && reflect.DeepEqual(rows, first[:len(rows)])
}

// follow reads pages by __next, sequentially, starting at page index page with have rows delivered;
// prev is the page before (nil if unknown), to catch a link that answers the same rows again.
func (l *lister[T]) follow(ctx context.Context, next string, page, have int, prev []T) error {
	limit := l.o.MaxRows
	seen := map[string]bool{}
	for ; next != "" && (limit <= 0 || have < limit); page++ {
		l.res.FollowedNext = true
		if seen[next] || page > maxPages {
			return l.c.pagingError(nil, fmt.Sprintf("its next links repeat (%s); stopped after %d pages", next, page))
		}
		seen[next] = true
		abs, err := odata.ResolveNext(l.c.ServiceRoot(), next)
		if err != nil {
			return l.c.Malformed(nil, err)
		}
		resp, err := l.src.GetURL(ctx, abs)
		l.record(page, resp)
		if err != nil {
			return err
		}
		col, err := decodeCollection[T](resp)
		resp.Release()
		if err != nil {
			return l.c.Malformed(resp, err)
		}
		rows := col.Results
		if prev != nil && len(rows) == len(prev) && repeats(rows, prev) {
			return l.c.pagingError(resp, fmt.Sprintf("the next link of page %d answers that page again", page-1))
		}
		prev = col.Results
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
	l.checkCount()
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

// checkCount marks the listing incomplete when the rows delivered fall short of the count by more
// than the few rows that may move between the count and a later page (0.1 %).
func (l *lister[T]) checkCount() {
	want := l.expected()
	got := int64(l.delivered())
	if want >= 0 && want-got > want/1000 {
		l.mu.Lock()
		l.res.Incomplete = true
		l.mu.Unlock()
	}
}

// page requests one page through the Source and decodes it.
func (l *lister[T]) page(ctx context.Context, q url.Values) (odata.Collection[T], *Response, error) {
	resp, err := l.src.Get(ctx, l.o.Path, q)
	if err != nil {
		return odata.Collection[T]{}, resp, err
	}
	col, err := decodeCollection[T](resp)
	resp.Release()
	if err != nil {
		return col, resp, l.c.Malformed(resp, err)
	}
	return col, resp, nil
}

func decodeCollection[T any](resp *Response) (odata.Collection[T], error) {
	return odata.DecodeCollectionBytes[T](resp.Body)
}

// finishRequests turns the per-page request map into the ordered list.
func (l *lister[T]) finishRequests() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.res.Requests = l.res.Requests[:0]
	for _, p := range slices.Sorted(maps.Keys(l.requests)) {
		l.res.Requests = append(l.res.Requests, l.requests[p])
	}
}
