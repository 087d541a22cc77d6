package cpi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Area is an API area with its own SAP per-user rate limit.
type Area int

const (
	AreaMessageLogs Area = iota // MessageProcessingLogs and their sub-entities: 100 requests/s per user
	AreaRuntime                 // IntegrationRuntimeArtifacts, ServiceEndpoints: 50/s
	AreaSecurity                // KeystoreEntries and other security content: 10/s
	AreaDesignTime              // IntegrationPackages and design-time artifacts: 10/s
	AreaOther                   // anything else (message stores, JMS, log files): 10/s, conservative
	numAreas
)

func (a Area) String() string {
	switch a {
	case AreaMessageLogs:
		return "message processing logs"
	case AreaRuntime:
		return "runtime artifacts and endpoints"
	case AreaSecurity:
		return "security content"
	case AreaDesignTime:
		return "design-time artifacts"
	}
	return "this API area"
}

// defaultLimits are SAP's documented per-user limits (requests per second).
var defaultLimits = [numAreas]int{
	AreaMessageLogs: 100,
	AreaRuntime:     50,
	AreaSecurity:    10,
	AreaDesignTime:  10,
	AreaOther:       10,
}

func (a Area) limitText() string {
	return fmt.Sprintf("%d requests/s", defaultLimits[a])
}

// defaultRole is the role template SAP requires for reading the area.
func (a Area) defaultRole(set string) string {
	switch {
	case a == AreaDesignTime:
		return "WorkspacePackagesRead"
	case strings.HasPrefix(set, "DataStore"), strings.HasPrefix(set, "Jms"), set == "Variables":
		return "DataStoresAndQueuesRead"
	}
	return DefaultRole
}

// areaFor maps an entity set (first path segment) to its rate-limit area.
func areaFor(set string) Area {
	switch {
	case strings.HasPrefix(set, "MessageProcessingLog"), set == "MessageStoreEntries",
		strings.HasPrefix(set, "MessageStoreEntry"):
		return AreaMessageLogs
	case set == "IntegrationRuntimeArtifacts", set == "RuntimeArtifactErrorInformations",
		set == "ServiceEndpoints", set == "EntryPoints", set == "APIDefinitions":
		return AreaRuntime
	case set == "KeystoreEntries", set == "Keystores", set == "ChainCertificates", set == "UserCredentials",
		set == "OAuth2ClientCredentials", set == "SecureParameters", set == "CertificateUserMappings",
		set == "AccessPolicies", set == "ArtifactReferences", strings.HasSuffix(set, "KeyResources"),
		set == "CertificateResources":
		return AreaSecurity
	case set == "IntegrationPackages", strings.HasSuffix(set, "DesigntimeArtifacts"),
		set == "CustomTagConfigurations", set == "IntegrationDesigntimeLocks", set == "BuildAndDeployStatus",
		set == "Configurations", set == "Resources":
		return AreaDesignTime
	}
	return AreaOther
}

func areaOf(u *url.URL, serviceRoot string) Area { return areaFor(entitySet(u, serviceRoot)) }

// windowMargin widens the limiter's window beyond SAP's one second: requests reach SAP with varying
// latency, so requests started just over a second apart can still land in the same second at SAP.
const windowMargin = 50 * time.Millisecond

// windowLimiter lets at most n requests start within any window of length w. SAP counts requests per
// fixed one-second window; a window of at least a second that slides over every instant contains each of
// SAP's windows, wherever they start, so no fixed window sees more than n. (A token bucket with a burst
// does not: 100/s plus a burst of 10 let 119 requests into one calendar second.)
type windowLimiter struct {
	n     int
	w     time.Duration
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu     sync.Mutex
	starts []time.Time // ring of the last n start times; zero = unused
	next   int         // index of the oldest start, overwritten by the next one
}

// newLimiter allows perSecond requests per one-second window (plus windowMargin); perSecond <= 0 means
// unlimited (nil).
func newLimiter(perSecond int, now func() time.Time, sleep func(context.Context, time.Duration) error) *windowLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &windowLimiter{n: perSecond, w: time.Second + windowMargin, now: now, sleep: sleep, starts: make([]time.Time, perSecond)}
}

// Wait blocks until a request may start, or returns ctx's error (at once when the wait would outlast
// ctx's deadline).
func (l *windowLimiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l.mu.Lock()
		now := l.now()
		oldest := l.starts[l.next]
		if oldest.IsZero() || now.Sub(oldest) >= l.w {
			l.starts[l.next] = now
			l.next = (l.next + 1) % l.n
			l.mu.Unlock()
			return nil
		}
		wait := l.w - now.Sub(oldest)
		l.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && dl.Sub(now) < wait {
			return context.DeadlineExceeded
		}
		// Several waiters may wake for one free slot; the losers wait again.
		if err := l.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryable statuses: throttling and gateway/overload answers. 500 is not retried: on CPI it usually
// means the query itself fails and would fail again.
func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryDelay honours Retry-After (seconds or HTTP date) and otherwise backs off exponentially with
// jitter (so parallel requests don't retry in lock-step); the result is capped at maxWait.
func retryDelay(h http.Header, attempt int, now time.Time, base, maxWait time.Duration) time.Duration {
	d := time.Duration(-1)
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		// A number too large for an int reads as the largest one (ErrRange); it is a long wait all the same.
		if secs, err := strconv.Atoi(ra); (err == nil || errors.Is(err, strconv.ErrRange)) && secs >= 0 {
			// Compared before converting: a huge number of seconds overflows a Duration.
			d = maxWait
			if secs <= int(maxWait/time.Second) {
				d = time.Duration(secs) * time.Second
			}
		} else if t, err := http.ParseTime(ra); err == nil {
			d = max(t.Sub(now), 0)
		}
	}
	if d < 0 {
		d = base << (attempt - 1)
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1)) //nolint:gosec // backoff jitter, not a secret
	}
	return min(d, maxWait)
}

// sleepCtx is the default sleep: it returns early with ctx's error when ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
