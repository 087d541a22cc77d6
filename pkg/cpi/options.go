package cpi

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
)

type options struct {
	serviceRoot  string
	version      string
	sleep        func(context.Context, time.Duration) error
	now          func() time.Time
	maxBody      int64
	bodyPool     int64
	maxRetryWait time.Duration
	retryBase    time.Duration
	limits       map[Area]int
	httpOptions  httpclient.Options // from the SDK: metrics labels, Secure SOCKS proxy, forced TLS version
	limitNow     func() time.Time
	limitSleep   func(context.Context, time.Duration) error
	// response cache (cache.go)
	cacheTTL      time.Duration
	cacheMaxBytes int64
	cacheSet      bool
}

// Option customises a Client.
type Option func(*options)

// WithServiceRoot points the client at another API root than the CPI service root (<API URL>/api/v1),
// for secondary APIs such as Cloud ALM or the audit log service, which use the same auth and limits.
func WithServiceRoot(root string) Option { return func(o *options) { o.serviceRoot = root } }

// WithHTTPClientOptions starts every HTTP client of the Client (API, token, secondary connections) from
// the options the SDK derives from the data source's instance settings
// (backend.DataSourceInstanceSettings.HTTPClientOptions): the labels of the SDK's request metrics,
// Grafana's Secure SOCKS proxy (private data source connect) and a TLS version Grafana enforces. Timeouts,
// TLS material, authentication, headers and middlewares stay the plugin's own.
func WithHTTPClientOptions(base httpclient.Options) Option {
	return func(o *options) { o.httpOptions = base }
}

// WithVersion sets the plugin version in the User-Agent (grafana-sapcpi-datasource/<version>).
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// WithSleep replaces the wait between retries (tests make it instant and record the durations).
func WithSleep(fn func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.sleep = fn }
}

// WithClock replaces time.Now for token expiry decisions.
func WithClock(fn func() time.Time) Option { return func(o *options) { o.now = fn } }

// WithMaxBodyBytes caps response bodies (default 64 MiB).
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithMaxRetryWait caps the wait before a retry (default 10 s), whatever Retry-After says.
func WithMaxRetryWait(d time.Duration) Option { return func(o *options) { o.maxRetryWait = d } }

// WithRateLimit overrides the per-user rate limit of an API area (requests per one-second window);
// perSecond <= 0 disables it.
func WithRateLimit(a Area, perSecond int) Option {
	return func(o *options) {
		if o.limits == nil {
			o.limits = map[Area]int{}
		}
		o.limits[a] = perSecond
	}
}

// WithLimitClock replaces the clock and the wait of the rate limiters (tests advance a fake clock).
func WithLimitClock(now func() time.Time, sleep func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.limitNow, o.limitSleep = now, sleep }
}

type roleKey struct{}

// WithRole names the role a 403 message should ask for, for requests made with the returned context
// (e.g. "WorkspacePackagesRead" for design-time queries). Without it the role follows the entity set.
func WithRole(ctx context.Context, role string) context.Context {
	return context.WithValue(ctx, roleKey{}, role)
}
