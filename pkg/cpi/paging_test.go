package cpi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/safe"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// pagedServer serves /api/v1/Items: n rows {"Id": i}, server pages of at most 1000 with a relative
// __next ($skiptoken), $top/$skip/$inlinecount as configured. It counts requests and the peak number
// in flight.
type pagedServer struct {
	n             int
	latency       time.Duration
	ignoreSkip    bool // answer as if $skip were absent (some OData stacks do)
	ignoreSkipAt  int  // ignore $skip from this offset on (0 = never): a server that pages inconsistently
	count         string
	ignoreCount   bool // never send __count
	noNext        bool // never send __next
	absoluteNext  string
	failSkip      int // answer 500 for this $skip (0 = never)
	hits          atomic.Int64
	inFlight      atomic.Int64
	peak          atomic.Int64
	mu            sync.Mutex
	skips         []int
	cancelledSeen atomic.Int64
}

type item struct {
	ID int `json:"Id"`
}

func (p *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.hits.Add(1)
	cur := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if cur <= old || p.peak.CompareAndSwap(old, cur) {
			break
		}
	}
	if p.latency > 0 {
		select {
		case <-time.After(p.latency):
		case <-r.Context().Done():
			p.cancelledSeen.Add(1)
			return
		}
	}
	q := r.URL.Query()
	skip, _ := strconv.Atoi(q.Get("$skip"))
	token, _ := strconv.Atoi(q.Get("$skiptoken"))
	p.mu.Lock()
	p.skips = append(p.skips, skip)
	p.mu.Unlock()
	if p.failSkip > 0 && skip == p.failSkip {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"Internal","message":{"lang":"en","value":"boom"}}}`))
		return
	}
	if p.ignoreSkip || (p.ignoreSkipAt > 0 && skip >= p.ignoreSkipAt) {
		skip = 0
	}
	begin := skip + token
	end := p.n
	if t := q.Get("$top"); t != "" {
		top, _ := strconv.Atoi(t)
		end = min(end, skip+top)
	}
	pageEnd := min(end, begin+1000)
	rows := []item{}
	for i := begin; i < pageEnd; i++ {
		rows = append(rows, item{ID: i})
	}
	d := map[string]any{"results": rows}
	if q.Get("$inlinecount") == "allpages" && !p.ignoreCount {
		d["__count"] = strconv.Itoa(p.n)
		if p.count != "" {
			d["__count"] = p.count
		}
	}
	if pageEnd < end && !p.noNext {
		q.Del("$skiptoken")
		next := "Items?" + q.Encode() + "&$skiptoken=" + strconv.Itoa(token+pageEnd-begin)
		if p.absoluteNext != "" {
			next = p.absoluteNext
		}
		d["__next"] = next
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"d": d})
}

func newPagedClient(t *testing.T, p *pagedServer, maxConcurrent int, opts ...Option) *Client {
	t.Helper()
	srv := newServer(t, p)
	s := basicSettings(srv.URL)
	s.MaxConcurrent = maxConcurrent
	return mustNew(t, s, append(fastOptions(&instantSleep{}), opts...)...)
}

func checkSequence(t *testing.T, rows []item, n int) {
	t.Helper()
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.ID != i {
			t.Fatalf("row %d has id %d: rows out of order or duplicated", i, r.ID)
		}
	}
}

func TestListParallelPages(t *testing.T) {
	p := &pagedServer{n: 3500, latency: 60 * time.Millisecond}
	c := newPagedClient(t, p, 4)
	start := time.Now()
	rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items", Query: url.Values{"$orderby": {"Id"}}})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	checkSequence(t, rows, 3500)
	// One counted first page, then the three remaining pages at once: 4 requests, two round trips.
	if got := p.hits.Load(); got != 4 {
		t.Errorf("%d requests, want 4", got)
	}
	if p.peak.Load() != 3 {
		t.Errorf("peak concurrency %d, want the 3 remaining pages in parallel", p.peak.Load())
	}
	if took > 3*p.latency+100*time.Millisecond {
		t.Errorf("took %s: pages were not fetched in parallel", took)
	}
	if res.Total != 3500 || res.Capped || res.FollowedNext || res.Rows != 3500 || len(res.Requests) != 4 {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(res.Requests[0], "$inlinecount=allpages") || strings.Contains(res.Requests[0], "$top") || strings.Contains(res.Requests[1], "$inlinecount") ||
		!strings.Contains(res.Requests[3], "$skip=3000") || !strings.Contains(res.Requests[3], "$top=500") {
		t.Errorf("requests %v", res.Requests)
	}
}

func TestListConcurrencyBoundedByClient(t *testing.T) {
	p := &pagedServer{n: 12000, latency: 20 * time.Millisecond}
	c := newPagedClient(t, p, 3)
	rows, _, err := List[item](context.Background(), c, ListOptions{Path: "Items"})
	if err != nil {
		t.Fatal(err)
	}
	checkSequence(t, rows, 12000)
	if p.peak.Load() > 3 {
		t.Errorf("peak concurrency %d exceeds the client's limit of 3", p.peak.Load())
	}
	if p.hits.Load() != 12 {
		t.Errorf("%d requests, want 12", p.hits.Load())
	}
}

func TestListCap(t *testing.T) {
	tests := []struct {
		name       string
		n, max     int
		wantRows   int
		wantCalls  int64
		wantCapped bool
		wantTop    string
	}{
		{"cap within the first page", 3500, 300, 300, 1, true, "$top=300"},
		{"cap across pages", 3500, 2500, 2500, 3, true, "$top=2500"},
		{"cap above the total", 1500, 10000, 1500, 2, false, "$top=10000"},
		{"exact", 2000, 2000, 2000, 2, false, "$top=2000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &pagedServer{n: tc.n}
			c := newPagedClient(t, p, 4)
			rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items", MaxRows: tc.max})
			if err != nil {
				t.Fatal(err)
			}
			checkSequence(t, rows, tc.wantRows)
			if p.hits.Load() != tc.wantCalls || res.Capped != tc.wantCapped || res.Total != int64(tc.n) {
				t.Errorf("calls %d capped %v total %d; want %d %v %d", p.hits.Load(), res.Capped, res.Total, tc.wantCalls, tc.wantCapped, tc.n)
			}
			if !strings.Contains(res.Requests[0], tc.wantTop) {
				t.Errorf("first request %s, want %s", res.Requests[0], tc.wantTop)
			}
		})
	}
}

func TestListFallsBackToNext(t *testing.T) {
	tests := []struct {
		name           string
		server         func() *pagedServer
		max            int
		wantRows       int
		wantIncomplete bool
	}{
		{"server ignores $skip", func() *pagedServer { return &pagedServer{n: 3500, ignoreSkip: true} }, 0, 3500, false},
		{"server ignores $skip, capped", func() *pagedServer { return &pagedServer{n: 3500, ignoreSkip: true} }, 2200, 2200, false},
		{"server sends no __count", func() *pagedServer { return &pagedServer{n: 2500, ignoreCount: true} }, 0, 2500, false},
		{"server ignores $skip and sends no __next", func() *pagedServer { return &pagedServer{n: 2500, ignoreSkip: true, noNext: true} }, 0, 1000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.server()
			c := newPagedClient(t, p, 4)
			rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items", MaxRows: tc.max})
			if err != nil {
				t.Fatal(err)
			}
			checkSequence(t, rows, tc.wantRows)
			if res.Incomplete != tc.wantIncomplete {
				t.Errorf("incomplete %v, want %v", res.Incomplete, tc.wantIncomplete)
			}
			if !tc.wantIncomplete && !res.FollowedNext {
				t.Errorf("the listing did not follow __next: %+v", res)
			}
			if tc.max > 0 && !res.Capped {
				t.Errorf("not marked capped")
			}
		})
	}
}

func TestListRefusesForeignNextLink(t *testing.T) {
	p := &pagedServer{n: 2500, ignoreCount: true, absoluteNext: "https://evil.example.com/api/v1/Items?$skiptoken=1000"}
	c := newPagedClient(t, p, 4)
	_, _, err := List[item](context.Background(), c, ListOptions{Path: "Items"})
	if err == nil || !strings.Contains(err.Error(), "evil.example.com") {
		t.Fatalf("error %v, want a refusal naming the foreign host", err)
	}
	if p.hits.Load() != 1 {
		t.Errorf("%d requests; the foreign link must not be requested", p.hits.Load())
	}
}

// goroutinesIn counts live goroutines whose stack mentions fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// goroutinesLeft waits until no goroutine mentions fn and returns how many still do after 30 s: a worker
// has signalled done before its goroutine is gone, and cancelled requests end on their own schedule (the
// bound only stops a leak hanging the test).
func goroutinesLeft(fn string) int {
	deadline := time.Now().Add(30 * time.Second)
	for goroutinesIn(fn) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return goroutinesIn(fn)
}

func TestListPageErrorStopsAllWithoutLeaks(t *testing.T) {
	p := &pagedServer{n: 9000, latency: 30 * time.Millisecond, failSkip: 2000}
	c := newPagedClient(t, p, 8)
	_, _, err := List[item](context.Background(), c, ListOptions{Path: "Items"})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v, want the failing page's error", err)
	}
	if n := goroutinesLeft("cpi.(*lister"); n != 0 {
		t.Errorf("%d listing workers still running 30 s after List returned", n)
	}
	if n := goroutinesLeft("cpi.(*Client).fetch"); n != 0 {
		t.Errorf("%d requests still running 30 s after List returned", n)
	}
}

func TestListEachStopsOnCallbackError(t *testing.T) {
	p := &pagedServer{n: 5000}
	c := newPagedClient(t, p, 2)
	stop := fmt.Errorf("enough")
	pages := 0
	_, err := ListEach(context.Background(), c, ListOptions{Path: "Items"}, func(page int, rows []item) error {
		pages++
		if page > 0 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("error %v, want the callback's", err)
	}
	if pages > 3 {
		t.Errorf("%d pages delivered after the callback failed", pages)
	}
}

// TestListAgainstSimulator checks the listing against the simulated tenant: every message of a window,
// once, matching the tenant's $count, in as few round trips as the pages allow.
func TestListAgainstSimulator(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	sim := simulator.New(simulator.Config{Seed: 5, MessagesPerDay: 200_000, Now: func() time.Time { return now }})
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			hits.Add(1)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s := settings.Settings{APIBaseURL: srv.URL, AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: srv.URL + "/oauth/token", ClientID: simulator.DefaultClientID, Timeout: 10 * time.Second, MaxConcurrent: 4,
		Secrets: settings.Secrets{ClientSecret: simulator.DefaultClientSecret}}
	c := mustNew(t, s, fastOptions(&instantSleep{})...)
	filter := "LogEnd ge datetime'2026-11-21T09:00:00' and LogEnd lt datetime'2026-11-21T09:40:00'"
	n, _, err := c.Count(context.Background(), "MessageProcessingLogs/$count", url.Values{"$filter": {filter}})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3000 {
		t.Fatalf("window holds %d messages; the test needs several pages", n)
	}
	hits.Store(0)
	type mpl struct {
		MessageGuid string
		Status      string
	}
	rows, res, err := List[mpl](context.Background(), c, ListOptions{Path: "MessageProcessingLogs",
		Query: url.Values{"$filter": {filter}, "$select": {"MessageGuid,Status"}, "$orderby": {"LogEnd"}}})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)) != n || res.Total != n {
		t.Fatalf("%d rows (total %d), $count says %d", len(rows), res.Total, n)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.MessageGuid] {
			t.Fatalf("message %s listed twice", r.MessageGuid)
		}
		seen[r.MessageGuid] = true
	}
	if want := (n + 999) / 1000; hits.Load() != want || res.FollowedNext {
		t.Errorf("%d requests (followed next: %v), want %d", hits.Load(), res.FollowedNext, want)
	}
}

func TestContinueEachDoesNotRepeatTheFirstPage(t *testing.T) {
	p := &pagedServer{n: 3500}
	c := newPagedClient(t, p, 4)
	ctx := context.Background()
	q := url.Values{"$orderby": {"Id"}, "$inlinecount": {"allpages"}}
	first, _, err := GetCollection[item](ctx, c, "Items", q)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[int][]item{}
	res, err := ContinueEach(ctx, c, ListOptions{Path: "Items", Query: url.Values{"$orderby": {"Id"}}}, first, func(page int, rows []item) error {
		pages[page] = rows
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows []item
	for i := 0; i < len(pages); i++ {
		rows = append(rows, pages[i]...)
	}
	checkSequence(t, rows, 3500)
	if p.hits.Load() != 4 || len(res.Requests) != 3 || res.Total != 3500 {
		t.Errorf("%d requests in all, %d logged by ContinueEach (want 4 and 3), total %d", p.hits.Load(), len(res.Requests), res.Total)
	}
}

// explosive panics while decoding the row with Id 1500, as a decoder meeting a value it never expected.
type explosive struct{ ID int }

func (e *explosive) UnmarshalJSON(b []byte) error {
	var v struct{ Id int }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.Id == 1500 {
		var none []int
		_ = none[v.Id]
	}
	e.ID = v.Id
	return nil
}

// A panic while reading a later page (in a page worker) fails the listing; the process lives on.
func TestListPanicInPageWorkerIsAnError(t *testing.T) {
	p := &pagedServer{n: 3500}
	c := newPagedClient(t, p, 4)
	_, _, err := List[explosive](context.Background(), c, ListOptions{Path: "Items"})
	if !safe.IsPanic(err) {
		t.Fatalf("err = %v, want the recovered panic", err)
	}
	if n := goroutinesLeft("cpi.(*lister"); n != 0 {
		t.Errorf("%d listing workers still running 30 s after List returned", n)
	}
}

// The $skip fallback compares page 1 with as many rows of page 0 as it holds: a 1500-row result whose
// second page asks for 500 rows is still recognised, and no row is delivered twice.
func TestListSkipIgnoredPartialSecondPage(t *testing.T) {
	for _, n := range []int{1500, 1001, 2999} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			p := &pagedServer{n: n, ignoreSkip: true}
			c := newPagedClient(t, p, 4)
			rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items"})
			if err != nil {
				t.Fatal(err)
			}
			checkSequence(t, rows, n)
			if !res.FollowedNext || res.Incomplete || res.Notice("items") != "" {
				t.Errorf("result %+v, notice %q", res, res.Notice("items"))
			}
		})
	}
}

// A server that ignores $skip only on later pages fails the listing instead of delivering rows twice.
func TestListInconsistentPagesFail(t *testing.T) {
	p := &pagedServer{n: 5000, ignoreSkipAt: 3000}
	c := newPagedClient(t, p, 1)
	_, _, err := List[item](context.Background(), c, ListOptions{Path: "Items"})
	if !IsKind(err, KindMalformedResponse) || !strings.Contains(err.Error(), "inconsistently") {
		t.Fatalf("err = %v, want a paging error", err)
	}
}

// The count is a plan, never a size: a huge __count costs neither memory nor a request per counted row,
// and the shortfall is reported.
func TestListHugeCount(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		count     string
		max       int
		wantCalls int64 // at most
	}{
		{"one row", 1, "1000000000000", 0, 1},
		{"several pages", 2500, "1000000000000", 0, 3 + 4},
		{"max int64", 2500, "9223372036854775807", 0, 3 + 4},
		{"capped", 2500, "1000000000000", 1500, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &pagedServer{n: tc.n, count: tc.count}
			c := newPagedClient(t, p, 4)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items", MaxRows: tc.max})
			if err != nil {
				t.Fatal(err)
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			want := tc.n
			if tc.max > 0 {
				want = min(tc.n, tc.max)
			}
			checkSequence(t, rows, want)
			if got := p.hits.Load(); got > tc.wantCalls {
				t.Errorf("%d requests, want at most %d", got, tc.wantCalls)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
				t.Errorf("allocated %d MiB for %d rows", grew>>20, want)
			}
			if tc.max == 0 && (!res.Incomplete || !strings.Contains(res.Notice("items"), "counted "+tc.count+" items but its pages held")) {
				t.Errorf("result %+v, notice %q", res, res.Notice("items"))
			}
			if tc.max > 0 && (!res.Capped || !strings.Contains(res.Notice("items"), "Only the first 1500 items were read")) {
				t.Errorf("result %+v, notice %q", res, res.Notice("items"))
			}
		})
	}
}

// __next is followed whenever present: a count lower than the rows (or none at all) does not end the
// listing while the server links to more.
func TestListFollowsNextBeyondCount(t *testing.T) {
	for _, tc := range []struct {
		name  string
		count string
	}{{"count lower than the rows", "600"}, {"count of the first page only", "1000"}, {"zero", "0"}} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pagedServer{n: 3500, count: tc.count}
			c := newPagedClient(t, p, 4)
			rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items"})
			if err != nil {
				t.Fatal(err)
			}
			checkSequence(t, rows, 3500)
			if !res.FollowedNext || res.Incomplete {
				t.Errorf("result %+v", res)
			}
		})
	}
}

func TestListNextOnly(t *testing.T) {
	p := &pagedServer{n: 2500}
	c := newPagedClient(t, p, 4)
	rows, res, err := List[item](context.Background(), c, ListOptions{Path: "Items", NextOnly: true, Query: url.Values{"keystoreName": {"system"}}})
	if err != nil {
		t.Fatal(err)
	}
	checkSequence(t, rows, 2500)
	if strings.Contains(res.Requests[0], "$inlinecount") || strings.Contains(res.Requests[0], "$top") || !strings.Contains(res.Requests[0], "keystoreName=system") || len(res.Requests) != 3 {
		t.Errorf("requests %v", res.Requests)
	}
}
