package harness

// Simulated tenants for the harness: each test gets its own pkg/simulator instance behind an httptest
// server, a recorder that remembers every access token the tenant issued (tokens are secrets too), and a
// direct client that asks the tenant what the plugin should report, independently of the plugin's code.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// randomSecret returns a unique secret, so a leak in a shared log can be traced to the test that made it.
func randomSecret(t *testing.T, kind string) string {
	t.Helper()
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "harness-" + kind + "-" + hex.EncodeToString(b[:])
}

// tenant is one simulated CPI tenant served over HTTP(S) on localhost.
type tenant struct {
	sim *simulator.Tenant
	srv *httptest.Server

	mu     sync.Mutex
	tokens []string // every access_token the token endpoint handed out
	paths  []string // the escaped path and query of every request, as received
}

type tenantOptions struct {
	cfg simulator.Config
	// tls serves the tenant with httptest's self-signed certificate instead of plain HTTP.
	tls bool
	// requestClientCert makes the TLS server ask for (not verify) a client certificate, as the SAP token
	// endpoint for X.509 service keys does.
	requestClientCert bool
}

// newTenant starts a simulated tenant that is closed when the test ends. The data volume is kept small:
// the harness tests the plugin's wiring, not the simulator's generator.
func newTenant(t *testing.T, o tenantOptions) *tenant {
	t.Helper()
	if o.cfg.MessagesPerDay == 0 {
		o.cfg.MessagesPerDay = 500
	}
	if o.cfg.IFlows == 0 {
		o.cfg.IFlows = 12
	}
	tn := &tenant{sim: simulator.New(o.cfg)}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tn.mu.Lock()
		tn.paths = append(tn.paths, r.URL.RequestURI())
		tn.mu.Unlock()
		if r.URL.Path != "/oauth/token" {
			tn.sim.ServeHTTP(w, r)
			return
		}
		rec := &teeWriter{ResponseWriter: w}
		tn.sim.ServeHTTP(rec, r)
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(rec.body.Bytes(), &body) == nil && body.AccessToken != "" {
			tn.mu.Lock()
			tn.tokens = append(tn.tokens, body.AccessToken)
			tn.mu.Unlock()
		}
	})
	switch {
	case o.tls:
		tn.srv = httptest.NewUnstartedServer(handler)
		// Handshakes the plugin aborts on purpose (unknown CA) would otherwise clutter the test output.
		tn.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		if o.requestClientCert {
			tn.srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
		}
		tn.srv.StartTLS()
	default:
		tn.srv = httptest.NewServer(handler)
	}
	t.Cleanup(tn.srv.Close)
	return tn
}

// teeWriter keeps a copy of the body written through it.
type teeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}

func (tn *tenant) url() string      { return tn.srv.URL }
func (tn *tenant) tokenURL() string { return tn.srv.URL + "/oauth/token" }
func (tn *tenant) hostPort() string {
	return strings.TrimPrefix(strings.TrimPrefix(tn.srv.URL, "https://"), "http://")
}

// issuedTokens are the access tokens issued so far (by the tenant to anyone, the plugin included).
func (tn *tenant) issuedTokens() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.tokens...)
}

// requestURIs are the escaped paths and queries of every request the tenant received so far.
func (tn *tenant) requestURIs() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.paths...)
}

// caPEM is the PEM of the test server's certificate, which is its own CA.
func (tn *tenant) caPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tn.srv.Certificate().Raw}))
}

// direct talks to the tenant without the plugin, to learn what the plugin should report.
type direct struct {
	tn           *tenant
	clientID     string
	clientSecret string
	token        string
}

func (tn *tenant) direct(t *testing.T, clientID, clientSecret string) *direct {
	t.Helper()
	d := &direct{tn: tn, clientID: clientID, clientSecret: clientSecret}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, tn.tokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, clientSecret)
	body := d.do(t, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("simulator token endpoint: no access token in %q (%v)", body, err)
	}
	d.token = tok.AccessToken
	return d
}

func (d *direct) do(t *testing.T, req *http.Request) []byte {
	t.Helper()
	resp, err := d.tn.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("direct call %s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("direct call %s: reading body: %v", req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("direct call %s: HTTP %d: %s", req.URL.Path, resp.StatusCode, body)
	}
	return body
}

// get requests a path below /api/v1 (path already escaped) with the direct client's token.
func (d *direct) get(t *testing.T, path string) []byte {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, d.tn.url()+"/api/v1/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Accept", "application/json")
	return d.do(t, req)
}

// artifactCount is what the tenant serves at IntegrationRuntimeArtifacts/$count (a plain number).
func (d *direct) artifactCount(t *testing.T) int {
	t.Helper()
	body := d.get(t, "IntegrationRuntimeArtifacts/$count")
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("IntegrationRuntimeArtifacts/$count answered %q, not a number", body)
	}
	return n
}

type simArtifact struct {
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

// artifacts lists IntegrationRuntimeArtifacts (OData V2 JSON: d.results).
func (d *direct) artifacts(t *testing.T) []simArtifact {
	t.Helper()
	body := d.get(t, "IntegrationRuntimeArtifacts")
	var env struct {
		D struct {
			Results []simArtifact `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("IntegrationRuntimeArtifacts is not an OData V2 collection: %v: %.300s", err, body)
	}
	return env.D.Results
}

// errorText is the deployment error of an artifact in ERROR (ErrorInformation/$value): the text of
// its "parameter" array when it is the usual JSON, else the raw body.
func (d *direct) errorText(t *testing.T, id string) string {
	t.Helper()
	lit := "'" + strings.ReplaceAll(id, "'", "''") + "'"
	body := d.get(t, "IntegrationRuntimeArtifacts("+url.PathEscape(lit)+")/ErrorInformation/$value")
	var v struct {
		Parameter []string `json:"parameter"`
	}
	if json.Unmarshal(body, &v) == nil && len(v.Parameter) > 0 {
		return strings.Join(v.Parameter, "; ")
	}
	return strings.TrimSpace(string(body))
}

// closedPort returns a localhost address nothing listens on any more.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// notFoundServer answers 404 with a plain-text body to everything, like a host without the CPI API.
func notFoundServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return srv
}

// clientCertPEM makes a self-signed client certificate and its PKCS#8 private key, as in a service key
// of type Certificate.
func clientCertPEM(t *testing.T, cn string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"SAP SE"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}))
}

// oauthDataSource is the usual configuration: OAuth2 client credentials from a plan-api service key.
func oauthDataSource(label, apiURL, tokenURL, clientID, secret string, extra map[string]any) dataSource {
	jd := map[string]any{
		"apiUrl":         apiURL,
		"environment":    "cloudFoundry",
		"tenantLabel":    label,
		"authType":       "oauth2ClientCredentials",
		"tokenUrl":       tokenURL,
		"clientId":       clientID,
		"timeoutSeconds": 10,
	}
	for k, v := range extra {
		jd[k] = v
	}
	return dataSource{Name: label, JSONData: jd, Secure: map[string]string{"clientSecret": secret}}
}

func fmtCount(n int) string { return fmt.Sprintf("%d deployed artifacts", n) }
