package cpi

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// Post sends the body as JSON with the bearer token, refreshes a rejected token, retries 503 and hands
// back the error body (with its headers) for the caller to read.
func TestPost(t *testing.T) {
	ts := &tokenServer{t: t, mode: "secret"}
	tokenSrv := newServer(t, ts)
	var (
		mu     sync.Mutex
		bodies []string
		hits   atomic.Int64
	)
	api := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(b))
		mu.Unlock()
		switch {
		case r.URL.Path == "/calm/v1/fail":
			w.Header().Set("x-correlationid", "corr-1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusPreconditionRequired)
			_, _ = io.WriteString(w, `{"error":{"code":"PRECONDITION_REQUIRED","message":"Missing filter"}}`)
		case n == 1:
			// The first token is refused once (as after a tenant restart).
			w.WriteHeader(http.StatusUnauthorized)
		case n == 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.Header.Get("Authorization") != "Bearer "+ts.tokenFor(2):
			w.WriteHeader(http.StatusUnauthorized)
		default:
			okJSON(w, `[{"ok":true}]`)
		}
	}))
	var sl instantSleep
	c := mustNew(t, oauthSettings(api.URL, tokenSrv.URL+"/oauth/token"), append(fastOptions(&sl), WithServiceRoot(api.URL+"/calm/v1"))...)

	resp, err := c.Post(context.Background(), "analytics/providers/data", []byte(`{"format":"table"}`))
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if string(resp.Body) != `[{"ok":true}]` || resp.URL != api.URL+"/calm/v1/analytics/providers/data" {
		t.Fatalf("resp = %d %s %s", resp.Status, resp.URL, resp.Body)
	}
	if hits.Load() != 3 || ts.hits.Load() != 2 || len(sl.got()) != 1 {
		t.Errorf("API hits %d (want 3), token hits %d (want 2), retries %d (want 1)", hits.Load(), ts.hits.Load(), len(sl.got()))
	}
	mu.Lock()
	for _, b := range bodies {
		// Every attempt carries the whole body again.
		if b != `POST /calm/v1/analytics/providers/data application/json {"format":"table"}` {
			t.Errorf("request %q", b)
		}
	}
	mu.Unlock()

	resp, err = c.Post(context.Background(), "fail", []byte(`{}`))
	e := requireKind(t, err, KindHTTP)
	if resp == nil || resp.Header.Get("x-correlationid") != "corr-1" || e.Status != http.StatusPreconditionRequired {
		t.Fatalf("the error response must come back with its headers: %+v %v", resp, err)
	}

	// The host guard applies to Post as to Get.
	_, err = c.Post(context.Background(), "https://elsewhere.example/x", nil)
	requireKind(t, err, KindHostNotAllowed)
}
