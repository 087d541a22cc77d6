package cpi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// Secrets used by the tests; every error message is checked not to contain any of them.
const (
	testClientID     = "sb-cpi-monitor!b12345|it!b117912" // XSUAA shape: '!' and '|' need URL-encoding in Basic
	testClientSecret = "f00-Secret$with+plus=and/slash"   // '+' is the case SAP warns about
	testPassword     = "P@ssw0rd-very-secret-42"
	testUser         = "monitoring-user"
)

// testPKI is a CA and a client certificate signed by it, generated per test run.
type testPKI struct {
	caPool  *x509.CertPool
	certPEM string
	keyPEM  string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test client CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: testClientID},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return testPKI{
		caPool:  pool,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}
}

// newTLSServer starts an httptest TLS server with the given client-certificate policy and returns it
// with the PEM of its server certificate (to be configured as custom CA).
func newTLSServer(t *testing.T, h http.Handler, clientAuth tls.ClientAuthType, clientCAs *x509.CertPool) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{ClientAuth: clientAuth, ClientCAs: clientCAs}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected in some tests
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, serverCAPEM(srv)
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(srv.Close)
	return srv
}

func serverCAPEM(srv *httptest.Server) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
}

// tokenServer is a fake XSUAA token endpoint.
type tokenServer struct {
	t         *testing.T
	hits      atomic.Int64
	expiresIn int
	// mode: "secret" checks the Basic header, "cert" checks the TLS client certificate and client_id.
	mode string
	// status/body override the answer (for failure tests).
	status int
	body   string
	ctype  string

	mu          sync.Mutex
	lastAccept  string
	lastEncoded string
}

func (ts *tokenServer) tokenFor(n int64) string {
	return fmt.Sprintf("access-token-%d-9f8e7d6c5b4a", n)
}

func (ts *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := ts.hits.Add(1)
	ts.mu.Lock()
	ts.lastAccept = r.Header.Get("Accept")
	ts.lastEncoded = r.Header.Get("X-CF-ENCODED-CREDENTIALS")
	ts.mu.Unlock()
	if ts.status != 0 {
		if ts.ctype != "" {
			w.Header().Set("Content-Type", ts.ctype)
		}
		w.WriteHeader(ts.status)
		_, _ = io.WriteString(w, ts.body)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	switch ts.mode {
	case "secret":
		id, secret, ok := r.BasicAuth()
		if ok && r.Header.Get("X-CF-ENCODED-CREDENTIALS") == "true" {
			// XSUAA decodes URL-encoded credentials only when told so by this header.
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		}
		if !ok || id != testClientID || secret != testClientSecret || r.PostForm.Has("client_secret") {
			writeOAuthError(w, http.StatusUnauthorized, "unauthorized")
			return
		}
	case "cert":
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.Header.Get("Authorization") != "" ||
			r.PostForm.Get("client_id") != testClientID || r.PostForm.Has("client_secret") {
			writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
			return
		}
	default:
		ts.t.Errorf("tokenServer: unknown mode %q", ts.mode)
	}
	exp := ts.expiresIn
	if exp == 0 {
		exp = 43199
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": ts.tokenFor(n), "token_type": "bearer", "expires_in": exp})
}

func writeOAuthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"error":%q,"error_description":"Bad credentials"}`, code)
}

// instantSleep records retry waits without waiting.
type instantSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *instantSleep) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *instantSleep) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fastOptions: no rate limits and instant retries, so tests measure behaviour, not waiting.
func fastOptions(sl *instantSleep) []Option {
	opts := []Option{WithSleep(sl.sleep), WithVersion("1.2.3")}
	for a := Area(0); a < numAreas; a++ {
		opts = append(opts, WithRateLimit(a, 0))
	}
	return opts
}

func basicSettings(apiURL string) settings.Settings {
	return settings.Settings{
		APIBaseURL: apiURL, AuthType: settings.AuthBasic, BasicUser: testUser,
		Timeout: 5 * time.Second, MaxConcurrent: 4,
		Secrets: settings.Secrets{BasicPassword: testPassword},
	}
}

func mustNew(t *testing.T, s settings.Settings, opts ...Option) *Client {
	t.Helper()
	c, err := New(s, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// assertNoSecret fails when text contains any secret or any token the fake endpoint may have issued.
func assertNoSecret(t *testing.T, text string, extra ...string) {
	t.Helper()
	secrets := append([]string{testClientSecret, url.QueryEscape(testClientSecret), testPassword, "access-token-", "PRIVATE KEY"}, extra...)
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("message leaks a secret (%q): %s", s, text)
		}
	}
}

func requireKind(t *testing.T, err error, k Kind) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error of kind %s, got nil", k)
	}
	e, ok := AsError(err)
	if !ok {
		t.Fatalf("expected *cpi.Error, got %T: %v", err, err)
	}
	if e.Kind != k {
		t.Fatalf("kind = %s, want %s (message: %s)", e.Kind, k, err)
	}
	assertNoSecret(t, err.Error())
	assertNoSecret(t, fmt.Sprintf("%+v", e.Detail))
	return e
}

func requireContains(t *testing.T, text string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("message %q does not contain %q", text, w)
		}
	}
}

func okJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}
