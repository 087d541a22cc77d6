package cpi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// drivenClock is a clock that only moves when every goroutine it drives is asleep in it (or finished):
// then it jumps to the earliest wake-up time. What a goroutine reads between two sleeps is therefore
// the instant its limiter let it through.
type drivenClock struct {
	mu       sync.Mutex
	t        time.Time
	sleepers []drivenSleeper
	done     int
	changed  chan struct{}
}

type drivenSleeper struct {
	at   time.Time
	wake chan struct{}
}

func newDrivenClock(start time.Time) *drivenClock {
	return &drivenClock{t: start, changed: make(chan struct{}, 1)}
}

func (c *drivenClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *drivenClock) signal() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

func (c *drivenClock) sleep(ctx context.Context, d time.Duration) error {
	s := drivenSleeper{wake: make(chan struct{})}
	c.mu.Lock()
	s.at = c.t.Add(d)
	c.sleepers = append(c.sleepers, s)
	c.mu.Unlock()
	c.signal()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run starts n goroutines running fn and drives the clock until all have returned.
func (c *drivenClock) run(n int, fn func(i int)) {
	for i := range n {
		go func() {
			defer func() {
				c.mu.Lock()
				c.done++
				c.mu.Unlock()
				c.signal()
			}()
			fn(i)
		}()
	}
	for range c.changed {
		c.mu.Lock()
		if c.done == n {
			c.mu.Unlock()
			return
		}
		if len(c.sleepers)+c.done < n || len(c.sleepers) == 0 {
			c.mu.Unlock()
			continue
		}
		next := slices.MinFunc(c.sleepers, func(a, b drivenSleeper) int { return a.at.Compare(b.at) }).at
		c.t = next
		kept := c.sleepers[:0]
		var wake []chan struct{}
		for _, s := range c.sleepers {
			if s.at.After(next) {
				kept = append(kept, s)
			} else {
				wake = append(wake, s.wake)
			}
		}
		c.sleepers = kept
		c.mu.Unlock()
		for _, w := range wake {
			close(w)
		}
	}
}

// sleep makes the cache tests' clock usable by one goroutine's limiter: a sleep advances it.
func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	f.Add(d)
	return ctx.Err()
}

// SAP counts requests per fixed one-second window. Whatever the number of callers and wherever the
// windows start, no calendar second and no one-second span may see more than the limit, and the limiter
// must not throttle more than that: 3n+1 requests take three windows of 1.05 s.
func TestWindowLimiterKeepsSAPsFixedWindows(t *testing.T) {
	// 0.7 s into a second, so a token bucket's burst and refill would straddle a calendar second.
	start := time.Date(2026, 11, 21, 12, 0, 0, 700_000_000, time.UTC)
	for _, tc := range []struct{ limit, callers int }{{100, 1}, {100, 8}, {10, 3}, {4, 4}, {1, 2}} {
		t.Run(fmt.Sprintf("%d per second, %d callers", tc.limit, tc.callers), func(t *testing.T) {
			clock := newDrivenClock(start)
			l := newLimiter(tc.limit, clock.now, clock.sleep)
			total := 3*tc.limit + 1
			var mu sync.Mutex
			var starts []time.Time
			clock.run(tc.callers, func(i int) {
				for range total/tc.callers + btoi(i < total%tc.callers) {
					if err := l.Wait(context.Background()); err != nil {
						t.Error(err)
						return
					}
					at := clock.now()
					mu.Lock()
					starts = append(starts, at)
					mu.Unlock()
				}
			})
			if len(starts) != total {
				t.Fatalf("%d requests started, want %d", len(starts), total)
			}
			slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
			perSecond := map[int64]int{}
			for _, s := range starts {
				perSecond[s.Unix()]++
			}
			for sec, n := range perSecond {
				if n > tc.limit {
					t.Errorf("%d requests in the calendar second %s, limit %d", n, time.Unix(sec, 0).UTC().Format(time.TimeOnly), tc.limit)
				}
			}
			for i := tc.limit; i < len(starts); i++ {
				if span := starts[i].Sub(starts[i-tc.limit]); span < time.Second {
					t.Fatalf("%d requests within %s", tc.limit+1, span)
				}
			}
			if got, want := starts[len(starts)-1].Sub(starts[0]), 3*1050*time.Millisecond; got != want {
				t.Errorf("the last of %d requests started %s after the first, want %s", total, got, want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestWindowLimiterHonoursTheContext(t *testing.T) {
	// In the future of the real clock, so a deadline relative to it has not passed in real time.
	clock := &fakeClock{now: time.Now().Add(24 * time.Hour)}
	slept := false
	l := newLimiter(2, clock.Now, func(ctx context.Context, d time.Duration) error {
		slept = true
		return clock.sleep(ctx, d)
	})
	for range 2 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// The third request would wait 1.05 s: a deadline before that fails it at once, without waiting.
	ctx, cancel := context.WithDeadline(context.Background(), clock.Now().Add(500*time.Millisecond))
	defer cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) || slept {
		t.Fatalf("Wait = %v (slept %v), want DeadlineExceeded without sleeping", err, slept)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := l.Wait(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a cancelled context = %v", err)
	}
	// The failed waits took no slot: after the window the next request goes through.
	if err := l.Wait(context.Background()); err != nil || !slept {
		t.Fatalf("Wait = %v (slept %v), want a wait for the window, then success", err, slept)
	}
	var unlimited *windowLimiter
	if newLimiter(0, clock.Now, clock.sleep) != unlimited || unlimited.Wait(context.Background()) != nil {
		t.Fatal("a limit of 0 must mean no limiter")
	}
}
