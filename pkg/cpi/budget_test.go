package cpi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hugePages serves /api/v1/Items: pages rows of n in all, each row padded with a field nobody asked for,
// so that a page is about pageMiB MiB.
type hugePages struct {
	n, pageRows, pad int
	served           atomic.Int64
}

func (h *hugePages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	skip, _ := strconv.Atoi(q.Get("$skip"))
	end := min(h.n, skip+h.pageRows)
	if t := q.Get("$top"); t != "" {
		top, _ := strconv.Atoi(t)
		end = min(end, skip+top)
	}
	pad := strings.Repeat("x", h.pad)
	var b bytes.Buffer
	b.WriteString(`{"d":{"results":[`)
	for i := skip; i < end; i++ {
		if i > skip {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Id":%d,"Junk":"%s"}`, i, pad)
	}
	b.WriteString(`]`)
	if q.Get("$inlinecount") == "allpages" {
		fmt.Fprintf(&b, `,"__count":"%d"`, h.n)
	}
	b.WriteString(`}}`)
	h.served.Add(int64(b.Len()))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

// peakHeap samples the live heap while fn runs and returns the highest value seen.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var peak uint64
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				done <- peak
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	return <-done
}

// The bytes a client holds are bounded by its budget (pool + one maximal body), not by the number of
// pages in flight times their size: 12 pages of 8 MiB read 8 at a time. The figures are printed; the
// asserted bounds are generous and do not depend on the machine's speed.
func TestBodyBudgetBoundsMemoryInFlight(t *testing.T) {
	const (
		pageRows, pad = 1000, 8 << 10 // ~8 MiB per page
		pool, maxBody = 8 << 20, 12 << 20
	)
	run := func(t *testing.T, pool int64) (uint64, int64) {
		h := &hugePages{n: 12 * pageRows, pageRows: pageRows, pad: pad}
		srv := newServer(t, h)
		s := basicSettings(srv.URL)
		s.MaxConcurrent = 8
		s.Timeout = time.Minute // pages wait for the budget; the test bounds memory, not time
		c := mustNew(t, s, append(fastOptions(&instantSleep{}), WithBodyBudget(pool), WithMaxBodyBytes(maxBody))...)
		var rows int
		heap := peakHeap(func() {
			_, err := ListEach(context.Background(), c, ListOptions{Path: "Items"}, func(_ int, page []item) error {
				rows += len(page)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
		if rows != 12*pageRows {
			t.Errorf("%d rows, want %d", rows, 12*pageRows)
		}
		peak, now := c.BodyBytesPeak()
		if now != 0 {
			t.Errorf("%d bytes still held after the listing", now)
		}
		t.Logf("pool %d MiB: served %d MiB, peak heap %d MiB, peak body bytes held %d MiB",
			pool>>20, h.served.Load()>>20, heap>>20, peak>>20)
		return heap, peak
	}
	free, freeHeld := run(t, 1<<40) // for comparison: the budget does not bind
	heap, held := run(t, pool)
	// A growing buffer is reserved before it is allocated, so the lane may count a body's last two
	// buffers: pool + 2 maximal bodies.
	if limit := int64(pool + 2*maxBody); held > limit || held >= freeHeld {
		t.Errorf("held %d MiB of bodies at once (unbounded: %d MiB), want at most pool + lane (%d MiB)", held>>20, freeHeld>>20, limit>>20)
	}
	if heap > 400<<20 {
		t.Errorf("peak heap %d MiB (unbounded: %d MiB) for 8 MiB pages read 8 at a time under a %d MiB budget", heap>>20, free>>20, (pool+maxBody)>>20)
	}
}
