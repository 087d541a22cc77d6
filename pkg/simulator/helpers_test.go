package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// testNow is a fixed Tuesday afternoon, so tests are deterministic.
var testNow = time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	tenant *Tenant
	srv    *httptest.Server
	token  string
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	if cfg.Seed == 0 {
		cfg.Seed = 42
	}
	ten := New(cfg)
	srv := httptest.NewServer(ten)
	t.Cleanup(srv.Close)
	return &env{t: t, tenant: ten, srv: srv}
}

// fetchToken gets a token with the default client via HTTP Basic.
func (e *env) fetchToken() string {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != 200 {
		e.t.Fatalf("token: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		e.t.Fatalf("token body: %v", err)
	}
	e.token = tok.AccessToken
	return tok.AccessToken
}

// get performs an authenticated GET of path (relative to the server, e.g. "/api/v1/…") with JSON accepted.
func (e *env) get(path string, hdr ...string) (int, http.Header, []byte) {
	e.t.Helper()
	if e.token == "" {
		e.fetchToken()
	}
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// getJSON GETs and decodes a 200 JSON response.
func (e *env) getJSON(path string) map[string]any {
	e.t.Helper()
	st, _, b := e.get(path)
	if st != 200 {
		e.t.Fatalf("GET %s: status %d: %s", path, st, b)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		e.t.Fatalf("GET %s: %v: %.300s", path, err, b)
	}
	return v
}

// results returns d.results of a collection response.
func results(t *testing.T, v map[string]any) []map[string]any {
	t.Helper()
	d, ok := v["d"].(map[string]any)
	if !ok {
		t.Fatalf("no d object in %v", v)
	}
	rs, ok := d["results"].([]any)
	if !ok {
		t.Fatalf("no d.results in %v", d)
	}
	out := make([]map[string]any, len(rs))
	for i, r := range rs {
		out[i] = r.(map[string]any)
	}
	return out
}

// q builds a query string from pairs, escaped the way a client would send it.
func q(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return "?" + v.Encode()
}

// lit formats a datetime literal.
func lit(t time.Time) string { return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'" }
