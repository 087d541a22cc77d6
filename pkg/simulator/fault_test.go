package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const artifacts = "/api/v1/IntegrationRuntimeArtifacts"

func TestParseFault(t *testing.T) {
	cases := []struct {
		in      string
		route   string
		want    Fault
		wantErr bool
	}{
		{in: "MessageProcessingLogs:status=503,count=3", route: "MessageProcessingLogs", want: Fault{Status: 503, Count: 3}},
		{in: "status=429;retryAfter=1", route: "*", want: Fault{Status: 429, RetryAfter: "1"}},
		{in: "token:latency=200ms,jitter=50", route: "token", want: Fault{Latency: 200 * time.Millisecond, Jitter: 50 * time.Millisecond}},
		{in: "*:loginPage", route: "*", want: Fault{LoginPage: true}},
		{in: "IntegrationRuntimeArtifacts:truncate,slowBody=2s", route: "IntegrationRuntimeArtifacts", want: Fault{TruncateBody: true, SlowBody: 2 * time.Second}},
		{in: "expireTokens=true", route: "*", want: Fault{ExpireTokens: true}},
		{in: "status=abc", wantErr: true},
		{in: "status=42", wantErr: true},
		{in: "bogus=1", wantErr: true},
		{in: "latency=-5s", wantErr: true},
		{in: "count=-1", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			route, f, err := ParseRouteFault(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", f)
				}
				return
			}
			if err != nil || route != tc.route || f != tc.want {
				t.Fatalf("got %q %+v %v, want %q %+v", route, f, err, tc.route, tc.want)
			}
		})
	}
}

func TestFaultsInstalledPerRoute(t *testing.T) {
	e := newEnv(t, Config{})
	e.fetchToken()
	t.Run("counted 503 burst on one route only", func(t *testing.T) {
		e.tenant.SetFault("IntegrationRuntimeArtifacts", Fault{Status: 503, Count: 2, RetryAfter: "3"})
		defer e.tenant.ClearFaults()
		for i, want := range []int{503, 503, 200} {
			st, h, b := e.get(artifacts)
			if st != want {
				t.Fatalf("request %d: %d, want %d", i, st, want)
			}
			if st == 503 {
				if h.Get("Retry-After") != "3" || !strings.Contains(string(b), `"error"`) {
					t.Fatalf("503 without Retry-After or OData body: %v %s", h, b)
				}
			}
		}
		if st, _, _ := e.get("/api/v1/MessageProcessingLogs/$count"); st != 200 {
			t.Fatalf("other route affected: %d", st)
		}
	})
	t.Run("statuses", func(t *testing.T) {
		for _, status := range []int{429, 500, 502, 503, 504} {
			e.tenant.SetFault("*", Fault{Status: status})
			st, h, _ := e.get(artifacts)
			if st != status || h.Get("Retry-After") != "" {
				t.Fatalf("status %d: got %d, Retry-After %q", status, st, h.Get("Retry-After"))
			}
		}
		e.tenant.ClearFaults()
		if st, _, _ := e.get(artifacts); st != 200 {
			t.Fatalf("after ClearFaults: %d", st)
		}
	})
	t.Run("latency and jitter", func(t *testing.T) {
		e.tenant.SetFault("IntegrationRuntimeArtifacts", Fault{Latency: 150 * time.Millisecond, Jitter: 50 * time.Millisecond})
		defer e.tenant.ClearFaults()
		start := time.Now()
		if st, _, _ := e.get(artifacts); st != 200 {
			t.Fatalf("%d", st)
		}
		if d := time.Since(start); d < 150*time.Millisecond || d > 2*time.Second {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("login page with status 200", func(t *testing.T) {
		e.tenant.SetFault("IntegrationRuntimeArtifacts", Fault{LoginPage: true})
		defer e.tenant.ClearFaults()
		st, h, b := e.get(artifacts)
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<html") {
			t.Fatalf("%d %s", st, h.Get("Content-Type"))
		}
	})
	t.Run("token endpoint fault", func(t *testing.T) {
		e.tenant.SetFault("token", Fault{Status: 500, Count: 1})
		defer e.tenant.ClearFaults()
		st, body, _ := postToken(t, e.srv.URL, tokenReq{basicID: DefaultClientID, basicPass: DefaultClientSecret, form: url.Values{"grant_type": {"client_credentials"}}})
		if st != 500 || body["error"] == nil {
			t.Fatalf("token fault: %d %v", st, body)
		}
		if st, _, _ := postToken(t, e.srv.URL, tokenReq{basicID: DefaultClientID, basicPass: DefaultClientSecret, form: url.Values{"grant_type": {"client_credentials"}}}); st != 200 {
			t.Fatalf("after the counted fault: %d", st)
		}
	})
	t.Run("truncated body", func(t *testing.T) {
		_, _, full := e.get(artifacts)
		e.tenant.SetFault("IntegrationRuntimeArtifacts", Fault{TruncateBody: true})
		defer e.tenant.ClearFaults()
		st, _, b := e.get(artifacts)
		var v any
		if st != 200 || json.Unmarshal(b, &v) == nil || len(b) != len(full)/2 || string(b) != string(full[:len(b)]) {
			t.Fatalf("truncate: %d, %d of %d bytes", st, len(b), len(full))
		}
	})
	t.Run("slow body arrives complete", func(t *testing.T) {
		e.tenant.SetFault("IntegrationRuntimeArtifacts", Fault{SlowBody: 300 * time.Millisecond})
		defer e.tenant.ClearFaults()
		start := time.Now()
		st, _, b := e.get(artifacts)
		var v any
		if st != 200 || json.Unmarshal(b, &v) != nil {
			t.Fatalf("slow body: %d %v", st, json.Unmarshal(b, &v))
		}
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Fatalf("slow body took only %v", d)
		}
	})
}

func TestTokensExpireInTheMiddleOfPaging(t *testing.T) {
	e := newEnv(t, Config{})
	filter := "LogStart ge " + lit(testNow.Add(-4*time.Hour))
	v := e.getJSON("/api/v1/MessageProcessingLogs" + q("$filter", filter, "$select", "MessageGuid"))
	next, _ := v["d"].(map[string]any)["__next"].(string)
	if next == "" {
		t.Fatal("need a second page")
	}
	e.tenant.SetFault("*", Fault{ExpireTokens: true})
	if st, _, _ := e.get("/api/v1/" + next); st != 401 {
		t.Fatalf("old token after expiry: %d", st)
	}
	e.fetchToken()
	if st, _, _ := e.get("/api/v1/" + next); st != 200 {
		t.Fatalf("new token: %d", st)
	}
	// No fault stays installed: the next request with the new token still works.
	if st, _, _ := e.get(artifacts); st != 200 {
		t.Fatalf("after refresh: %d", st)
	}
}

func TestFaultHeader(t *testing.T) {
	e := newEnv(t, Config{})
	cases := []struct {
		header     string
		wantStatus int
		check      func(t *testing.T, h http.Header, b []byte)
	}{
		{"status=429;retryAfter=1", 429, func(t *testing.T, h http.Header, b []byte) {
			if h.Get("Retry-After") != "1" || !strings.Contains(string(b), "rate limit") {
				t.Fatalf("429: %v %s", h, b)
			}
		}},
		{"status=429", 429, func(t *testing.T, h http.Header, _ []byte) {
			if _, ok := h["Retry-After"]; ok {
				t.Fatal("Retry-After without retryAfter")
			}
		}},
		{"status=502", 502, nil},
		{"loginPage", 200, func(t *testing.T, h http.Header, _ []byte) {
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Fatal(h.Get("Content-Type"))
			}
		}},
		{"truncate", 200, func(t *testing.T, _ http.Header, b []byte) {
			var v any
			if json.Unmarshal(b, &v) == nil {
				t.Fatal("truncated body parsed")
			}
		}},
		{"latency=120ms", 200, nil},
		{"expireTokens", 401, nil},
		{"nonsense", 400, nil},
	}
	for _, tc := range cases {
		t.Run(tc.header, func(t *testing.T) {
			e.fetchToken()
			start := time.Now()
			st, h, b := e.get(artifacts, FaultHeader, tc.header)
			if st != tc.wantStatus {
				t.Fatalf("status %d, want %d: %.200s", st, tc.wantStatus, b)
			}
			if strings.HasPrefix(tc.header, "latency") && time.Since(start) < 120*time.Millisecond {
				t.Fatal("latency not applied")
			}
			if tc.check != nil {
				tc.check(t, h, b)
			}
			// A header fault never sticks.
			e.fetchToken()
			if st, _, _ := e.get(artifacts); st != 200 {
				t.Fatalf("following request: %d", st)
			}
		})
	}
}

