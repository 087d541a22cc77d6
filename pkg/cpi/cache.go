package cpi

// Response cache and request deduplication.
//
// A dashboard refresh sends every panel's queries at once, and several panels often ask the tenant the
// same thing (the deployed iFlows for zero-filling, the same count over the same window). Two mechanisms
// keep that cheap on SAP's rate limits:
//
//   - deduplication: identical GETs in flight at the same time share one HTTP request, for requests whose
//     context is marked with Shareable, CacheFor or Immutable (opt-in, so that callers which count their
//     own requests, such as the client's tests, see every one of them);
//   - a short response cache, used only for requests the caller marks as cacheable with CacheFor (an
//     answer that cannot change within the TTL, e.g. a closed time window) or Immutable (an answer that
//     never changes, e.g. the error text of a message), bounded in bytes with LRU eviction.
//
// The cache belongs to one Client, and a Client to one data source instance, so one data source's answers
// are never served to another; the key also carries the client's auth identity (a hash of URL, auth
// type, user and secret) so that it stays correct even if a cache were ever shared.

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sync"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/safe"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

const (
	// DefaultCacheTTL is how long a cacheable answer is reused when the caller does not say otherwise.
	DefaultCacheTTL = 30 * time.Second
	// DefaultCacheMaxBytes bounds the bodies a client keeps (responses of closed windows and error texts).
	DefaultCacheMaxBytes = 32 << 20
	// entryOverhead approximates what an entry costs besides its body (headers, key, list element).
	entryOverhead = 512
)

// RefreshTTL is how long the panels of one dashboard refresh (and the alert rules evaluated with them)
// share a listing that changes slowly (deployed artifacts, the JMS broker, the keystore): one request
// answers them all, and the next refresh reads it again.
const RefreshTTL = 30 * time.Second

// WithResponseCache sets the default TTL of cacheable answers (ttl <= 0 disables the response cache;
// deduplication of identical requests in flight stays on) and the byte budget of the cache.
func WithResponseCache(ttl time.Duration, maxBytes int64) Option {
	return func(o *options) {
		o.cacheTTL, o.cacheMaxBytes, o.cacheSet = ttl, maxBytes, true
	}
}

type cachePolicyKey struct{}

// cachePolicy says whether the requests of a context may share an answer or be answered from the cache.
type cachePolicy struct {
	noStore   bool          // Shareable: deduplicate only, never store
	ttl       time.Duration // > 0: cache for this long; 0: the client's default TTL
	immutable bool          // never expires (still evicted when the cache is full)
	state     string        // ImmutableWhile: part of the key; an empty answer is not kept
}

// Shareable marks requests made with the returned context as shareable: an identical request already in
// flight answers them too. Nothing is stored. Every GET of a read-only query can be marked.
func Shareable(ctx context.Context) context.Context {
	if _, ok := ctx.Value(cachePolicyKey{}).(cachePolicy); ok {
		return ctx // CacheFor and Immutable already share
	}
	return context.WithValue(ctx, cachePolicyKey{}, cachePolicy{noStore: true})
}

// CacheFor marks requests made with the returned context as cacheable for ttl (0 = the client's
// default, 30 s). Use it only when the answer cannot change meaningfully within ttl: a time window that
// has closed (ends in the past), or slowly changing state such as the list of deployed iFlows.
func CacheFor(ctx context.Context, ttl time.Duration) context.Context {
	return context.WithValue(ctx, cachePolicyKey{}, cachePolicy{ttl: max(ttl, 0)})
}

// Immutable marks requests made with the returned context as answers that never change (e.g. the error
// text of a message): they stay in the cache until the byte budget evicts them.
func Immutable(ctx context.Context) context.Context {
	return context.WithValue(ctx, cachePolicyKey{}, cachePolicy{immutable: true})
}

// ImmutableWhile marks requests made with the returned context as answers that do not change while state
// stays the same (e.g. an artifact's deployment error for its version and deployment time): state is part
// of the cache key. An empty or blank answer is not kept: SAP answers 204 until it has written such a text.
func ImmutableWhile(ctx context.Context, state string) context.Context {
	return context.WithValue(ctx, cachePolicyKey{}, cachePolicy{immutable: true, state: state})
}

