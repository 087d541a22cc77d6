package cpi

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// foreign is a server on another origin that must never be contacted.
type foreign struct{ hits atomic.Int64 }

func (f *foreign) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	okJSON(w, `{"d":{"results":[]}}`)
}

func TestHostGuard(t *testing.T) {
	evil := &foreign{}
	evilSrv := newServer(t, evil)
	var apiPaths []string
	var mu sync.Mutex
	apiSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		apiPaths = append(apiPaths, r.URL.RequestURI())
		mu.Unlock()
		switch r.URL.Path {
		case "/api/v1/Redirect":
			http.Redirect(w, r, evilSrv.URL+"/login", http.StatusFound)
		case "/api/v1/Moved":
			http.Redirect(w, r, "/api/v1/MessageProcessingLogs", http.StatusFound)
		default:
			okJSON(w, `{"d":{"results":[]}}`)
		}
	}))
	var sl instantSleep
	c := mustNew(t, basicSettings(apiSrv.URL), fastOptions(&sl)...)
	ctx := context.Background()

	// A __next link to a foreign host is refused before any connection.
	_, err := c.GetURL(ctx, evilSrv.URL+"/api/v1/MessageProcessingLogs?$skiptoken=1000")
	e := requireKind(t, err, KindHostNotAllowed)
	requireContains(t, e.Error(), "Refusing", odataHost(evilSrv.URL))
	if backend.IsDownstreamError(err) {
		t.Errorf("a refused host is not a downstream error")
	}
	// Same host, other scheme is another origin too.
	_, err = c.GetURL(ctx, strings.Replace(apiSrv.URL, "http://", "https://", 1)+"/api/v1/X")
	requireKind(t, err, KindHostNotAllowed)
	// Get refuses absolute URLs.
	_, err = c.Get(ctx, evilSrv.URL+"/x", nil)
	requireKind(t, err, KindHostNotAllowed)
	// A redirect to a foreign host is not followed; it is explained as a login redirect.
	_, err = c.Get(ctx, "Redirect", nil)
	e = requireKind(t, err, KindLoginPage)
	requireContains(t, e.Error(), "redirected to "+odataHost(evilSrv.URL), "plan api")
	if n := evil.hits.Load(); n != 0 {
		t.Fatalf("the foreign host received %d requests (and possibly credentials)", n)
	}

	// Relative and absolute next links on the API host work; a same-host redirect is followed.
	for _, link := range []string{"MessageProcessingLogs?$skiptoken=1000", apiSrv.URL + "/api/v1/MessageProcessingLogs?$skiptoken=2000"} {
		resp, err := c.GetURL(ctx, link)
		if err != nil {
			t.Fatalf("%s: %v", link, err)
		}
		if !strings.HasPrefix(resp.URL, apiSrv.URL+"/api/v1/MessageProcessingLogs?$skiptoken=") {
			t.Errorf("resp.URL = %q", resp.URL)
		}
	}
	if _, err := c.Get(ctx, "Moved", nil); err != nil {
		t.Fatalf("same-host redirect: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := apiPaths[len(apiPaths)-1]; got != "/api/v1/MessageProcessingLogs" {
		t.Errorf("redirect target = %q", got)
	}
}

func TestTransportGuardRefusesForeignHosts(t *testing.T) {
	evil := &foreign{}
	evilSrv := newServer(t, evil)
	var sl instantSleep
	c := mustNew(t, basicSettings("http://127.0.0.1:1"), fastOptions(&sl)...)
	// Even a request built outside Get/GetURL cannot leave through the client's transport.
	req, _ := http.NewRequest(http.MethodGet, evilSrv.URL, nil)
	req.SetBasicAuth(testUser, testPassword)
	_, err := c.api.Do(req)
	requireKind(t, err, KindHostNotAllowed)
	if evil.hits.Load() != 0 {
		t.Fatal("foreign host contacted")
	}
}

