package cpi

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// apiRecorder is a fake tenant API that records what each request carried.
type apiRecorder struct {
	mu       sync.Mutex
	auths    []string
	accepts  []string
	agents   []string
	certs    []int
	accept   func(auth string) bool // nil: accept everything
	hits     atomic.Int64
	response string
}

func (a *apiRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.hits.Add(1)
	auth := r.Header.Get("Authorization")
	a.mu.Lock()
	a.auths = append(a.auths, auth)
	a.accepts = append(a.accepts, r.Header.Get("Accept"))
	a.agents = append(a.agents, r.Header.Get("User-Agent"))
	n := 0
	if r.TLS != nil {
		n = len(r.TLS.PeerCertificates)
	}
	a.certs = append(a.certs, n)
	a.mu.Unlock()
	if a.accept != nil && !a.accept(auth) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"code":"Unauthorized","message":{"lang":"en","value":"token rejected"}}}`))
		return
	}
	body := a.response
	if body == "" {
		body = "42"
	}
	okJSON(w, body)
}

func TestAuthOAuth2ClientCredentials(t *testing.T) {
	ts := &tokenServer{t: t, mode: "secret"}
	tokenSrv, caPEM := newTLSServer(t, ts, tls.NoClientCert, nil)
	api := &apiRecorder{accept: func(a string) bool { return a == "Bearer "+ts.tokenFor(1) }}
	apiSrv, _ := newTLSServer(t, api, tls.RequestClientCert, nil)

	s := settings.Settings{
		APIBaseURL: apiSrv.URL, AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: tokenSrv.URL + "/oauth/token", ClientID: testClientID,
		Timeout: 5 * time.Second, MaxConcurrent: 4,
		TLSAuthWithCACert: true, Secrets: settings.Secrets{ClientSecret: testClientSecret, TLSCACert: caPEM}, // both hosts need the custom CA
	}
	var sl instantSleep
	c := mustNew(t, s, fastOptions(&sl)...)

	// Many calls, in parallel, share one token.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			resp, err := c.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil)
			if err == nil && string(resp.Body) != "42" {
				t.Errorf("body = %q", resp.Body)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := ts.hits.Load(); got != 1 {
		t.Errorf("token endpoint hit %d times, want 1 (token must be cached)", got)
	}
	if ts.lastAccept != "application/json" {
		t.Errorf("token request Accept = %q, want application/json", ts.lastAccept)
	}
	if ts.lastEncoded != "true" {
		t.Errorf("token request must carry X-CF-ENCODED-CREDENTIALS: true, got %q", ts.lastEncoded)
	}
	for i := range api.auths {
		if api.accepts[i] != "application/json" {
			t.Errorf("API request %d Accept = %q", i, api.accepts[i])
		}
		if api.agents[i] != "grafana-sapcpi-datasource/1.2.3" {
			t.Errorf("API request %d User-Agent = %q", i, api.agents[i])
		}
		if api.certs[i] != 0 {
			t.Errorf("API request %d presented a client certificate", i)
		}
	}
}

func TestAuthOAuth2Certificate(t *testing.T) {
	pki := newTestPKI(t)
	ts := &tokenServer{t: t, mode: "cert"}
	// The token endpoint insists on a client certificate signed by the test CA.
	tokenSrv, caPEM := newTLSServer(t, ts, tls.RequireAndVerifyClientCert, pki.caPool)
	api := &apiRecorder{accept: func(a string) bool { return a == "Bearer "+ts.tokenFor(1) }}
	// The API host asks for a certificate (any): the client must NOT present one there.
	apiSrv, _ := newTLSServer(t, api, tls.RequestClientCert, nil)

	s := settings.Settings{
		APIBaseURL: apiSrv.URL, AuthType: settings.AuthOAuth2Certificate,
		TokenURL: tokenSrv.URL + "/oauth/token", ClientID: testClientID,
		Timeout: 5 * time.Second, MaxConcurrent: 4,
		TLSAuthWithCACert: true, Secrets: settings.Secrets{ClientCertificate: pki.certPEM, ClientKey: pki.keyPEM, TLSCACert: caPEM},
	}
	var sl instantSleep
	c := mustNew(t, s, fastOptions(&sl)...)
	for range 3 {
		if _, err := c.Get(context.Background(), "MessageProcessingLogs", nil); err != nil {
			t.Fatal(err)
		}
	}
	if ts.hits.Load() != 1 {
		t.Errorf("token endpoint hit %d times, want 1", ts.hits.Load())
	}
	if ts.lastEncoded != "" {
		t.Errorf("certificate token request must not use Basic credentials")
	}
	for i, n := range api.certs {
		if n != 0 {
			t.Errorf("API request %d presented a client certificate; only the token request may", i)
		}
		if api.auths[i] != "Bearer "+ts.tokenFor(1) {
			t.Errorf("API request %d Authorization = %q", i, api.auths[i])
		}
	}

	// Without the certificate the same token endpoint refuses the TLS handshake.
	s.AuthType = settings.AuthOAuth2ClientCredentials
	s.Secrets.ClientSecret = testClientSecret
	c2 := mustNew(t, s, fastOptions(&sl)...)
	_, err := c2.Get(context.Background(), "MessageProcessingLogs", nil)
	e := requireKind(t, err, KindTLSOther)
	if e.Host != odataHost(tokenSrv.URL) {
		t.Errorf("host = %q, want the token host", e.Host)
	}
}

func odataHost(u string) string {
	return strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
}

func TestAuthBasic(t *testing.T) {
	api := &apiRecorder{}
	srv := newServer(t, api)
	var sl instantSleep
	c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...)
	if _, err := c.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(testUser, testPassword)
	if api.auths[0] != req.Header.Get("Authorization") {
		t.Errorf("Authorization = %q, want Basic for the technical user", api.auths[0])
	}
	if api.accepts[0] != "application/json" {
		t.Errorf("Accept = %q", api.accepts[0])
	}
}

func TestAuthClientCertificate(t *testing.T) {
	pki := newTestPKI(t)
	api := &apiRecorder{}
	srv, caPEM := newTLSServer(t, api, tls.RequireAndVerifyClientCert, pki.caPool)
	s := settings.Settings{
		APIBaseURL: srv.URL, AuthType: settings.AuthClientCertificate,
		Timeout: 5 * time.Second, MaxConcurrent: 4,
		TLSAuthWithCACert: true, Secrets: settings.Secrets{ClientCertificate: pki.certPEM, ClientKey: pki.keyPEM, TLSCACert: caPEM},
	}
	var sl instantSleep
	c := mustNew(t, s, fastOptions(&sl)...)
	if _, err := c.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil); err != nil {
		t.Fatal(err)
	}
	if api.certs[0] != 1 || api.auths[0] != "" {
		t.Errorf("want mTLS and no Authorization header, got %d certs, Authorization %q", api.certs[0], api.auths[0])
	}

	// The same server refuses a client without certificate, and the message says so.
	s2 := basicSettings(srv.URL)
	s2.TLSAuthWithCACert, s2.Secrets.TLSCACert = true, caPEM
	c2 := mustNew(t, s2, fastOptions(&sl)...)
	_, err := c2.Get(context.Background(), "IntegrationRuntimeArtifacts/$count", nil)
	e := requireKind(t, err, KindTLSOther)
	requireContains(t, e.Error(), "client certificate")
}

func oauthSettings(apiURL, tokenURL string) settings.Settings {
	return settings.Settings{
		APIBaseURL: apiURL, AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: tokenURL, ClientID: testClientID, Timeout: 5 * time.Second, MaxConcurrent: 4,
		Secrets: settings.Secrets{ClientSecret: testClientSecret},
	}
}

func TestTokenRefreshedOnceOn401(t *testing.T) {
	ts := &tokenServer{t: t, mode: "secret"}
	tokenSrv := newServer(t, ts)
	// The API rejects the first token (as after a tenant restart) and accepts the second.
	api := &apiRecorder{accept: func(a string) bool { return a == "Bearer "+ts.tokenFor(2) }}
	apiSrv := newServer(t, api)
	var sl instantSleep
	c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)

	if _, err := c.Get(context.Background(), "MessageProcessingLogs", nil); err != nil {
		t.Fatalf("want success after one refresh: %v", err)
	}
	if ts.hits.Load() != 2 || api.hits.Load() != 2 {
		t.Errorf("token hits %d, API hits %d; want 2 and 2", ts.hits.Load(), api.hits.Load())
	}
	// The fresh token is cached from now on.
	if _, err := c.Get(context.Background(), "MessageProcessingLogs", nil); err != nil {
		t.Fatal(err)
	}
	if ts.hits.Load() != 2 {
		t.Errorf("token hits %d after refresh, want 2", ts.hits.Load())
	}
}

// A token endpoint that hands out the same token again (XSUAA does until it expires) ends the retries at
// once: the same token rejected twice is the answer.
func TestSameTokenRejectedTwiceIsAnError(t *testing.T) {
	tokenSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		okJSON(w, `{"access_token":"always-the-same-token","token_type":"bearer","expires_in":3600}`)
	}))
	api := &apiRecorder{accept: func(string) bool { return false }}
	apiSrv := newServer(t, api)
	var sl instantSleep
	c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
	_, err := c.Get(context.Background(), "MessageProcessingLogs", nil)
	requireKind(t, err, KindUnauthorized)
	if api.hits.Load() != 2 {
		t.Errorf("API hits %d, want 2: the token the refresh returned was already rejected", api.hits.Load())
	}
}

// Tokens that expire twice while parallel pages are in flight: every request of the burst survives both
// expiries, and each expiry costs one token request, not one per page.
func TestTokenExpiringTwiceInABurst(t *testing.T) {
	const parallel = 4
	ts := &tokenServer{t: t, mode: "secret"}
	tokenSrv := newServer(t, ts)
	// Round k holds the requests made with token k until all of them have arrived, so the whole burst
	// sees token k rejected together; tokens 1 and 2 die, token 3 is accepted.
	var mu sync.Mutex
	arrived := map[string]int{}
	released := map[string]chan struct{}{ts.tokenFor(1): make(chan struct{}), ts.tokenFor(2): make(chan struct{})}
	var apiHits atomic.Int64
	apiSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiHits.Add(1)
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if tok == ts.tokenFor(3) {
			okJSON(w, "42")
			return
		}
		release, dying := released[tok]
		if !dying {
			http.Error(w, "unexpected token", http.StatusBadRequest)
			return
		}
		mu.Lock()
		arrived[tok]++
		if arrived[tok] == parallel {
			close(release)
		}
		mu.Unlock()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"code":"Unauthorized","message":{"lang":"en","value":"token expired"}}}`))
	}))
	var sl instantSleep
	s := oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token")
	s.MaxConcurrent = parallel
	c := mustNew(t, s, fastOptions(&sl)...)

	errs := make(chan error, parallel)
	for i := range parallel {
		go func() {
			_, err := c.Get(context.Background(), "MessageProcessingLogs", url.Values{"$skip": {fmt.Sprint(i * 1000)}})
			errs <- err
		}()
	}
	for range parallel {
		if err := <-errs; err != nil {
			t.Errorf("a page failed: %v", err)
		}
	}
	if ts.hits.Load() != 3 {
		t.Errorf("%d token requests, want 3 (the first token and one refresh per expiry)", ts.hits.Load())
	}
	if apiHits.Load() != 3*parallel {
		t.Errorf("%d API requests, want %d (each page three times)", apiHits.Load(), 3*parallel)
	}
}