// CacheStats counts what the cache and the deduplication saved; tests and the benchmark read them.
type CacheStats struct {
	Requests int64 // GETs that went to the network
	Hits     int64 // answered from the cache
	Shared   int64 // answered by an identical request already in flight
	Entries  int
	Bytes    int64
}

// CacheStats returns the client's cache counters.
func (c *Client) CacheStats() CacheStats {
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	s := c.cache.stats
	s.Entries, s.Bytes = len(c.cache.entries), c.cache.bytes
	return s
}

type cacheEntry struct {
	key     string
	resp    Response
	expires time.Time // zero: immutable
	size    int64
	elem    *list.Element
}

// flight is one request in progress that identical requests wait for.
type flight struct {
	done    chan struct{}
	resp    *Response
	err     error
	waiters int                // callers still interested; at 0 the request is cancelled
	cancel  context.CancelFunc // cancels the shared request
}

type responseCache struct {
	identity string
	ttl      time.Duration
	maxBytes int64
	now      func() time.Time

	mu       sync.Mutex
	entries  map[string]*cacheEntry
	lru      *list.List // front = most recently used; values are *cacheEntry
	bytes    int64
	inflight map[string]*flight
	stats    CacheStats
}

func newResponseCache(identity string, o options) *responseCache {
	ttl, maxBytes := DefaultCacheTTL, int64(DefaultCacheMaxBytes)
	if o.cacheSet {
		ttl, maxBytes = o.cacheTTL, o.cacheMaxBytes
	}
	return &responseCache{identity: identity, ttl: ttl, maxBytes: maxBytes, now: o.now,
		entries: map[string]*cacheEntry{}, lru: list.New(), inflight: map[string]*flight{}}
}

// authIdentity is a hash of everything that decides what the tenant shows this client: service root,
// auth type, client or user, token URL and the secrets. Two clients with different credentials never
// share a key.
func authIdentity(s settings.Settings, root string) string {
	h := sha256.New()
	for _, part := range []string{root, string(s.AuthType), s.TokenURL, s.ClientID, s.BasicUser,
		s.Secrets.ClientSecret, s.Secrets.BasicPassword, s.Secrets.ClientCertificate} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// fetch is the entry point of every GET: cache, then deduplication, then the network (do).
func (c *Client) fetch(ctx context.Context, rawURL string, do func(context.Context) (*Response, error)) (*Response, error) {
	rc := c.cache
	key := rc.identity + "\n" + rawURL
	policy, shareable := ctx.Value(cachePolicyKey{}).(cachePolicy)
	if policy.state != "" {
		key += "\n" + policy.state
	}
	if !shareable {
		rc.mu.Lock()
		rc.stats.Requests++
		rc.mu.Unlock()
		return do(ctx)
	}
	cacheable := !policy.noStore && (policy.immutable || rc.ttl > 0) // ttl <= 0 disables TTL-bound caching

	rc.mu.Lock()
	if cacheable {
		if e, ok := rc.entries[key]; ok {
			if e.expires.IsZero() || rc.now().Before(e.expires) {
				rc.lru.MoveToFront(e.elem)
				rc.stats.Hits++
				resp := e.resp
				rc.mu.Unlock()
				resp.Cached = true
				return &resp, nil
			}
			rc.remove(e)
		}
	}
	if f, ok := rc.inflight[key]; ok {
		f.waiters++
		rc.stats.Shared++
		rc.mu.Unlock()
		return rc.wait(ctx, key, f, true, c)
	}
	// Leader: the request runs on a context that outlives this caller's cancellation as long as another
	// caller still waits for it, but keeps the caller's values (role, headers) and deadline (a caller
	// that joins with a later deadline may see the leader's timeout; identical requests of one refresh
	// have the same deadline in practice).
	base := context.WithoutCancel(ctx)
	var fctx context.Context
	var cancel context.CancelFunc
	if dl, ok := ctx.Deadline(); ok {
		fctx, cancel = context.WithDeadline(base, dl)
	} else {
		fctx, cancel = context.WithCancel(base)
	}
	f := &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
	rc.inflight[key] = f
	rc.stats.Requests++
	rc.mu.Unlock()

	go func() {
		var resp *Response
		err := safe.Call(func() (err error) {
			resp, err = do(fctx)
			return err
		})
		rc.mu.Lock()
		f.resp, f.err = resp, err
		if rc.inflight[key] == f {
			delete(rc.inflight, key)
		}
		if err == nil && resp != nil && cacheable && (policy.state == "" || len(bytes.TrimSpace(resp.Body)) > 0) {
			ttl := policy.ttl
			if ttl == 0 {
				ttl = rc.ttl
			}
			var expires time.Time
			if !policy.immutable {
				expires = rc.now().Add(ttl)
			}
			rc.add(key, *resp, expires)
		}
		rc.mu.Unlock()
		cancel()
		close(f.done)
	}()
	return rc.wait(ctx, key, f, false, c)
}

// wait returns the flight's answer, or the caller's own cancellation; the last caller to give up
// cancels the shared request.
func (rc *responseCache) wait(ctx context.Context, key string, f *flight, shared bool, c *Client) (*Response, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		rc.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			// Nobody wants the answer any more: stop the request, and let a later caller start afresh
			// instead of joining a cancelled one.
			f.cancel()
			if rc.inflight[key] == f {
				delete(rc.inflight, key)
			}
		}
		rc.mu.Unlock()
		return nil, WithSource(c.fail(ctx, c.desc.apiHost, ctx.Err()))
	}
	if f.resp == nil {
		return nil, f.err
	}
	resp := *f.resp // callers get their own struct; Body and Header are shared and must not be modified
	resp.Cached = shared
	return &resp, f.err
}

