package cpi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenCache holds one OAuth access token for the data source instance. It is fetched lazily, shared by
// all requests, renewed shortly before expiry and dropped when the API answers 401.
//
// The clientcredentials package does the token request (form body, client authentication), but the
// caching is ours: oauth2.ReuseTokenSource cannot be told to drop a token the API rejected, and its token
// request would not honour the caller's context.
type tokenCache struct {
	cfg  *clientcredentials.Config
	http *http.Client
	now  func() time.Time

	// fetch is a one-slot semaphore so only one goroutine asks the token endpoint at a time (the others
	// wait for its result) while still honouring their own context.
	fetch chan struct{}

	mu        sync.Mutex
	tok       *oauth2.Token
	validTill time.Time
	previous  string // the token before tok, kept only for redaction
}

// fallbackLifetime is assumed when the token endpoint sends no expires_in; a 401 renews it anyway.
const fallbackLifetime = 10 * time.Minute

func newTokenCache(cfg *clientcredentials.Config, hc *http.Client, now func() time.Time) *tokenCache {
	return &tokenCache{cfg: cfg, http: hc, now: now, fetch: make(chan struct{}, 1)}
}

func (t *tokenCache) cached() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.now().Before(t.validTill) {
		return t.tok.AccessToken
	}
	return ""
}

// token returns a valid access token, fetching one if needed.
func (t *tokenCache) token(ctx context.Context) (string, error) {
	if tok := t.cached(); tok != "" {
		return tok, nil
	}
	select {
	case t.fetch <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-t.fetch }()
	// Another goroutine may have fetched while we waited for the slot.
	if tok := t.cached(); tok != "" {
		return tok, nil
	}
	fetchedAt := t.now()
	// oauth2.HTTPClient makes the token request use our SDK client (same TLS settings, host guard,
	// Accept header); the request itself carries the caller's context.
	tok, err := t.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, t.http))
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil {
		t.previous = t.tok.AccessToken
	}
	t.tok = tok
	t.validTill = validUntil(tok, fetchedAt)
	return tok.AccessToken, nil
}

// validUntil renews the token a minute before it expires (or at half of a shorter lifetime), so a token
// never expires between being taken from the cache and reaching the API.
func validUntil(tok *oauth2.Token, fetchedAt time.Time) time.Time {
	if tok.Expiry.IsZero() {
		return fetchedAt.Add(fallbackLifetime)
	}
	lifetime := tok.Expiry.Sub(fetchedAt)
	skew := min(time.Minute, lifetime/2)
	return tok.Expiry.Add(-skew)
}

// invalidate drops the cached token if it is still the one the API rejected (another goroutine may
// already have replaced it).
func (t *tokenCache) invalidate(rejected string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.AccessToken == rejected {
		t.previous = rejected
		t.tok = nil
	}
}

// secrets returns the tokens that must never appear in a message.
func (t *tokenCache) secrets() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := []string{t.previous}
	if t.tok != nil {
		out = append(out, t.tok.AccessToken)
	}
	return out
}