func TestRetryOn429WithRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"seconds", "2", 2 * time.Second},
		{"http-date", "", 3 * time.Second}, // filled below: a date 3 s ahead of the client's clock
		{"capped", "3600", 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			ra := tc.retryAfter
			if ra == "" {
				ra = now.Add(3 * time.Second).Format(http.TimeFormat)
			}
			var hits atomic.Int64
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) <= 2 {
					w.Header().Set("Retry-After", ra)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				okJSON(w, "7")
			}))
			var sl instantSleep
			c := mustNew(t, basicSettings(srv.URL), append(fastOptions(&sl),
				WithClock(func() time.Time { return now }), WithMaxRetryWait(5*time.Second))...)
			resp, err := c.Get(context.Background(), "MessageProcessingLogs/$count", nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != "7" || hits.Load() != 3 {
				t.Errorf("body %q after %d hits", resp.Body, hits.Load())
			}
			waits := sl.got()
			if len(waits) != 2 || waits[0] != tc.want || waits[1] != tc.want {
				t.Errorf("waits = %v, want 2 × %s", waits, tc.want)
			}
		})
	}
}

func TestRetryStatuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []int
		wantHits int64
		wantKind Kind // "" = success
		words    []string
	}{
		{"503 burst then success", []int{503, 503, 200}, 3, "", nil},
		{"502 then success", []int{502, 200}, 2, "", nil},
		{"504 three times", []int{504, 504, 504, 200}, 3, KindServer, []string{"HTTP 504", "after 3 attempts"}},
		{"429 three times", []int{429, 429, 429, 200}, 3, KindRateLimited, []string{"HTTP 429", "100 requests/s", "message processing logs"}},
		{"500 is not retried", []int{500, 200}, 1, KindServer, []string{"HTTP 500", "after 1 attempt:", "try again later", "Internal failure"}},
		{"400 is not retried", []int{400, 200}, 1, KindBadRequest, []string{"HTTP 400", "Internal failure"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int64
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := hits.Add(1)
				st := tc.statuses[min(int(n), len(tc.statuses))-1]
				if st != 200 {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(st)
					_, _ = io.WriteString(w, `{"error":{"code":"Internal","message":{"lang":"en","value":"Internal failure"}}}`)
					return
				}
				okJSON(w, `{"d":{"results":[]}}`)
			}))
			var sl instantSleep
			c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...)
			_, err := c.Get(context.Background(), "MessageProcessingLogs", nil)
			if hits.Load() != tc.wantHits {
				t.Errorf("hits = %d, want %d", hits.Load(), tc.wantHits)
			}
			if tc.wantKind == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(sl.got()) != int(tc.wantHits-1) {
					t.Errorf("waits = %v", sl.got())
				}
				return
			}
			e := requireKind(t, err, tc.wantKind)
			requireContains(t, e.Error(), tc.words...)
			if !backend.IsDownstreamError(err) {
				t.Errorf("tenant errors must be downstream errors")
			}
		})
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	var hits atomic.Int64
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	// Real sleep this time: Retry-After 1 s, but the caller cancels after 50 ms.
	c := mustNew(t, basicSettings(srv.URL), WithRateLimit(AreaMessageLogs, 0))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Get(ctx, "MessageProcessingLogs", nil)
	if time.Since(start) > time.Second {
		t.Fatalf("retry wait ignored cancellation (%s)", time.Since(start))
	}
	requireKind(t, err, KindCanceled)
	if hits.Load() != 1 {
		t.Errorf("hits = %d", hits.Load())
	}
}

func TestConcurrencyBound(t *testing.T) {
	var inFlight, maxSeen atomic.Int64
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		okJSON(w, "1")
	}))
	s := basicSettings(srv.URL)
	s.MaxConcurrent = 3
	var sl instantSleep
	c := mustNew(t, s, fastOptions(&sl)...)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), "MessageProcessingLogs/$count", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := maxSeen.Load(); got != 3 {
		t.Errorf("max in flight = %d, want exactly 3", got)
	}

	// A caller waiting for a slot gives up when its context ends.
	block := make(chan struct{})
	srv2 := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	s2 := basicSettings(srv2.URL)
	s2.MaxConcurrent = 1
	c2 := mustNew(t, s2, fastOptions(&sl)...)
	bg, cancelBg := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _, _ = c2.Get(bg, "MessageProcessingLogs", nil); close(done) }()
	time.Sleep(30 * time.Millisecond) // let it take the only slot
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c2.Get(ctx, "MessageProcessingLogs", nil)
	e := requireKind(t, err, KindTimeout)
	requireContains(t, e.Error(), "query's deadline")
	cancelBg()
	close(block)
	<-done
}

