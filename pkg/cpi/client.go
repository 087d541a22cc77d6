// Package cpi is the HTTP client for one SAP Cloud Integration tenant. It owns everything between a
// query handler and the wire: authentication (OAuth2 client credentials with secret or X.509 key, Basic,
// mTLS), the token cache, `Accept: application/json`, the host guard, per-area rate limits, bounded
// concurrency, retries, and typed errors whose messages tell the user what to fix.
package cpi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

const (
	// DefaultMaxBodyBytes caps a response body; a bigger answer is an error, not an out-of-memory.
	DefaultMaxBodyBytes = 64 << 20
	// maxAttempts per request for retryable statuses (429/502/503/504).
	maxAttempts = 3
	// maxTokenRefreshes per request: tokens that keep dying while a request is retried are refreshed this
	// often before the 401 is reported.
	maxTokenRefreshes = 3
	// defaultMaxRetryWait caps a Retry-After or backoff wait.
	defaultMaxRetryWait = 10 * time.Second
	defaultRetryBase    = 500 * time.Millisecond
	userAgentProduct    = "grafana-sapcpi-datasource"
)

// Response is a successful (2xx, non-HTML) answer. URL is the requested URL (never with credentials),
// suitable for the Query inspector.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    string
	// Cached: the answer came from the response cache or from an identical request in flight (cache.go),
	// not from a request of its own. Body and Header are then shared and must not be modified.
	Cached bool

	hold *bodyHold // Body's share of the client's byte budget (budget.go)
}

// Client talks to one tenant. It is safe for concurrent use; build it once per data source instance.
type Client struct {
	root        *url.URL // service root, ".../api/v1"
	tokenOrigin *url.URL // nil without OAuth

	api       *http.Client
	tokenHTTP *http.Client // == api unless the token request needs its own TLS identity
	tokens    *tokenCache  // nil without OAuth
	basic     string       // "Basic …" for AuthBasic

	// transports are the http.Transports under the SDK's middlewares: http.Client.CloseIdleConnections
	// cannot reach them through the middleware chain, so Close closes them itself.
	transports []*http.Transport
	closed     atomic.Bool

	userAgent string
	sem       chan struct{}
	limiters  [numAreas]*windowLimiter // nil: unlimited
	desc      *describer
	cache     *responseCache // cache.go
	budget    *bodyBudget    // budget.go
	o         options
}