func TestSecond401IsAnError(t *testing.T) {
	ts := &tokenServer{t: t, mode: "secret"}
	tokenSrv := newServer(t, ts)
	api := &apiRecorder{accept: func(string) bool { return false }}
	apiSrv := newServer(t, api)
	var sl instantSleep
	c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
	resp, err := c.Get(context.Background(), "MessageProcessingLogs", nil)
	e := requireKind(t, err, KindUnauthorized)
	requireContains(t, e.Error(), "HTTP 401", "same service key", "token rejected")
	// Every fresh token is tried once, three refreshes at most: 4 tokens, 4 API calls.
	if ts.hits.Load() != 4 || api.hits.Load() != 4 {
		t.Errorf("token hits %d, API hits %d; want 4 and 4 (three refreshes, then the error)", ts.hits.Load(), api.hits.Load())
	}
	if resp == nil || resp.Status != http.StatusUnauthorized {
		t.Errorf("the response should be returned with the error for the Query inspector")
	}
}

func TestTokenRenewedShortlyBeforeExpiry(t *testing.T) {
	ts := &tokenServer{t: t, mode: "secret", expiresIn: 3600}
	tokenSrv := newServer(t, ts)
	apiSrv := newServer(t, &apiRecorder{})
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var sl instantSleep
	c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), append(fastOptions(&sl), WithClock(clock))...)

	get := func() {
		t.Helper()
		if _, err := c.Get(context.Background(), "MessageProcessingLogs", nil); err != nil {
			t.Fatal(err)
		}
	}
	get()
	advance(57 * time.Minute)
	get()
	if ts.hits.Load() != 1 {
		t.Fatalf("token renewed too early: %d hits", ts.hits.Load())
	}
	advance(2*time.Minute + 30*time.Second) // 59.5 min: inside the last minute
	get()
	if ts.hits.Load() != 2 {
		t.Fatalf("token not renewed shortly before expiry: %d hits", ts.hits.Load())
	}
}

func TestTokenRequestHonoursContext(t *testing.T) {
	block := make(chan struct{})
	tokenSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(block) })
	apiSrv := newServer(t, &apiRecorder{})
	var sl instantSleep
	c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, "MessageProcessingLogs", nil)
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("want a prompt error, got %v after %s", err, time.Since(start))
	}
	requireKind(t, err, KindTimeout)
}