func TestRateLimiterPerArea(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { okJSON(w, "1") }))
	var sl instantSleep
	clock := &fakeClock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
	get := func(c *Client, path string) time.Duration {
		t.Helper()
		before := clock.Now()
		if _, err := c.Get(context.Background(), path, nil); err != nil {
			t.Fatal(err)
		}
		return clock.Now().Sub(before)
	}
	c := mustNew(t, basicSettings(srv.URL), append(fastOptions(&sl), WithRateLimit(AreaSecurity, 3),
		WithLimitClock(clock.Now, clock.sleep))...)
	// Three keystore requests fit into one window; the fourth waits for the next (1 s plus the margin).
	for i := range 3 {
		if waited := get(c, "KeystoreEntries/$count"); waited != 0 {
			t.Errorf("keystore request %d waited %s", i+1, waited)
		}
	}
	// Areas have separate limiters: the full keystore window does not delay a message-log request.
	if waited := get(c, "MessageProcessingLogs/$count"); waited != 0 {
		t.Errorf("message-log request waited %s for the keystore limiter", waited)
	}
	if waited := get(c, "KeystoreEntries"); waited != 1050*time.Millisecond {
		t.Errorf("fourth keystore request waited %s, want 1.05s", waited)
	}
}

func TestAreaAndRole(t *testing.T) {
	for _, tc := range []struct {
		path string
		area Area
		role string
	}{
		{"MessageProcessingLogs", AreaMessageLogs, "MonitoringDataRead"},
		{"MessageProcessingLogs('abc')/ErrorInformation/$value", AreaMessageLogs, "MonitoringDataRead"},
		{"IntegrationRuntimeArtifacts/$count", AreaRuntime, "MonitoringDataRead"},
		{"ServiceEndpoints", AreaRuntime, "MonitoringDataRead"},
		{"KeystoreEntries", AreaSecurity, "MonitoringDataRead"},
		{"IntegrationPackages", AreaDesignTime, "WorkspacePackagesRead"},
		{"IntegrationDesigntimeArtifacts(Id='a',Version='active')", AreaDesignTime, "WorkspacePackagesRead"},
		{"JmsBrokers('Broker1')", AreaOther, "DataStoresAndQueuesRead"},
		{"LogFiles", AreaOther, "MonitoringDataRead"},
	} {
		u, _ := url.Parse("https://h.example/custom/api/v1/" + tc.path)
		set := entitySet(u, "https://h.example/custom/api/v1")
		if a := areaFor(set); a != tc.area || a.defaultRole(set) != tc.role {
			t.Errorf("%s: area %v role %s, want %v %s", tc.path, a, a.defaultRole(set), tc.area, tc.role)
		}
	}
}

func TestEncodeQuery(t *testing.T) {
	q := url.Values{}
	q.Set("$filter", "Status eq 'FAILED' and LogEnd gt datetime'2026-01-02T03:04:05'")
	q.Set("$select", "MessageGuid,Status")
	q.Set("$top", "1")
	q.Set("x", "a+b&c=d#e%f")
	got := EncodeQuery(q)
	want := "$filter=Status%20eq%20'FAILED'%20and%20LogEnd%20gt%20datetime'2026-01-02T03:04:05'&$select=MessageGuid,Status&$top=1&x=a%2Bb%26c%3Dd%23e%25f"
	if got != want {
		t.Errorf("EncodeQuery =\n%s\nwant\n%s", got, want)
	}
	// Whatever we keep readable must still decode to the original values.
	back, err := url.ParseQuery(got)
	if err != nil || back.Encode() != q.Encode() {
		t.Errorf("round trip: %v %v", back, err)
	}
}