// New builds the client for an already validated Settings.
func New(s settings.Settings, opts ...Option) (*Client, error) {
	o := options{version: "dev", sleep: sleepCtx, now: time.Now, maxBody: DefaultMaxBodyBytes, bodyPool: DefaultBodyPool,
		maxRetryWait: defaultMaxRetryWait, retryBase: defaultRetryBase, limitNow: time.Now, limitSleep: sleepCtx}
	for _, opt := range opts {
		opt(&o)
	}
	if s.Timeout <= 0 {
		s.Timeout = settings.DefaultTimeout
	}
	if s.MaxConcurrent <= 0 {
		s.MaxConcurrent = settings.DefaultMaxConcurrentRequests
	}

	red := newRedactorFor(s)
	configErr := func(format string, a ...any) error {
		return WithSource(&Error{Kind: KindConfig, Message: red.clean(fmt.Sprintf(format, a...))})
	}

	rootURL := s.ServiceRoot()
	if o.serviceRoot != "" {
		rootURL = strings.TrimSuffix(o.serviceRoot, "/")
	}
	root, err := url.Parse(rootURL)
	if err != nil || (root.Scheme != "https" && root.Scheme != "http") || root.Host == "" {
		return nil, configErr("The API URL %q is not an http(s) URL.", s.APIBaseURL)
	}
	root.User = nil

	c := &Client{
		root:      root,
		userAgent: userAgentProduct + "/" + o.version,
		sem:       make(chan struct{}, s.MaxConcurrent),
		o:         o,
	}
	c.cache = newResponseCache(authIdentity(s, root.String()), o)
	c.budget = newBodyBudget(o.bodyPool)
	c.desc = &describer{
		auth:        s.AuthType,
		apiHost:     odata.HostPort(root.String()),
		serviceRoot: root.String(),
		basicUser:   s.BasicUser,
		timeout:     s.Timeout,
		red:         red,
	}
	for a := Area(0); a < numAreas; a++ {
		n := defaultLimits[a]
		if on, ok := o.limits[a]; ok {
			n = on
		}
		c.limiters[a] = newLimiter(n, o.limitNow, o.limitSleep)
	}

	// TLS material is checked here so a bad PEM gives a clear message instead of the SDK's generic one.
	// The CA stays in secureJsonData when "With CA cert" is turned off; only the switch decides.
	caCert := ""
	if s.TLSAuthWithCACert {
		caCert = s.Secrets.TLSCACert
	}
	if caCert != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(caCert)) {
		return nil, configErr("The custom CA certificate is not a valid PEM certificate.")
	}
	usesCert := s.AuthType == settings.AuthClientCertificate || s.AuthType == settings.AuthOAuth2Certificate
	if usesCert {
		if _, err := tls.X509KeyPair([]byte(s.Secrets.ClientCertificate), []byte(s.Secrets.ClientKey)); err != nil {
			return nil, configErr("The client certificate and key are not a valid PEM pair (%s): paste the certificate and key of the service key.",
				strings.TrimPrefix(err.Error(), "tls: "))
		}
	}
	baseTLS := httpclient.TLSOptions{CACertificate: caCert, InsecureSkipVerify: s.TLSSkipVerify}

	apiTLS := baseTLS
	if s.AuthType == settings.AuthClientCertificate {
		apiTLS.ClientCertificate, apiTLS.ClientKey = s.Secrets.ClientCertificate, s.Secrets.ClientKey
	}

	var allowedForAPI = []*url.URL{root}
	oauth := s.AuthType == settings.AuthOAuth2ClientCredentials || s.AuthType == settings.AuthOAuth2Certificate
	if oauth {
		tu, err := url.Parse(s.TokenURL)
		if err != nil || (tu.Scheme != "https" && tu.Scheme != "http") || tu.Host == "" {
			return nil, configErr("The token URL %q is not an http(s) URL: use the tokenurl of the service key.", s.TokenURL)
		}
		c.tokenOrigin = tu
		c.desc.tokenHost = odata.HostPort(tu.String())
		c.desc.tokenURL = tu.Redacted()
	}

	// The API client. For client-secret OAuth the token request shares it (same TLS identity), so the
	// host guard of this client must also allow the token host.
	sharedToken := s.AuthType == settings.AuthOAuth2ClientCredentials
	if sharedToken {
		allowedForAPI = append(allowedForAPI, c.tokenOrigin)
	}
	c.api, err = c.newHTTPClient(s.Timeout, apiTLS, allowedForAPI)
	if err != nil {
		return nil, configErr("Cannot build the HTTP client: %s", err.Error())
	}

	switch s.AuthType {
	case settings.AuthBasic:
		c.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(s.BasicUser+":"+s.Secrets.BasicPassword))
	case settings.AuthOAuth2ClientCredentials, settings.AuthOAuth2Certificate:
		cfg := &clientcredentials.Config{ClientID: s.ClientID, TokenURL: s.TokenURL}
		c.tokenHTTP = c.api
		if sharedToken {
			// XSUAA standard: client ID and secret in the Basic header. oauth2 URL-encodes both there
			// (XSUAA client IDs contain '!' and '|'); the guard middleware adds X-CF-ENCODED-CREDENTIALS
			// so XSUAA decodes them.
			cfg.ClientSecret = s.Secrets.ClientSecret
			cfg.AuthStyle = oauth2.AuthStyleInHeader
		} else {
			// X.509: the certificate authenticates the client on the TLS layer of the token request only;
			// client_id goes in the form body and there is no secret. API calls carry just the token,
			// hence a second SDK client with the certificate, used for the token host alone.
			cfg.AuthStyle = oauth2.AuthStyleInParams
			tokenTLS := baseTLS
			tokenTLS.ClientCertificate, tokenTLS.ClientKey = s.Secrets.ClientCertificate, s.Secrets.ClientKey
			c.tokenHTTP, err = c.newHTTPClient(s.Timeout, tokenTLS, []*url.URL{c.tokenOrigin})
			if err != nil {
				return nil, configErr("Cannot build the HTTP client for the token URL: %s", err.Error())
			}
		}
		c.tokens = newTokenCache(cfg, c.tokenHTTP, o.now)
		red.dynamic = c.tokens.secrets
	}
	return c, nil
}

// Close releases the client's connections; call it when the data source instance is disposed. Requests
// still in flight finish, and their connections are closed after them instead of waiting idle.
func (c *Client) Close() {
	c.closed.Store(true)
	c.closeIdle()
}

