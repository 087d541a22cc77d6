package messages

// The store: what the message queries of one data source instance (one tenant, one service key) share.
//
// SAP's rate limit belongs to the service key, so every user, panel and alert rule of a tenant draws on
// one allowance. The store keeps what is worth keeping between panels and refreshes:
//
//   - error texts (one request each, the bulk of the calls a dashboard makes): one budget per tenant,
//     shared by errorGroups, its failure-burst annotations and the messages list of every dashboard and
//     alert rule: a bucket of DefaultTextBurst texts (a cold dashboard load) refilled by
//     DefaultTextsPerMinute on the query clock (each refresh reads a few more); every panel asks in its own priority order
//     (errorGroups round-robin over the failing iFlows), a text being read for one panel is awaited by the
//     others instead of being read twice, and texts read are kept (bounded in bytes, oldest evicted first),
//     so successive refreshes read further down the list until every failure has its text. A text cut
//     short on the way with a matching Content-Length looks whole, so a text is final only once a second
//     read, at least textConfirmAfter later and with budget no unread text needs, returned the same bytes;
//     until then the panels show the first read;
//   - the tenant's message rows by minute (rowstore.go), which answer every panel's counts, durations and
//     error groups, so a dashboard reads its range once and a refresh only the minutes that may change;
//   - the shared listings of a refresh (stuck messages) through the client's cache, see stuckRows.
//
// A Store is safe for concurrent use.

import (
	"container/list"
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
)

const (
	// DefaultTextBurst is the error texts one refresh may read when the budget is full (a cold load).
	DefaultTextBurst = 60
	// DefaultTextsPerMinute refills the budget: the steady rate of error-text requests per tenant.
	DefaultTextsPerMinute = 2
	// defaultTextBytes bounds the error texts kept (a text is at most maxErrorTextRunes runes).
	defaultTextBytes = 16 << 20
	// textOverhead approximates what a kept text costs besides its bytes (map entry, list element, id).
	textOverhead = 128
	// textConfirmAfter is how long a first read of a text waits before a second read may confirm it.
	textConfirmAfter = 30 * time.Second
)

// Store is the shared message data of one data source instance.
type Store struct {
	c     *cpi.Client
	texts *textStore
	rows  *rowStore

	// Reading ahead (rowstore_read.go, fillAhead) runs beside the queries until Close.
	ctx       context.Context
	cancel    context.CancelFunc
	ahead     sync.WaitGroup
	aheadBusy atomic.Bool
}

// StoreOption configures a Store.
type StoreOption func(*Store)

// WithStoreBytes bounds the memory of the row store (0: no row store; every query asks the tenant).
func WithStoreBytes(n int64) StoreOption {
	return func(s *Store) { s.rows.maxBytes = max(n, 0) }
}

// WithTextBudget sets the tenant's error-text budget (burst texts at most, refilled by perMinute) and the
// bytes of texts kept.
func WithTextBudget(burst int, perMinute float64, maxBytes int64) StoreOption {
	return func(s *Store) {
		s.texts.burst, s.texts.perMinute, s.texts.maxBytes = max(burst, 0), max(perMinute, 0), max(maxBytes, 0)
		s.texts.tokens = float64(s.texts.burst)
	}
}

