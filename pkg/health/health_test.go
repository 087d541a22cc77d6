package health

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

const (
	clientID     = "sb-cpi-monitor!b12345|it!b117912"
	clientSecret = "health-Secret$value+42"
	password     = "Health-P@ssword-77"
	tokenValue   = "eyJhbGciOi-health-access-token-0001"
)

// tenant is a fake CPI API: artifacts answers IntegrationRuntimeArtifacts/$count, mpl answers
// MessageProcessingLogs. nil handlers answer like a healthy tenant.
type tenant struct {
	artifacts, mpl http.HandlerFunc
	mplFixture     []byte
}

func (tn *tenant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/v1/IntegrationRuntimeArtifacts/$count":
		if tn.artifacts != nil {
			tn.artifacts(w, r)
			return
		}
		_, _ = io.WriteString(w, "42")
	case "/api/v1/MessageProcessingLogs":
		if r.URL.Query().Get("$top") != "1" || r.URL.Query().Get("$select") != "MessageGuid" {
			http.Error(w, "unexpected query "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		if tn.mpl != nil {
			tn.mpl(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(tn.mplFixture)
	default:
		http.NotFound(w, r)
	}
}

func respond(status int, ctype, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func quietServer(t *testing.T, h http.Handler, useTLS bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// tokenEndpoint issues tokenValue for the right Basic credentials, or answers with a fixed failure.
func tokenEndpoint(hits *atomic.Int64, failStatus int, failType, failBody string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if failStatus != 0 {
			respond(failStatus, failType, failBody)(w, r)
			return
		}
		id, secret, _ := r.BasicAuth()
		if r.Header.Get("X-CF-ENCODED-CREDENTIALS") == "true" {
			id = unescape(id)
			secret = unescape(secret)
		}
		if id != clientID || secret != clientSecret {
			respond(401, "application/json", `{"error":"unauthorized","error_description":"Bad credentials"}`)(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tokenValue, "token_type": "bearer", "expires_in": 43199})
	}
}

func unescape(s string) string {
	out, _ := url.QueryUnescape(s)
	return out
}

func basicSettings(apiURL string) settings.Settings {
	return settings.Settings{APIBaseURL: apiURL, AuthType: settings.AuthBasic, BasicUser: "monitor",
		Timeout: 5 * time.Second, MaxConcurrent: 4, Secrets: settings.Secrets{BasicPassword: password}}
}

func oauthSettings(apiURL, tokenURL string) settings.Settings {
	return settings.Settings{APIBaseURL: apiURL, AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: tokenURL, ClientID: clientID, Timeout: 5 * time.Second, MaxConcurrent: 4,
		Secrets: settings.Secrets{ClientSecret: clientSecret}}
}

// check builds the client the way the plugin does (but with instant retries) and runs the check.
func check(t *testing.T, s settings.Settings) Result {
	t.Helper()
	c, err := cpi.New(s,
		cpi.WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }),
		cpi.WithRateLimit(cpi.AreaMessageLogs, 0), cpi.WithRateLimit(cpi.AreaRuntime, 0))
	if err != nil {
		t.Fatalf("cpi.New: %v", err)
	}
	t.Cleanup(c.Close)
	res := Check(context.Background(), s, c)
	assertNoSecrets(t, res)
	return res
}

func assertNoSecrets(t *testing.T, res Result) {
	t.Helper()
	texts := []string{res.Message}
	for _, st := range res.Details {
		texts = append(texts, st.Message)
	}
	for _, text := range texts {
		for _, secret := range []string{clientSecret, password, tokenValue, "PRIVATE KEY"} {
			if strings.Contains(text, secret) {
				t.Errorf("health message leaks a secret: %q", text)
			}
		}
	}
}

func requireFailure(t *testing.T, res Result, words ...string) {
	t.Helper()
	if res.OK {
		t.Fatalf("want failure, got OK: %s", res.Message)
	}
	for _, w := range words {
		if !strings.Contains(res.Message, w) {
			t.Errorf("message %q does not contain %q", res.Message, w)
		}
	}
}

func TestHealthy(t *testing.T) {
	var tokenHits atomic.Int64
	tokenSrv := quietServer(t, tokenEndpoint(&tokenHits, 0, "", ""), true)
	api := &tenant{mplFixture: sapfixtures.Read(t, "real-cf-tenant-MessageProcessingLogs-inlinecount.json")}
	apiSrv := quietServer(t, api, true)
	s := oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token")
	s.TenantLabel = "DEV"
	s.TLSAuthWithCACert = true
	s.Secrets.TLSCACert = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: apiSrv.Certificate().Raw}))

	res := check(t, s)
	host := strings.TrimPrefix(apiSrv.URL, "https://")
	want := fmt.Sprintf("Connected to %s as DEV: 42 deployed artifacts, message logs readable.", host)
	if !res.OK || res.Message != want {
		t.Fatalf("got OK=%v %q, want %q", res.OK, res.Message, want)
	}
	if len(res.Details) != 2 || !res.Details[0].OK || !res.Details[1].OK {
		t.Errorf("details = %+v", res.Details)
	}
	if tokenHits.Load() != 1 {
		t.Errorf("token fetched %d times, want 1", tokenHits.Load())
	}

	// Without a tenant label (or with the host as label) the message just names the host.
	s2 := basicSettings(quietServer(t, &tenant{artifacts: respond(200, "text/plain", "1"), mplFixture: api.mplFixture}, false).URL)
	s2.TenantLabel = "127.0.0.1"
	res = check(t, s2)
	if !res.OK || !strings.HasSuffix(res.Message, ": 1 deployed artifact, message logs readable.") || strings.Contains(res.Message, " as ") {
		t.Errorf("message = %q", res.Message)
	}
}