func TestGetSendsQueryAndReturnsURL(t *testing.T) {
	var raw string
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw = r.URL.RawQuery
		okJSON(w, `{"d":{"results":[{"MessageGuid":"g1"}],"__count":"5"}}`)
	}))
	var sl instantSleep
	c := mustNew(t, basicSettings(srv.URL+"/"), fastOptions(&sl)...)
	q := url.Values{"$top": {"1"}, "$select": {"MessageGuid"}, "$inlinecount": {"allpages"}}
	col, resp, err := GetCollection[struct{ MessageGuid string }](context.Background(), c, "MessageProcessingLogs", q)
	if err != nil {
		t.Fatal(err)
	}
	if raw != "$inlinecount=allpages&$select=MessageGuid&$top=1" {
		t.Errorf("query = %q", raw)
	}
	if len(col.Results) != 1 || col.Results[0].MessageGuid != "g1" || col.Count == nil || *col.Count != 5 {
		t.Errorf("collection = %+v", col)
	}
	if strings.Contains(resp.URL, testPassword) || !strings.HasSuffix(resp.URL, "/api/v1/MessageProcessingLogs?"+raw) {
		t.Errorf("resp.URL = %q", resp.URL)
	}
}

// Every failure mode maps to its kind with an actionable, secret-free message.
func TestErrorKinds(t *testing.T) {
	htmlPage := "<!DOCTYPE html><html><body>Sign in</body></html>"
	handler := func(status int, ctype, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if ctype != "" {
				w.Header().Set("Content-Type", ctype)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	for _, tc := range []struct {
		name  string
		h     http.HandlerFunc
		path  string
		kind  Kind
		words []string
		ctx   func(context.Context) context.Context
	}{
		{"401 basic", handler(401, "", "Unauthorized"), "IntegrationRuntimeArtifacts/$count", KindUnauthorized,
			[]string{"HTTP 401", testUser, "check both"}, nil},
		{"403 default role", handler(403, "application/json", `{"error":{"code":"Forbidden","message":{"lang":"en","value":null}}}`),
			"MessageProcessingLogs", KindForbidden, []string{"HTTP 403", "lacks the role MonitoringDataRead", "up to 1 h", "Server said: Forbidden"}, nil},
		{"403 design time role", handler(403, "", ""), "IntegrationPackages", KindForbidden,
			[]string{"WorkspacePackagesRead"}, nil},
		{"403 role from context", handler(403, "", ""), "MessageProcessingLogs", KindForbidden,
			[]string{"MessagePayloadsRead"}, func(ctx context.Context) context.Context { return WithRole(ctx, "MessagePayloadsRead") }},
		{"login page 200", handler(200, "text/html;charset=utf-8", htmlPage), "IntegrationRuntimeArtifacts/$count", KindLoginPage,
			[]string{"HTML page", "not the Cloud Integration API host", "plan api"}, nil},
		{"login page without content type", handler(200, "", "\n  <html><body>login</body></html>"), "MessageProcessingLogs", KindLoginPage,
			[]string{"HTML page"}, nil},
		{"404 plain", handler(404, "text/plain", "404 Not Found: Requested route ('x') does not exist."), "IntegrationRuntimeArtifacts/$count", KindNotFound,
			[]string{"No Cloud Integration API at", "/api/v1", "plan api"}, nil},
		{"404 odata entity", handler(404, "application/json", `{"error":{"code":"Not Found","message":{"lang":"en","value":"Requested entity could not be found."}}}`),
			"IntegrationRuntimeArtifacts('X')", KindEntityNotFound, []string{"not deployed", "Requested entity could not be found"}, nil},
		{"418 other", handler(418, "", ""), "MessageProcessingLogs", KindHTTP, []string{"HTTP 418"}, nil},
		{"echoed secrets are redacted", handler(500, "text/plain", "bad user "+testUser+" with password "+testPassword), "MessageProcessingLogs", KindServer,
			[]string{"[redacted]"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, tc.h)
			var sl instantSleep
			c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...)
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx(ctx)
			}
			_, err := c.Get(ctx, tc.path, nil)
			e := requireKind(t, err, tc.kind)
			requireContains(t, e.Error(), tc.words...)
			if !backend.IsDownstreamError(err) {
				t.Errorf("want a downstream error")
			}
		})
	}
}

