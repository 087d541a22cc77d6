package cpi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer answers every GET with a body naming the request number, after an optional delay; it
// records requests whose context was cancelled by the client.
type countingServer struct {
	delay     time.Duration
	hits      atomic.Int64
	cancelled atomic.Int64
	failFirst int64 // answer 500 to the first n requests
	release   chan struct{}
}

func (s *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.hits.Add(1)
	if s.release != nil {
		select {
		case <-s.release:
		case <-r.Context().Done():
			s.cancelled.Add(1)
			return
		}
	}
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			s.cancelled.Add(1)
			return
		}
	}
	if n <= s.failFirst {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"code":"x","message":{"lang":"en","value":"try later"}}}`)
		return
	}
	okJSON(w, `{"d":{"n":`+strconv.FormatInt(n, 10)+`,"path":"`+r.URL.Path+`"}}`)
}

// fakeClock is a settable clock for cache expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *fakeClock) Add(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newCachingClient(t *testing.T, h http.Handler, opts ...Option) (*Client, *fakeClock) {
	t.Helper()
	srv := newServer(t, h)
	clock := &fakeClock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	all := append(fastOptions(&instantSleep{}), WithClock(clock.Now))
	return mustNew(t, basicSettings(srv.URL), append(all, opts...)...), clock
}

func TestDeduplicatesConcurrentIdenticalRequests(t *testing.T) {
	s := &countingServer{release: make(chan struct{})}
	c, _ := newCachingClient(t, s)
	const callers = 20
	var wg sync.WaitGroup
	bodies := make([]string, callers)
	cached := atomic.Int64{}
	errs := make([]error, callers)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := c.Get(Shareable(context.Background()), "Things", nil)
			errs[i] = err
			if err == nil {
				bodies[i] = string(resp.Body)
				if resp.Cached {
					cached.Add(1)
				}
			}
		}()
	}
	// Let all callers queue up behind the first request before the server answers.
	waitFor(t, func() bool { st := c.CacheStats(); return st.Requests+st.Shared == callers })
	close(s.release)
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if bodies[i] != bodies[0] {
			t.Fatalf("caller %d got %q, caller 0 %q", i, bodies[i], bodies[0])
		}
	}
	if s.hits.Load() != 1 || cached.Load() != callers-1 {
		t.Errorf("%d requests reached the tenant and %d answers were shared; want 1 and %d", s.hits.Load(), cached.Load(), callers-1)
	}
	// Shareable is not cacheable: the next request goes out again.
	if _, err := c.Get(Shareable(context.Background()), "Things", nil); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 2 {
		t.Errorf("an uncached request after the flight was answered without asking the tenant")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 5 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestSharedRequestSurvivesTheLeadersCancellation(t *testing.T) {
	s := &countingServer{release: make(chan struct{})}
	c, _ := newCachingClient(t, s)
	leaderCtx, cancelLeader := context.WithCancel(Shareable(context.Background()))
	leaderErr := make(chan error, 1)
	go func() {
		_, err := c.Get(leaderCtx, "Things", nil)
		leaderErr <- err
	}()
	waitFor(t, func() bool { return s.hits.Load() == 1 })
	followerResp := make(chan *Response, 1)
	go func() {
		resp, err := c.Get(Shareable(context.Background()), "Things", nil)
		if err != nil {
			t.Errorf("follower: %v", err)
		}
		followerResp <- resp
	}()
	waitFor(t, func() bool { return c.CacheStats().Shared == 1 })
	cancelLeader()
	if err := <-leaderErr; !IsKind(err, KindCanceled) {
		t.Errorf("leader error %v, want its own cancellation", err)
	}
	close(s.release)
	resp := <-followerResp
	if resp == nil || !strings.Contains(string(resp.Body), `"n":1`) {
		t.Fatalf("follower got %v", resp)
	}
	if s.hits.Load() != 1 || s.cancelled.Load() != 0 {
		t.Errorf("hits %d cancelled %d: the shared request must go on while someone waits", s.hits.Load(), s.cancelled.Load())
	}
}

func TestSharedRequestCancelledWhenEveryoneGivesUp(t *testing.T) {
	s := &countingServer{release: make(chan struct{})}
	defer close(s.release)
	c, _ := newCachingClient(t, s)
	ctx, cancel := context.WithCancel(Shareable(context.Background()))
	done := make(chan error, 2)
	for i := 0; i < 2; i++ {
		go func() { _, err := c.Get(ctx, "Things", nil); done <- err }()
	}
	waitFor(t, func() bool { st := c.CacheStats(); return st.Requests == 1 && st.Shared == 1 })
	cancel()
	for i := 0; i < 2; i++ {
		if err := <-done; !IsKind(err, KindCanceled) {
			t.Errorf("error %v, want cancelled", err)
		}
	}
	waitFor(t, func() bool { return s.cancelled.Load() == 1 })
	// A new caller starts afresh instead of joining the cancelled request.
	go func() { _, _ = c.Get(Shareable(context.Background()), "Things", nil) }()
	waitFor(t, func() bool { return s.hits.Load() == 2 })
}

func TestResponseCache(t *testing.T) {
	tests := []struct {
		name     string
		ctx      func(context.Context) context.Context
		advance  time.Duration
		opts     []Option
		wantHits int64 // server hits after two GETs separated by advance
	}{
		{"not marked: never cached", func(ctx context.Context) context.Context { return ctx }, 0, nil, 2},
		{"shareable: never stored", Shareable, 0, nil, 2},
		{"closed window: cached within the TTL", func(ctx context.Context) context.Context { return CacheFor(ctx, 0) }, 29 * time.Second, nil, 1},
		{"closed window: expired after 30 s", func(ctx context.Context) context.Context { return CacheFor(ctx, 0) }, 31 * time.Second, nil, 2},
		{"own TTL", func(ctx context.Context) context.Context { return CacheFor(ctx, 5*time.Minute) }, 4 * time.Minute, nil, 1},
		{"immutable: kept", func(ctx context.Context) context.Context { return Immutable(ctx) }, 24 * time.Hour, nil, 1},
		{"cache disabled", func(ctx context.Context) context.Context { return CacheFor(ctx, 0) }, time.Second, []Option{WithResponseCache(0, 1<<20)}, 2},
		{"cache disabled keeps immutable answers", func(ctx context.Context) context.Context { return Immutable(ctx) }, time.Second, []Option{WithResponseCache(0, 1<<20)}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &countingServer{}
			c, clock := newCachingClient(t, s, tc.opts...)
			ctx := tc.ctx(context.Background())
			first, err := c.Get(ctx, "Things", nil)
			if err != nil {
				t.Fatal(err)
			}
			clock.Add(tc.advance)
			second, err := c.Get(ctx, "Things", nil)
			if err != nil {
				t.Fatal(err)
			}
			if s.hits.Load() != tc.wantHits {
				t.Fatalf("%d requests reached the tenant, want %d", s.hits.Load(), tc.wantHits)
			}
			if tc.wantHits == 1 && (!second.Cached || string(second.Body) != string(first.Body)) {
				t.Errorf("second answer cached=%v body %q, first %q", second.Cached, second.Body, first.Body)
			}
			if tc.wantHits == 2 && second.Cached {
				t.Errorf("a fresh answer is marked cached")
			}
		})
	}
}

func TestCacheKeysIncludeQueryAndIdentity(t *testing.T) {
	s := &countingServer{}
	srv := newServer(t, s)
	ctx := CacheFor(context.Background(), 0)
	a := mustNew(t, basicSettings(srv.URL), fastOptions(&instantSleep{})...)
	other := basicSettings(srv.URL)
	other.BasicUser = "another-user"
	b := mustNew(t, other, fastOptions(&instantSleep{})...)
	for _, step := range []struct {
		c    *Client
		path string
		q    map[string][]string
	}{
		{a, "Things", nil}, {a, "Things", map[string][]string{"$top": {"1"}}}, {a, "Things", nil}, {b, "Things", nil},
	} {
		if _, err := step.c.Get(ctx, step.path, step.q); err != nil {
			t.Fatal(err)
		}
	}
	// a/Things, a/Things?$top=1, (a/Things cached), b/Things: another identity and instance never share.
	if s.hits.Load() != 3 {
		t.Errorf("%d requests, want 3", s.hits.Load())
	}
	if a.cache.identity == b.cache.identity || strings.Contains(a.cache.identity, testPassword) {
		t.Errorf("identities %q / %q", a.cache.identity, b.cache.identity)
	}
}

func TestErrorsAreNotCached(t *testing.T) {
	s := &countingServer{failFirst: 1}
	c, _ := newCachingClient(t, s)
	ctx := CacheFor(context.Background(), 0)
	if _, err := c.Get(ctx, "Things", nil); err == nil {
		t.Fatal("first request should fail")
	}
	resp, err := c.Get(ctx, "Things", nil)
	if err != nil || resp.Cached {
		t.Fatalf("second request: %v (cached %v)", err, resp != nil && resp.Cached)
	}
	if s.hits.Load() != 2 {
		t.Errorf("%d hits", s.hits.Load())
	}
}

func TestCacheEvictsLeastRecentlyUsedWithinBudget(t *testing.T) {
	s := &countingServer{}
	// Budget: each entry costs ~600 bytes (overhead 512 + body + key); 8 KiB keep about a dozen.
	c, _ := newCachingClient(t, s, WithResponseCache(time.Minute, 8<<10))
	ctx := Immutable(context.Background())
	for i := 0; i < 40; i++ {
		if _, err := c.Get(ctx, "Things('"+strconv.Itoa(i)+"')", nil); err != nil {
			t.Fatal(err)
		}
	}
	st := c.CacheStats()
	if st.Bytes > 8<<10 || st.Entries == 0 || st.Entries >= 40 {
		t.Fatalf("stats %+v: the budget is not enforced", st)
	}
	hits := s.hits.Load()
	if _, err := c.Get(ctx, "Things('39')", nil); err != nil { // most recent: still there
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "Things('0')", nil); err != nil { // oldest: evicted
		t.Fatal(err)
	}
	if got := s.hits.Load() - hits; got != 1 {
		t.Errorf("%d requests for the newest and the oldest entry, want 1 (only the evicted one)", got)
	}
}

func TestDeduplicationUnderRace(t *testing.T) {
	// Many goroutines, a few distinct URLs, some cacheable: run with -race. Every answer must be the one
	// for its own URL.
	s := &countingServer{delay: 2 * time.Millisecond}
	c, _ := newCachingClient(t, s)
	var wg sync.WaitGroup
	errCh := make(chan error, 400)
	for i := 0; i < 400; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "Things" + strconv.Itoa(i%5)
			ctx := Shareable(context.Background())
			if i%2 == 0 {
				ctx = CacheFor(context.Background(), 0)
			}
			resp, err := c.Get(ctx, path, nil)
			if err != nil {
				errCh <- err
				return
			}
			if !strings.Contains(string(resp.Body), `/api/v1/`+path+`"`) {
				errCh <- errors.New("answer for another URL: " + string(resp.Body))
			}
		}()
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		t.Fatal(err)
	}
	st := c.CacheStats()
	if st.Requests+st.Hits+st.Shared != 400 || st.Requests >= 400 {
		t.Errorf("stats %+v", st)
	}
}

func TestCachedResponseNeverRequests(t *testing.T) {
	s := &countingServer{}
	c, clock := newCachingClient(t, s)
	if _, ok := c.CachedResponse("Things('1')", nil); ok {
		t.Fatal("an answer never fetched is reported cached")
	}
	if _, err := c.Get(Immutable(context.Background()), "Things('1')", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(CacheFor(context.Background(), time.Second), "Things('2')", nil); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	resp, ok := c.CachedResponse("Things('1')", nil)
	if !ok || !resp.Cached || !strings.Contains(string(resp.Body), `"n":1`) {
		t.Errorf("immutable answer: %v %v", resp, ok)
	}
	if _, ok := c.CachedResponse("Things('2')", nil); ok {
		t.Error("an expired answer is reported cached")
	}
	if s.hits.Load() != 2 {
		t.Errorf("%d requests, want 2", s.hits.Load())
	}
}
