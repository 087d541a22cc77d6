package messages

// Error texts: MessageProcessingLogs('<guid>')/ErrorInformation/$value, one request per message. They are
// read only for the failed rows a query shows, within the tenant's budget per refresh, and kept in the
// store (a message's error text never changes), so a refresh only reads texts not read before.

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
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
	ts := r.st.texts
	p := ts.plan(r.now, guids, limit)
	var (
		mu       sync.Mutex
		failures atomic.Int64
		firstErr error
	)
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
			failures.Add(1)
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}
		ts.done(r.now, g, text, ok)
		if ok {
			mu.Lock()
			p.known[g] = text
			mu.Unlock()
		}
		return nil // one text that cannot be read does not fail the query
	})
	// Claims not started (the context ended) are released for the next query.
	for _, g := range p.read {
		if _, ok := p.known[g]; !ok {
			ts.done(r.now, g, "", false)
		}
	}
	ts.waitFor(ctx, p)
	if n := failures.Load(); n > 0 {
		r.notice(data.NoticeSeverityWarning, "%d error texts could not be read: %s", n, firstErr.Error())
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