func (c *Client) closeIdle() {
	for _, t := range c.transports {
		t.CloseIdleConnections()
	}
}

// MaxConcurrent is the most requests the client has in flight at once.
func (c *Client) MaxConcurrent() int { return cap(c.sem) }

// ServiceRoot is the OData service root the client talks to ("https://host/api/v1").
func (c *Client) ServiceRoot() string { return c.root.String() }

// Get requests path relative to the service root (e.g. "IntegrationRuntimeArtifacts/$count"). On an
// HTTP error the *Response is returned too (for the Query inspector) together with the error.
func (c *Client) Get(ctx context.Context, path string, query url.Values) (*Response, error) {
	u, err := c.resolve(path, query)
	if err != nil {
		return nil, err
	}
	return c.fetch(ctx, u.String(), func(ctx context.Context) (*Response, error) { return c.do(ctx, http.MethodGet, u, nil) })
}

// GetURL requests an absolute URL or one relative to the service root, such as an OData __next link.
// It must point to the configured API host; anything else is refused before a connection is made.
func (c *Client) GetURL(ctx context.Context, rawURL string) (*Response, error) {
	ref, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, WithSource(c.desc.finish(&Error{Kind: KindMalformedResponse, Host: c.desc.apiHost, Err: err,
			Message: fmt.Sprintf("The link %q is not a valid URL.", rawURL)}))
	}
	base := *c.root
	base.Path = strings.TrimSuffix(base.Path, "/") + "/"
	u := base.ResolveReference(ref)
	if !odata.SameOrigin(u, c.root) || u.User != nil {
		return nil, WithSource(c.hostNotAllowed(u))
	}
	return c.fetch(ctx, u.String(), func(ctx context.Context) (*Response, error) { return c.do(ctx, http.MethodGet, u, nil) })
}

func (c *Client) resolve(path string, query url.Values) (*url.URL, error) {
	if strings.Contains(path, "://") || strings.HasPrefix(path, "//") {
		return nil, WithSource(c.desc.finish(&Error{Kind: KindHostNotAllowed, Host: c.desc.apiHost,
			Message: fmt.Sprintf("Get expects a path relative to the service root, not %q; use GetURL for links.", path)}))
	}
	raw := strings.TrimSuffix(c.root.String(), "/") + "/" + strings.TrimPrefix(path, "/")
	u, err := url.Parse(raw)
	if err != nil {
		return nil, WithSource(&Error{Kind: KindConfig, Host: c.desc.apiHost, Err: err,
			Message: fmt.Sprintf("The request path %q is not valid.", path)})
	}
	if q := EncodeQuery(query); q != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&" + q
		} else {
			u.RawQuery = q
		}
	}
	if !odata.SameOrigin(u, c.root) {
		return nil, WithSource(c.hostNotAllowed(u))
	}
	return u, nil
}

// do runs one logical request: rate limit, concurrency slot, auth, retries on 429/5xx gateway answers and
// token refreshes on 401. Only reading requests go through here (GET, and Cloud ALM's reading POSTs), so
// repeating one is safe.
func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte) (*Response, error) {
	set := entitySet(u, c.root.String())
	area := areaFor(set)
	role, _ := ctx.Value(roleKey{}).(string)
	if role == "" {
		role = area.defaultRole(set)
	}
	host := c.desc.apiHost
	// A rejected token is refreshed once per token generation: concurrent 401s on the same token cause one
	// refresh (tokenCache.invalidate), and a token that expires again later in the same burst of pages is
	// refreshed again, up to maxTokenRefreshes per request. The same token rejected twice is the answer.
	var lastRejected string
	refreshes := 0
	for attempt := 1; ; attempt++ {
		if err := c.limiters[area].Wait(ctx); err != nil {
			return nil, WithSource(c.fail(ctx, host, ctxErr(ctx, err)))
		}
		resp, respBody, hold, err := c.attempt(ctx, method, u, body) //nolint:bodyclose // attempt reads and closes the body
		if c.closed.Load() {
			c.closeIdle() // the instance was disposed while this request was in flight
		}
		if err != nil {
			return nil, WithSource(err)
		}
		r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: respBody, URL: redactedURL(u), hold: hold}
		if resp.StatusCode < 200 || resp.StatusCode >= 300 {
			// An error body is read for its message only (and a retry drops it).
			hold.release()
		}

		switch {
		case resp.StatusCode == http.StatusUnauthorized && c.tokens != nil && refreshes < maxTokenRefreshes &&
			bearerOf(resp.Request) != lastRejected:
			// The token expired, was revoked or the tenant restarted: drop it and try with a fresh one.
			lastRejected = bearerOf(resp.Request)
			c.tokens.invalidate(lastRejected)
			refreshes++
			attempt--
			continue
		case retryable(resp.StatusCode) && attempt < maxAttempts:
			wait := retryDelay(resp.Header, attempt, c.o.now(), c.o.retryBase, c.o.maxRetryWait)
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
				// Waiting would outlive the caller; report the throttling now.
				return r, WithSource(c.desc.statusError(u, resp, respBody, role, attempt))
			}
			if err := c.o.sleep(ctx, wait); err != nil {
				return nil, WithSource(c.fail(ctx, host, err))
			}
			continue
		case resp.StatusCode >= 200 && resp.StatusCode < 300 && !looksLikeHTML(resp.Header, respBody):
			r.Body = c.desc.red.cleanBody(r.Body)
			return r, nil
		}
		return r, WithSource(c.desc.statusError(u, resp, respBody, role, attempt))
	}
}

