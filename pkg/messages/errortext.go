package messages

// Error texts: MessageProcessingLogs('<guid>')/ErrorInformation/$value, one request per message. They are
// read only for the failed rows a query shows, within the tenant's budget per refresh, and kept in the
// store (a message's error text never changes), so a refresh only reads texts not read before.

import (
	"context"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// maxErrorTextRunes bounds one error text in a frame (stack traces can be long).
const maxErrorTextRunes = 4000

// noErrorInformation is shown for a failed message the tenant has no error text for.
const noErrorInformation = "(no error information)"

func errorTextPath(guid string) string {
	return mplPath + "(" + odata.KeyPredicate(guid) + ")/ErrorInformation/$value"
}

// errorTexts returns the error texts of the given messages (in priority order): every text the store
// keeps, those other queries are reading now (awaited), and up to limit more read from the tenant within
// what is left of the tenant's budget for this minute (see store.go). Messages left out are absent from
// the map; their number is in the frame meta (errorTextsUnread).
func (r *run) errorTexts(ctx context.Context, guids []string, limit int) map[string]string {
	return r.readTexts(ctx, r.st.texts.plan(r.now, guids, limit)).end(ctx, guids, nil)
}

// textReads is a query's reading of the texts of its plan, in the background.
type textReads struct {
	r      *run
	p      textPlan
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex // guards p.known while reading
	failures int
	firstErr error
	requests int // requests made (each recorded)
}

// readTexts starts reading the texts p claimed, 8 at a time.
func (r *run) readTexts(parent context.Context, p textPlan) *textReads {
	ctx, cancel := context.WithCancel(parent)
	t := &textReads{r: r, p: p, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		t.read(ctx)
	}()
	return t
}

func (t *textReads) read(ctx context.Context) {
	r, ts, p := t.r, t.r.st.texts, t.p
	_ = forEachLimit(ctx, len(p.read), 8, func(ctx context.Context, i int) error {
		g := p.read[i]
		resp, err := r.c.Get(cpi.Shareable(ctx), errorTextPath(g), nil)
		r.record(resp)
		text, ok := "", true
		switch {
		case err == nil:
			text = cleanErrorText(resp.Body)
		case cpi.IsKind(err, cpi.KindEntityNotFound) || cpi.IsKind(err, cpi.KindNotFound):
			text = noErrorInformation
		default:
			ok = false
		}
		ts.done(r.now, g, text, ok)
		t.mu.Lock()
		defer t.mu.Unlock()
		if resp != nil {
			t.requests++
		}
		if ok {
			p.known[g] = text
		} else if t.failures++; t.firstErr == nil {
			t.firstErr = err
		}
		return nil // one text that cannot be read does not fail the query
	})
	// Claims not started (the context ended) are released for the next query.
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, g := range p.read {
		if _, ok := p.known[g]; !ok {
			ts.done(r.now, g, "", false)
		}
	}
}

// stop ends the reading and waits for it (the query failed).
func (t *textReads) stop() {
	t.cancel()
	<-t.done
}

// end waits for the reading, adds the texts of rest (the part of guids the plan did not see, see
// planFirst) kept or being read, and those other queries read, and returns the texts of guids (the
// query's whole list) as errorTexts does.
func (t *textReads) end(ctx context.Context, guids, rest []string) map[string]string {
	<-t.done
	t.cancel()
	r, ts, p := t.r, t.r.st.texts, t.p
	ts.resolve(p, rest)
	ts.waitFor(ctx, p)
	if t.failures > 0 {
		r.notice(data.NoticeSeverityWarning, "%d error texts could not be read: %s", t.failures, t.firstErr.Error())
	}
	unread := 0
	seen := map[string]bool{}
	for _, g := range guids {
		if !seen[g] {
			seen[g] = true
			if _, ok := p.known[g]; !ok {
				unread++
			}
		}
	}
	r.set("errorTextsUnread", unread)
	return p.known
}

func cleanErrorText(b []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "�"))
	if s == "" {
		return noErrorInformation
	}
	if utf8.RuneCountInString(s) > maxErrorTextRunes {
		s = string([]rune(s)[:maxErrorTextRunes]) + "…"
	}
	return s
}