// NewStore is the store of the data source instance whose client c is.
func NewStore(c *cpi.Client, opts ...StoreOption) *Store {
	s := &Store{c: c, texts: &textStore{burst: DefaultTextBurst, perMinute: DefaultTextsPerMinute, tokens: DefaultTextBurst, maxBytes: defaultTextBytes,
		kept: map[string]*list.Element{}, inflight: map[string]chan struct{}{}, order: list.New()},
		rows: newRowStore(DefaultStoreBytes)}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close stops reading ahead and waits for it (the data source instance is disposed).
func (s *Store) Close() {
	s.cancel()
	s.ahead.Wait()
}

// Client is the tenant's client.
func (s *Store) Client() *cpi.Client { return s.c }

// textStore is the error-text budget and the texts kept.
type textStore struct {
	burst     int
	perMinute float64
	maxBytes  int64

	mu       sync.Mutex
	tokens   float64                  // texts that may be read now
	last     time.Time                // when tokens was last refilled
	kept     map[string]*list.Element // guid → element of order (value keptText)
	order    *list.List               // oldest first
	bytes    int64
	inflight map[string]chan struct{} // texts being read, closed when done
}

type keptText struct {
	guid, text string
	readAt     time.Time // when text was read
	confirmed  bool      // a second read returned the same text
}

// textPlan is what one query does about its error texts: the texts known now, the ones it reads itself
// and the ones another query is reading.
type textPlan struct {
	known map[string]string
	read  []string
	await map[string]chan struct{}
}

// plan sorts guids (in priority order) into known, being read by another query, and to read by this one:
// at most limit for this query and no more than what is left of the minute's budget.
func (ts *textStore) plan(now time.Time, guids []string, limit int) textPlan {
	p, _ := ts.planFirst(now, guids, limit, false)
	return p
}

// planFirst is plan; with first, guids are only the first of the query's list (the rest are not known
// yet), and it plans only when they take all the query may read (limit, or the budget left): the rest can
// then only add texts known or being read (resolve adds them), so the plan is the one of the whole list.
// Otherwise it changes nothing and reports false.
func (ts *textStore) planFirst(now time.Time, guids []string, limit int, first bool) (textPlan, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if !ts.last.IsZero() && now.After(ts.last) {
		ts.tokens = min(float64(ts.burst), ts.tokens+now.Sub(ts.last).Minutes()*ts.perMinute)
	}
	if now.After(ts.last) {
		ts.last = now
	}
	p := textPlan{known: map[string]string{}, await: map[string]chan struct{}{}}
	tokens := ts.tokens
	claimed := map[string]chan struct{}{} // this plan's reads, claimed once it is kept
	var unconfirmed []string
	for _, g := range guids {
		if _, done := p.known[g]; done {
			continue
		}
		if e, ok := ts.kept[g]; ok {
			k := e.Value.(keptText)
			p.known[g] = k.text
			if !k.confirmed && !now.Before(k.readAt.Add(textConfirmAfter)) {
				unconfirmed = append(unconfirmed, g)
			}
			continue
		}
		ch, ok := ts.inflight[g]
		if !ok {
			ch, ok = claimed[g]
		}
		if ok {
			p.await[g] = ch
			continue
		}
		if len(p.read) < limit && tokens >= 1 {
			tokens--
			claimed[g] = make(chan struct{})
			p.read = append(p.read, g)
		}
	}
	if first && len(p.read) < limit && tokens >= 1 {
		return textPlan{}, false
	}
	// Confirming reads take only what the unread texts left.
	for _, g := range unconfirmed {
		_, busy := ts.inflight[g]
		if _, mine := claimed[g]; busy || mine || len(p.read) >= limit || tokens < 1 {
			continue
		}
		tokens--
		claimed[g] = make(chan struct{})
		p.read = append(p.read, g)
	}
	ts.tokens = tokens
	maps.Copy(ts.inflight, claimed)
	return p, true
}

// resolve adds to p the rest of its query's list (see planFirst): the texts kept, and those being read.
func (ts *textStore) resolve(p textPlan, rest []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, g := range rest {
		if _, done := p.known[g]; done {
			continue
		}
		if e, ok := ts.kept[g]; ok {
			p.known[g] = e.Value.(keptText).text
		} else if ch, ok := ts.inflight[g]; ok {
			p.await[g] = ch
		}
	}
}

// done records the outcome of reading guid at now (ok false: not read, e.g. the tenant failed) and wakes
// the queries waiting for it. A read of a kept text confirms it when it repeats it, else replaces it.
func (ts *textStore) done(now time.Time, guid, text string, ok bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ok {
		if e, kept := ts.kept[guid]; kept {
			k := e.Value.(keptText)
			ts.bytes += int64(len(text) - len(k.text))
			e.Value = keptText{guid: guid, text: text, readAt: now, confirmed: k.text == text}
		} else {
			ts.kept[guid] = ts.order.PushBack(keptText{guid: guid, text: text, readAt: now})
			ts.bytes += int64(len(text)+len(guid)) + textOverhead
		}
		for ts.bytes > ts.maxBytes && ts.order.Len() > 0 {
			e := ts.order.Front()
			k := e.Value.(keptText)
			ts.order.Remove(e)
			delete(ts.kept, k.guid)
			ts.bytes -= int64(len(k.text)+len(k.guid)) + textOverhead
		}
	}
	if ch, found := ts.inflight[guid]; found {
		close(ch)
		delete(ts.inflight, guid)
	}
}

// get is a kept text.
func (ts *textStore) get(guid string) (string, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if e, ok := ts.kept[guid]; ok {
		return e.Value.(keptText).text, true
	}
	return "", false
}

// waitFor waits until the texts another query reads are done (or ctx ends) and adds those it got.
func (ts *textStore) waitFor(ctx context.Context, p textPlan) {
	for g, ch := range p.await {
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
		if t, ok := ts.get(g); ok {
			p.known[g] = t
		}
	}
}