func TestTransportErrorKinds(t *testing.T) {
	var sl instantSleep
	ctx := context.Background()

	t.Run("dns", func(t *testing.T) {
		c := mustNew(t, basicSettings("https://cpi-tenant.invalid"), fastOptions(&sl)...)
		_, err := c.Get(ctx, "IntegrationRuntimeArtifacts/$count", nil)
		e := requireKind(t, err, KindDNS)
		requireContains(t, e.Error(), "Cannot resolve the host name cpi-tenant.invalid", "API URL")
	})
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		c := mustNew(t, basicSettings("http://"+addr), fastOptions(&sl)...)
		_, err = c.Get(ctx, "IntegrationRuntimeArtifacts/$count", nil)
		e := requireKind(t, err, KindConnectionRefused)
		requireContains(t, e.Error(), addr+" refused the connection", "port")
	})
	t.Run("tls unknown authority", func(t *testing.T) {
		srv, _ := newTLSServer(t, &apiRecorder{}, 0, nil)
		c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...) // CA not configured
		_, err := c.Get(ctx, "IntegrationRuntimeArtifacts/$count", nil)
		e := requireKind(t, err, KindTLSUnknownAuthority)
		requireContains(t, e.Error(), "unknown authority", "custom CA")
		// Trusting the CA fixes it; skipping verification too.
		s := basicSettings(srv.URL)
		// The CA counts only with its switch on ("With CA cert"); it stays stored when the switch is off.
		s.Secrets.TLSCACert = serverCAPEM(srv)
		if _, err := mustNew(t, s, fastOptions(&sl)...).Get(ctx, "X", nil); err == nil {
			t.Errorf("a stored CA was trusted with its switch off")
		}
		s.TLSAuthWithCACert = true
		if _, err := mustNew(t, s, fastOptions(&sl)...).Get(ctx, "X", nil); err != nil {
			t.Errorf("with custom CA: %v", err)
		}
		s = basicSettings(srv.URL)
		s.TLSSkipVerify = true
		if _, err := mustNew(t, s, fastOptions(&sl)...).Get(ctx, "X", nil); err != nil {
			t.Errorf("with skip verify: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		}))
		s := basicSettings(srv.URL)
		s.Timeout = 150 * time.Millisecond
		c := mustNew(t, s, fastOptions(&sl)...)
		start := time.Now()
		_, err := c.Get(ctx, "MessageProcessingLogs", nil)
		e := requireKind(t, err, KindTimeout)
		requireContains(t, e.Error(), "No answer from", "150ms", "raise the timeout")
		if time.Since(start) > 2*time.Second {
			t.Errorf("took %s", time.Since(start))
		}
	})
	t.Run("truncated body", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			_, _ = io.WriteString(w, `{"d":{"results":[`)
		}))
		c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...)
		_, err := c.Get(ctx, "MessageProcessingLogs", nil)
		e := requireKind(t, err, KindMalformedResponse)
		requireContains(t, e.Error(), "cut off")
	})
	t.Run("invalid json", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			okJSON(w, `{"d":{"results":[{"MessageGuid":`)
		}))
		c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...)
		_, _, err := GetCollection[map[string]any](ctx, c, "MessageProcessingLogs", nil)
		e := requireKind(t, err, KindMalformedResponse)
		requireContains(t, e.Error(), "not valid JSON")
		_, _, err = c.Count(ctx, "MessageProcessingLogs", nil)
		requireKind(t, err, KindMalformedResponse)
	})
	t.Run("too large", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			okJSON(w, strings.Repeat(" ", 5<<20))
		}))
		c := mustNew(t, basicSettings(srv.URL), append(fastOptions(&sl), WithMaxBodyBytes(2<<20))...)
		_, err := c.Get(ctx, "MessageProcessingLogs", nil)
		e := requireKind(t, err, KindResponseTooLarge)
		requireContains(t, e.Error(), "larger than the allowed 2 MiB", "narrow the query")
		// Grafana's own response limit (SDK middleware) is reported the same way.
		_, err = c.Get(httpclient.WithResponseLimit(ctx, 1<<20), "MessageProcessingLogs", nil)
		e = requireKind(t, err, KindResponseTooLarge)
		requireContains(t, e.Error(), "response size limit of the Grafana server")
	})
}

func TestTokenErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ts    *tokenServer
		kind  Kind
		words []string
	}{
		{"401 invalid_client", &tokenServer{status: 401, ctype: "application/json", body: `{"error":"invalid_client","error_description":"Bad credentials"}`},
			KindTokenRejected, []string{"rejected client ID/secret", "clientid and clientsecret"}},
		{"400 unauthorized_client", &tokenServer{status: 400, ctype: "application/json", body: `{"error":"unauthorized_client"}`},
			KindTokenRejected, []string{"rejected client ID/secret"}},
		{"404", &tokenServer{status: 404, ctype: "text/plain", body: "Not Found"},
			KindTokenURLWrong, []string{"HTTP 404", "tokenurl", "/oauth/token"}},
		{"html 200", &tokenServer{status: 200, ctype: "text/html", body: "<html><body>Welcome</body></html>"},
			KindTokenURLWrong, []string{"tokenurl", "/oauth/token", "HTML page", "not with an OAuth token"}},
		{"html 404", &tokenServer{status: 404, ctype: "text/html", body: "<html>nope</html>"},
			KindTokenURLWrong, []string{"tokenurl"}},
		{"plain text 200", &tokenServer{status: 200, ctype: "application/json", body: "hello"},
			KindTokenURLWrong, []string{"tokenurl"}},
		{"echoing error", &tokenServer{status: 400, ctype: "application/json", body: `{"error":"invalid_client","error_description":"secret ` + testClientSecret + ` is wrong"}`},
			KindTokenRejected, []string{"[redacted]"}},
		{"503", &tokenServer{status: 503, ctype: "application/json", body: `{"error":"temporarily_unavailable"}`},
			KindServer, []string{"HTTP 503"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.ts.t = t
			tokenSrv := newServer(t, tc.ts)
			api := &apiRecorder{}
			apiSrv := newServer(t, api)
			var sl instantSleep
			c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
			_, err := c.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil)
			e := requireKind(t, err, tc.kind)
			requireContains(t, e.Error(), tc.words...)
			if e.Host != odataHost(tokenSrv.URL) {
				t.Errorf("host = %q, want token host", e.Host)
			}
			if api.hits.Load() != 0 {
				t.Errorf("API called without a token")
			}
		})
	}

	t.Run("token host dns", func(t *testing.T) {
		apiSrv := newServer(t, &apiRecorder{})
		var sl instantSleep
		c := mustNew(t, oauthSettings(apiSrv.URL, "https://login.invalid/oauth/token"), fastOptions(&sl)...)
		_, err := c.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil)
		e := requireKind(t, err, KindDNS)
		requireContains(t, e.Error(), "login.invalid", "token URL")
	})
	t.Run("certificate flow wording", func(t *testing.T) {
		pki := newTestPKI(t)
		ts := &tokenServer{t: t, status: 401, ctype: "application/json", body: `{"error":"invalid_client"}`}
		tokenSrv := newServer(t, ts)
		s := oauthSettings(newServer(t, &apiRecorder{}).URL, tokenSrv.URL+"/oauth/token")
		s.AuthType = settings.AuthOAuth2Certificate
		s.Secrets = settings.Secrets{ClientCertificate: pki.certPEM, ClientKey: pki.keyPEM}
		var sl instantSleep
		c := mustNew(t, s, fastOptions(&sl)...)
		_, err := c.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil)
		e := requireKind(t, err, KindTokenRejected)
		requireContains(t, e.Error(), "rejected client ID/certificate")
		assertNoSecret(t, e.Error(), pki.keyPEM[40:80])
	})
}