func TestPerUserRateLimit(t *testing.T) {
	e := newEnv(t, Config{PerUserRateLimit: true})
	// The wall clock the limit counts in stands still until the test moves it; the data's clock (Now)
	// is pinned as in every test and must not freeze the limit.
	wall := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	e.tenant.wallClock = func() time.Time { return wall }
	for i := 0; i < 50; i++ {
		if st, _, _ := e.get(artifacts); st != 200 {
			t.Fatalf("request %d: %d", i, st)
		}
	}
	st, _, b := e.get(artifacts)
	if st != 429 || !strings.Contains(string(b), "rate limit") {
		t.Fatalf("51st runtime request in one second: %d %s", st, b)
	}
	// Limits are per API area: message logs (100/s) are still available.
	if st, _, _ := e.get("/api/v1/MessageProcessingLogs/$count"); st != 200 {
		t.Fatalf("other area: %d", st)
	}
	// A second later the runtime area answers again, although the data's Now has not moved.
	wall = wall.Add(time.Second)
	if st, _, _ := e.get(artifacts); st != 200 {
		t.Fatalf("runtime request in the next second: %d", st)
	}
}

// TestConcurrentUse exercises the shared state (tokens, faults, rate windows) from many goroutines; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, Config{PerUserRateLimit: true})
	tok := e.fetchToken()
	done := make(chan struct{})
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func(i int) {
			defer func() { done <- struct{}{} }()
			for j := 0; j < 10; j++ {
				if i == 0 {
					e.tenant.SetFault("IntegrationRuntimeArtifacts", Fault{Status: 503, Count: 1})
					e.tenant.ClearFaults()
					continue
				}
				req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/MessageProcessingLogs/$count"+q("$filter", "Status eq 'FAILED' and LogStart ge "+lit(testNow.Add(-time.Hour))), nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.StatusCode != 429 {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		}(i)
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
