package cpi

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// newHTTPClient builds one SDK client (tracing, metrics, error-source middlewares) with the guard in
// front, and a redirect policy that never follows a redirect to another host.
func (c *Client) newHTTPClient(timeout time.Duration, tlsOpts httpclient.TLSOptions, allowed []*url.URL) (*http.Client, error) {
	to := httpclient.DefaultTimeoutOptions
	to.Timeout = timeout
	to.DialTimeout = min(to.DialTimeout, timeout)
	to.TLSHandshakeTimeout = min(to.TLSHandshakeTimeout, timeout)
	mws := append([]httpclient.Middleware{c.guard(allowed)}, httpclient.DefaultMiddlewares()...)
	tlsCopy := tlsOpts
	base := c.o.httpOptions
	if base.TLS != nil {
		tlsCopy.MinVersion, tlsCopy.MaxVersion = base.TLS.MinVersion, base.TLS.MaxVersion
	}
	opts := httpclient.Options{Timeouts: &to, TLS: &tlsCopy, Middlewares: mws, Labels: maps.Clone(base.Labels),
		ConfigureTransport: func(_ httpclient.Options, t *http.Transport) { c.transports = append(c.transports, t) }}
	if base.ProxyOptions != nil {
		// The SDK fills in defaults on the options it is given; each client gets its own copy.
		proxyOpts := *base.ProxyOptions
		opts.ProxyOptions = &proxyOpts
	}
	hc, err := httpclient.New(opts)
	if err != nil {
		return nil, err
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !odata.SameOrigin(req.URL, via[0].URL) {
			// Hand the 3xx back to the caller, which explains it (typically a login redirect).
			return http.ErrUseLastResponse
		}
		return nil
	}
	return hc, nil
}

// guard is the last line of defence of the host guard: whatever builds a request (our code, the oauth2
// package, a redirect), it can only reach an allowed origin. It also sets the headers every request
// needs, including token requests made by the oauth2 package.
func (c *Client) guard(allowed []*url.URL) httpclient.Middleware {
	return httpclient.MiddlewareFunc(func(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
		return httpclient.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			if !originAllowed(req.URL, allowed) {
				return nil, c.hostNotAllowed(req.URL)
			}
			r := req.Clone(req.Context()) // a RoundTripper must not modify the caller's request
			if r.Header.Get("Accept") == "" {
				r.Header.Set("Accept", "application/json")
			}
			if r.Header.Get("User-Agent") == "" {
				r.Header.Set("User-Agent", c.userAgent)
			}
			if c.tokenOrigin != nil && odata.SameOrigin(r.URL, c.tokenOrigin) && r.Method == http.MethodPost &&
				strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
				r.Header.Set("X-CF-ENCODED-CREDENTIALS", "true")
			}
			return next.RoundTrip(r)
		})
	})
}

func originAllowed(u *url.URL, allowed []*url.URL) bool {
	for _, a := range allowed {
		if a != nil && odata.SameOrigin(u, a) {
			return true
		}
	}
	return false
}

func (c *Client) hostNotAllowed(u *url.URL) *Error {
	host := odata.HostPort(u.String())
	return c.desc.finish(&Error{Kind: KindHostNotAllowed, Host: host,
		Message: fmt.Sprintf("Refusing to send a request to %s: only the configured API host %s (and the token host) may be contacted, so credentials never leave them.", host, c.desc.apiHost)})
}