func TestServerEchoingTokenIsRedacted(t *testing.T) {
	ts := &tokenServer{t: t, mode: "secret"}
	tokenSrv := newServer(t, ts)
	apiSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = fmt.Fprintf(w, "failed for %s", r.Header.Get("Authorization"))
	}))
	var sl instantSleep
	c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
	_, err := c.Get(context.Background(), "MessageProcessingLogs", nil)
	e := requireKind(t, err, KindServer) // requireKind also checks the token text is absent
	requireContains(t, e.Error(), "Bearer [redacted]")
}

// TestDataEchoingCredentialsIsRedacted: a tenant that repeats the request's Authorization header (and the
// password) inside a successful answer, e.g. in an error text, gets neither into the data the plugin frames.
func TestDataEchoingCredentialsIsRedacted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s      func(apiURL, tokenURL string) settings.Settings
		secret string
	}{
		{"basic", func(apiURL, _ string) settings.Settings { return basicSettings(apiURL) }, testPassword},
		{"oauth", oauthSettings, testClientSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokenSrv := newServer(t, &tokenServer{t: t, mode: "secret"})
			var sent string
			apiSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sent = r.Header.Get("Authorization")
				w.Header().Set("Content-Type", "text/plain")
				_, _ = fmt.Fprintf(w, "receiver said: unauthorized for %s (secret %s) at step 3", sent, tc.secret)
			}))
			var sl instantSleep
			c := mustNew(t, tc.s(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
			resp, err := c.Get(context.Background(), "MessageProcessingLogs('X')/ErrorInformation/$value", nil)
			if err != nil {
				t.Fatal(err)
			}
			_, credential, _ := strings.Cut(sent, " ")
			body := string(resp.Body)
			if len(credential) < 8 || strings.Contains(body, credential) || strings.Contains(body, tc.secret) {
				t.Fatalf("credential %q in the body: %s", credential, body)
			}
			requireContains(t, body, "receiver said: unauthorized for", "at step 3", redacted)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	pki := newTestPKI(t)
	for _, tc := range []struct {
		name  string
		s     settings.Settings
		words []string
	}{
		{"bad CA", settings.Settings{APIBaseURL: "https://h.example", AuthType: settings.AuthBasic, TLSAuthWithCACert: true,
			Secrets: settings.Secrets{TLSCACert: "not a pem", BasicPassword: testPassword}}, []string{"custom CA certificate"}},
		{"key does not match", settings.Settings{APIBaseURL: "https://h.example", AuthType: settings.AuthClientCertificate,
			Secrets: settings.Secrets{ClientCertificate: pki.certPEM, ClientKey: newTestPKI(t).keyPEM}}, []string{"not a valid PEM pair"}},
		{"bad api url", settings.Settings{APIBaseURL: "ftp://h.example", AuthType: settings.AuthBasic}, []string{"not an http(s) URL"}},
		{"bad token url", settings.Settings{APIBaseURL: "https://h.example", AuthType: settings.AuthOAuth2ClientCredentials,
			TokenURL: "h.example/oauth/token", Secrets: settings.Secrets{ClientSecret: testClientSecret}}, []string{"token URL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.s)
			e := requireKind(t, err, KindConfig)
			requireContains(t, e.Error(), tc.words...)
			assertNoSecret(t, e.Error(), pki.keyPEM[40:80])
		})
	}
}

func TestLoginPageMessage(t *testing.T) {
	for _, tc := range []struct{ host, want string }{
		{"mysub.integrationsuite.cfapps.eu10-002.hana.ondemand.com", "Integration Suite UI host"},
		{"mysub.it-cpi018-rt.cfapps.eu10-003.hana.ondemand.com", "runtime host of plan integration-flow"},
		{"example.com", "not the Cloud Integration API host"},
	} {
		got := LoginPageMessage(tc.host)
		requireContains(t, got, tc.host, tc.want, "service key of plan api")
	}
}