func TestHealthFailures(t *testing.T) {
	fixtureErr := string(sapfixtures.Read(t, "hub-example-odata-error.json"))
	closedPort := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		return addr
	}()

	for _, tc := range []struct {
		name string
		// setup returns the settings to check (servers are started inside).
		setup     func(t *testing.T) settings.Settings
		words     []string
		stepsOK   []bool
		notWords  []string
		maxTiming time.Duration
	}{
		{
			name:  "dns failure",
			setup: func(t *testing.T) settings.Settings { return basicSettings("https://cpi-tenant.invalid") },
			words: []string{"Cannot resolve the host name cpi-tenant.invalid", "check the API URL"}, stepsOK: []bool{false},
		},
		{
			name: "dns failure on a runtime host gets the host hint first",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings("https://abc.it-cpi001-rt.cfapps.eu10.invalid")
			},
			words: []string{"This is the runtime host of plan integration-flow", "Cannot resolve the host name"}, stepsOK: []bool{false},
		},
		{
			name:  "connection refused",
			setup: func(t *testing.T) settings.Settings { return basicSettings("http://" + closedPort) },
			words: []string{closedPort + " refused the connection", "port"}, stepsOK: []bool{false},
		},
		{
			name: "tls unknown authority",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings(quietServer(t, &tenant{}, true).URL) // its CA is not trusted
			},
			words: []string{"signed by an unknown authority", "custom CA certificate"}, stepsOK: []bool{false},
		},
		{
			name: "token endpoint rejects the client",
			setup: func(t *testing.T) settings.Settings {
				var hits atomic.Int64
				tok := quietServer(t, tokenEndpoint(&hits, 401, "application/json", `{"error":"invalid_client","error_description":"Bad credentials"}`), false)
				return oauthSettings(quietServer(t, &tenant{}, false).URL, tok.URL+"/oauth/token")
			},
			words: []string{"token endpoint 127.0.0.1", "rejected client ID/secret", "clientid and clientsecret of the service key"}, stepsOK: []bool{false},
		},
		{
			name: "token URL answers 404",
			setup: func(t *testing.T) settings.Settings {
				var hits atomic.Int64
				tok := quietServer(t, tokenEndpoint(&hits, 404, "text/plain", "404 page not found"), false)
				return oauthSettings(quietServer(t, &tenant{}, false).URL, tok.URL+"/oauth/tokn")
			},
			words: []string{"/oauth/tokn", "HTTP 404", "must be the service key's tokenurl, ending in /oauth/token"}, stepsOK: []bool{false},
		},
		{
			name: "token URL is an HTML page",
			setup: func(t *testing.T) settings.Settings {
				var hits atomic.Int64
				tok := quietServer(t, tokenEndpoint(&hits, 200, "text/html", "<!DOCTYPE html><html><body>SAP BTP</body></html>"), false)
				return oauthSettings(quietServer(t, &tenant{}, false).URL, tok.URL+"/")
			},
			words: []string{"not with an OAuth token", "tokenurl, ending in /oauth/token"}, stepsOK: []bool{false},
		},
		{
			name: "API 401",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings(quietServer(t, &tenant{artifacts: respond(401, "", "")}, false).URL)
			},
			words: []string{"HTTP 401", `"monitor"`, "check both"}, stepsOK: []bool{false},
		},
		{
			name: "API 401 with OAuth after a fresh token",
			setup: func(t *testing.T) settings.Settings {
				var hits atomic.Int64
				tok := quietServer(t, tokenEndpoint(&hits, 0, "", ""), false)
				return oauthSettings(quietServer(t, &tenant{artifacts: respond(401, "", "")}, false).URL, tok.URL+"/oauth/token")
			},
			words: []string{"rejected the access token", "same service key"}, stepsOK: []bool{false},
		},
		{
			name: "API 403",
			setup: func(t *testing.T) settings.Settings {
				var hits atomic.Int64
				tok := quietServer(t, tokenEndpoint(&hits, 0, "", ""), false)
				return oauthSettings(quietServer(t, &tenant{artifacts: respond(403, "application/json", fixtureErr)}, false).URL, tok.URL+"/oauth/token")
			},
			words: []string{"HTTP 403", "authenticated but lacks the role MonitoringDataRead", "plan api", "new service key", "up to 1 h"}, stepsOK: []bool{false},
		},
		{
			name: "message logs 403 only",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings(quietServer(t, &tenant{mpl: respond(403, "", "")}, false).URL)
			},
			words:   []string{"42 deployed artifacts are readable", "message processing logs need the role MonitoringDataRead"},
			stepsOK: []bool{true, false},
		},
		{
			name: "message logs fail otherwise",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings(quietServer(t, &tenant{mpl: respond(500, "application/json", fixtureErr)}, false).URL)
			},
			words:   []string{"42 deployed artifacts, but reading message processing logs failed", "HTTP 500", "<error text>"},
			stepsOK: []bool{true, false},
		},
		{
			name: "HTML login page with status 200",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings(quietServer(t, &tenant{artifacts: respond(200, "text/html", "<html><head><title>Sign in</title></head></html>")}, false).URL)
			},
			words: []string{"answered with an HTML page", "not the Cloud Integration API host", "service key of plan api"}, stepsOK: []bool{false},
		},
		{
			name: "404 on /api/v1",
			setup: func(t *testing.T) settings.Settings {
				srv := quietServer(t, http.NotFoundHandler(), false)
				return basicSettings(srv.URL)
			},
			words: []string{"No Cloud Integration API at http://127.0.0.1", "/api/v1", "plan api"}, stepsOK: []bool{false},
		},
		{
			name: "429",
			setup: func(t *testing.T) settings.Settings {
				return basicSettings(quietServer(t, &tenant{artifacts: respond(429, "", "")}, false).URL)
			},
			words: []string{"rate limiting", "HTTP 429", "3 attempts"}, stepsOK: []bool{false},
		},
		{
			name: "timeout",
			setup: func(t *testing.T) settings.Settings {
				slow := func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-time.After(3 * time.Second):
					case <-r.Context().Done():
					}
				}
				s := basicSettings(quietServer(t, &tenant{artifacts: slow}, false).URL)
				s.Timeout = 200 * time.Millisecond
				return s
			},
			words: []string{"No answer from 127.0.0.1", "within 200ms", "raise the timeout"}, stepsOK: []bool{false},
			maxTiming: 2 * time.Second,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.setup(t)
			start := time.Now()
			res := check(t, s)
			if tc.maxTiming > 0 && time.Since(start) > tc.maxTiming {
				t.Errorf("check took %s", time.Since(start))
			}
			requireFailure(t, res, tc.words...)
			if len(res.Details) != len(tc.stepsOK) {
				t.Fatalf("details = %+v, want %d steps", res.Details, len(tc.stepsOK))
			}
			for i, ok := range tc.stepsOK {
				if res.Details[i].OK != ok || res.Details[i].Message == "" {
					t.Errorf("step %d = %+v, want ok=%v with a message", i, res.Details[i], ok)
				}
			}
		})
	}
}

