package cpi

import (
	"context"
	"net/http"
	"testing"
)

// A secondary API (Cloud ALM, audit log) is reached through the same client with its own root; the host
// guard applies to that root.
func TestWithServiceRoot(t *testing.T) {
	var gotPath string
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		okJSON(w, `{"ok":true}`)
	}))
	evil := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { okJSON(w, `{}`) }))
	c := mustNew(t, basicSettings(srv.URL), WithServiceRoot(srv.URL+"/api/calm-analytics/v1/"))
	if c.ServiceRoot() != srv.URL+"/api/calm-analytics/v1" {
		t.Fatalf("root = %s", c.ServiceRoot())
	}
	if _, err := c.Get(context.Background(), "analytics/providers", nil); err != nil {
		t.Fatal(err)
	}
	if gotPath != "/api/calm-analytics/v1/analytics/providers" {
		t.Fatalf("path = %s", gotPath)
	}
	_, err := c.GetURL(context.Background(), evil.URL+"/api/calm-analytics/v1/x")
	requireKind(t, err, KindHostNotAllowed)
}
