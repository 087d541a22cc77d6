package cpi

// The byte budget: a bound on the response bodies one client holds at once.
//
// Every body is read under the budget: bytes are reserved as the buffer grows, before it grows. They are
// given back when the body has been decoded (the paging reader, GetCollection, GetEntity and Count call
// Release) or, for callers that keep the raw body, when the garbage collector finds it unreachable.
// Readers take bytes from a shared pool; a reader the pool cannot serve takes the lane, which one reader
// at a time may hold and which covers a whole maximal body, so no reader ever waits for bytes held by
// another waiting reader. What a client holds is therefore at most pool + maxBody (+ one growth step),
// however many requests are in flight and however large the tenant makes its pages.

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// DefaultBodyPool is the shared pool of a client's byte budget; with the lane (one maximal body,
// DefaultMaxBodyBytes) a client holds at most 128 MiB of response bodies.
const DefaultBodyPool = 64 << 20

// WithBodyBudget sets the shared pool of the byte budget (default DefaultBodyPool).
func WithBodyBudget(pool int64) Option { return func(o *options) { o.bodyPool = pool } }

// firstChunk is the buffer a body starts with; it doubles from there.
const firstChunk = 32 << 10

type bodyBudget struct {
	mu   sync.Mutex
	free int64
	lane chan struct{}

	held atomic.Int64 // bytes reserved now (pool and lane), for tests and the benchmark
	peak atomic.Int64
}

func newBodyBudget(pool int64) *bodyBudget {
	return &bodyBudget{free: pool, lane: make(chan struct{}, 1)}
}

// bodyHold is what one body has reserved.
type bodyHold struct {
	b         *bodyBudget
	mu        sync.Mutex
	pool      int64
	lane      bool
	laneBytes int64
	done      bool
}

func (b *bodyBudget) account(n int64) {
	v := b.held.Add(n)
	for {
		p := b.peak.Load()
		if v <= p || b.peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// grow reserves n more bytes, waiting for the lane when the pool cannot serve them.
func (h *bodyHold) grow(ctx context.Context, n int64) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lane {
		h.laneBytes += n
		h.b.account(n)
		return nil
	}
	h.b.mu.Lock()
	if h.b.free >= n {
		h.b.free -= n
		h.b.mu.Unlock()
		h.pool += n
		h.b.account(n)
		return nil
	}
	h.b.mu.Unlock()
	select {
	case h.b.lane <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.lane = true
	h.laneBytes += n
	h.b.account(n)
	return nil
}

// shrink gives back n bytes of the pool (a buffer outgrown and copied).
func (h *bodyHold) shrink(n int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lane || n > h.pool {
		return // the lane is given back whole
	}
	h.pool -= n
	h.b.mu.Lock()
	h.b.free += n
	h.b.mu.Unlock()
	h.b.account(-n)
}

// release gives everything back; only the first call counts.
func (h *bodyHold) release() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return
	}
	h.done = true
	h.b.mu.Lock()
	h.b.free += h.pool
	h.b.mu.Unlock()
	h.b.account(-(h.pool + h.laneBytes))
	if h.lane {
		<-h.b.lane
	}
}

// errBodyTooLarge is returned by readBody past max bytes.
var errBodyTooLarge = errors.New("body larger than the limit")

// readBody reads r up to max bytes under the budget. The hold stays with the body: the caller hands it
// to the Response (or releases it when the body is dropped).
func (b *bodyBudget) readBody(ctx context.Context, r io.Reader, max int64) ([]byte, *bodyHold, error) {
	h := &bodyHold{b: b}
	size := int64(firstChunk)
	if err := h.grow(ctx, size); err != nil {
		return nil, nil, err
	}
	buf := make([]byte, 0, size)
	for {
		if int64(len(buf)) == int64(cap(buf)) {
			if int64(len(buf)) > max {
				h.release()
				return nil, nil, errBodyTooLarge
			}
			next := min(2*int64(cap(buf)), max+1)
			if err := h.grow(ctx, next); err != nil {
				h.release()
				return nil, nil, err
			}
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			h.shrink(int64(cap(buf)))
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			h.release()
			return nil, nil, errBodyTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			h.release()
			return nil, nil, err
		}
	}
	if len(buf) == 0 {
		h.release()
		return buf, nil, nil
	}
	// A body whose reader forgets Release gives its bytes back when it is collected.
	runtime.AddCleanup(&buf[:1][0], func(h *bodyHold) { h.release() }, h)
	return buf, h, nil
}

// Release gives the bytes of the body back to the client's budget once the caller is done with Body
// (decoded it, or copied what it needs). Optional: an unreachable body is given back anyway.
func (r *Response) Release() {
	if r != nil {
		r.hold.release()
	}
}

// BodyBytesPeak reports the most response bytes the client held at once, and what it holds now.
func (c *Client) BodyBytesPeak() (peak, now int64) {
	return c.budget.peak.Load(), c.budget.held.Load()
}