// add stores an answer, evicting the least recently used entries beyond the byte budget. An answer
// bigger than an eighth of the budget is not kept: it would evict everything else.
func (rc *responseCache) add(key string, resp Response, expires time.Time) {
	size := int64(len(resp.Body)+len(key)) + entryOverhead
	if size > rc.maxBytes/8 {
		return
	}
	if old, ok := rc.entries[key]; ok {
		rc.remove(old)
	}
	e := &cacheEntry{key: key, resp: resp, expires: expires, size: size}
	e.elem = rc.lru.PushFront(e)
	rc.entries[key] = e
	rc.bytes += size
	for el := rc.lru.Back(); el != nil && rc.bytes > rc.maxBytes; {
		prev := el.Prev()
		rc.remove(el.Value.(*cacheEntry))
		el = prev
	}
	// Drop a few expired entries from the cold end, so memory is released even without pressure, at a
	// bounded cost per insertion.
	now := rc.now()
	for el, n := rc.lru.Back(), 0; el != nil && n < 8; n++ {
		prev := el.Prev()
		if ce := el.Value.(*cacheEntry); !ce.expires.IsZero() && !now.Before(ce.expires) {
			rc.remove(ce)
		}
		el = prev
	}
}

func (rc *responseCache) remove(e *cacheEntry) {
	rc.lru.Remove(e.elem)
	delete(rc.entries, e.key)
	rc.bytes -= e.size
}

// CachedResponse returns the cached answer of a GET without any request (ok=false when it is not in
// the cache), so a caller with a request budget can use what is already known for free.
func (c *Client) CachedResponse(path string, query url.Values) (*Response, bool) {
	u, err := c.resolve(path, query)
	if err != nil {
		return nil, false
	}
	rc := c.cache
	key := rc.identity + "\n" + u.String()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.entries[key]
	if !ok || (!e.expires.IsZero() && !rc.now().Before(e.expires)) {
		return nil, false
	}
	rc.lru.MoveToFront(e.elem)
	rc.stats.Hits++
	resp := e.resp
	resp.Cached = true
	return &resp, true
}