// ctxErr prefers the context's own error: the limiter gives up before the deadline has actually passed
// when its wait would outlast it.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if _, ok := ctx.Deadline(); ok {
		return context.DeadlineExceeded
	}
	return err
}

func bearerOf(req *http.Request) string {
	if req == nil {
		return ""
	}
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
}

// attempt sends the request once, holding a concurrency slot only while the request is in flight (not
// while waiting for a retry), and reads the capped body. A non-nil body is sent as JSON.
func (c *Client) attempt(ctx context.Context, method string, u *url.URL, body []byte) (*http.Response, []byte, *bodyHold, *Error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, nil, c.fail(ctx, c.desc.apiHost, ctx.Err())
	}
	defer func() { <-c.sem }()

	var reqBody io.Reader
	if body != nil {
		reqBody = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), reqBody)
	if err != nil {
		return nil, nil, nil, c.desc.finish(&Error{Kind: KindConfig, Host: c.desc.apiHost, Err: err, Message: "Cannot build the request."})
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	switch {
	case c.tokens != nil:
		tok, err := c.tokens.token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, nil, c.fail(ctx, c.desc.tokenHost, err)
			}
			return nil, nil, nil, c.desc.tokenError(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	case c.basic != "":
		req.Header.Set("Authorization", c.basic)
	}

	resp, err := c.api.Do(req)
	if err != nil {
		return nil, nil, nil, c.fail(ctx, c.desc.apiHost, err)
	}
	defer resp.Body.Close()
	respBody, hold, err := c.budget.readBody(ctx, resp.Body, c.o.maxBody)
	// Grafana's own response limit (SDK middleware) may be lower than ours.
	if errors.Is(err, errBodyTooLarge) || errors.Is(err, httpclient.ErrResponseBodyTooLarge) {
		if errors.Is(err, errBodyTooLarge) {
			err = nil
		}
		return nil, nil, nil, c.desc.finish(&Error{Kind: KindResponseTooLarge, Host: c.desc.apiHost, Status: resp.StatusCode, Err: err,
			Message: fmt.Sprintf("The response from %s is larger than the allowed %s: narrow the query (shorter time range, more filters, fewer fields).", c.desc.apiHost, sizeText(c.o.maxBody, err))})
	}
	if err != nil {
		return nil, nil, nil, c.fail(ctx, c.desc.apiHost, err)
	}
	// resp.Request is the last request of a redirect chain; keep our own to know which token was used.
	resp.Request = req
	return resp, respBody, hold, nil
}

// fail classifies a transport error. When the caller's own deadline ran out (a Grafana query or health
// check timeout, not the data source's timeout), the message says so instead of blaming the tenant.
func (c *Client) fail(ctx context.Context, host string, err error) *Error {
	e := c.desc.transportError(host, err)
	if e.Kind == KindTimeout && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Message = fmt.Sprintf("The request to %s did not complete before the query's deadline: narrow the query's time range, or raise Grafana's query timeout.", host)
	}
	return e
}

func sizeText(ourLimit int64, err error) string {
	if err != nil {
		return "response size limit of the Grafana server"
	}
	return fmt.Sprintf("%d MiB", ourLimit>>20)
}

func redactedURL(u *url.URL) string {
	cp := *u
	cp.User = nil
	return cp.String()
}