func TestCheckWithTLSAndCustomCA(t *testing.T) {
	srv := quietServer(t, &tenant{mplFixture: []byte(`{"d":{"results":[]}}`)}, true)
	s := basicSettings(srv.URL)
	s.TLSAuthWithCACert = true
	s.Secrets.TLSCACert = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	if res := check(t, s); !res.OK {
		t.Fatalf("with the custom CA: %s", res.Message)
	}
}

// The message builder for hosts that cannot be reached in a test (real SAP host names).
func TestFailureMessageForWrongHosts(t *testing.T) {
	for _, tc := range []struct {
		url   string
		words []string
	}{
		{"https://mysub.integrationsuite.cfapps.eu10-002.hana.ondemand.com",
			[]string{"Integration Suite web UI", "plan api", "answered with an HTML page"}},
		{"https://mysub.it-cpi018-rt.cfapps.eu10-003.hana.ondemand.com",
			[]string{"runtime host of plan integration-flow", "answered with an HTML page"}},
		{"https://portal.example.com",
			[]string{"not the Cloud Integration API host", "Process Integration Runtime service key of plan api"}},
	} {
		host := strings.TrimPrefix(tc.url, "https://")
		err := &cpi.Error{Kind: cpi.KindLoginPage, Status: 200, Host: host, Message: cpi.LoginPageMessage(host)}
		msg := failureMessage(settings.Settings{APIBaseURL: tc.url}, err)
		for _, w := range tc.words {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q does not contain %q", tc.url, msg, w)
			}
		}
		if strings.Count(msg, "plan api") > 1 {
			t.Errorf("%s: advice repeated: %q", tc.url, msg)
		}
	}
}
