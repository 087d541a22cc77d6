package main

// Replay: the plugin's run again against the answers its first run received, served from memory after
// the injected latency, so that its wall time leaves out the simulator's own time (which on a loaded
// machine takes most of it) and keeps what a tenant with that latency costs: round trips, SAP's rate
// limits, the plugin's own work.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"
)

// answer is a recorded response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// recorder records the simulator's answers by request URI, or serves them back.
type recorder struct {
	mu        sync.Mutex
	recording bool
	replaying bool
	answers   map[string]answer
	misses    atomic.Int64
}

// serve answers r: from the recording when replaying (after the latency), else from next, recording
// the answer when recording. It reports whether it answered.
func (rc *recorder) serve(w http.ResponseWriter, r *http.Request, latency time.Duration, next http.Handler) bool {
	rc.mu.Lock()
	recording, replaying := rc.recording, rc.replaying
	a, ok := rc.answers[r.URL.RequestURI()]
	rc.mu.Unlock()
	switch {
	case replaying && ok:
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		}
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
		return true
	case replaying:
		rc.misses.Add(1)
	case recording:
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		rc.mu.Lock()
		rc.answers[r.URL.RequestURI()] = answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		rc.mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return true
	}
	return false
}

// replay runs fn once recording the tenant's answers, then measures it against them. It returns the
// replayed run's measurement and the number of requests the recording lacked (answered by the
// simulator).
func (e *env) replay(ctx context.Context, fn func(context.Context) error) (measurement, int64, error) {
	rc := &e.rec
	rc.mu.Lock()
	rc.answers, rc.recording = map[string]answer{}, true
	rc.mu.Unlock()
	err := fn(ctx)
	rc.mu.Lock()
	rc.recording, rc.replaying = false, true
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.answers, rc.replaying = nil, false
		rc.mu.Unlock()
	}()
	if err != nil {
		return measurement{}, 0, err
	}
	rc.misses.Store(0)
	m, err := e.measure(ctx, fn)
	return m, rc.misses.Load(), err
}
