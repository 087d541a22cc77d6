package messages

// Error texts: MessageProcessingLogs('<guid>')/ErrorInformation/$value, one request per message. They are
// read only for the failed rows a query shows, within a budget per query, and kept in the client's cache
// without expiry (a message's error text never changes; the cache's byte budget evicts the oldest), so
// a refresh only reads the texts of new failures.

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

// errorTexts returns the error texts of the given messages (in priority order): every text already in the
// cache, and up to budget more from the tenant. Messages left out are absent from the map.
func (r *run) errorTexts(ctx context.Context, guids []string, budget int) map[string]string {
	out := map[string]string{}
	var todo []string
	for _, g := range guids {
		if _, done := out[g]; done {
			continue
		}
		if resp, ok := r.c.CachedResponse(errorTextPath(g), nil); ok {
			r.record(resp)
			out[g] = cleanErrorText(resp.Body)
			continue
		}
		if len(todo) < budget {
			todo = append(todo, g)
		}
	}
	var (
		mu       sync.Mutex
		failures atomic.Int64
		firstErr error
	)
	_ = forEachLimit(ctx, len(todo), 8, func(ctx context.Context, i int) error {
		resp, err := r.c.Get(cpi.Immutable(ctx), errorTextPath(todo[i]), nil)
		r.record(resp)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			out[todo[i]] = cleanErrorText(resp.Body)
		case cpi.IsKind(err, cpi.KindEntityNotFound) || cpi.IsKind(err, cpi.KindNotFound):
			out[todo[i]] = noErrorInformation
		default:
			failures.Add(1)
			if firstErr == nil {
				firstErr = err
			}
		}
		return nil // one text that cannot be read does not fail the query
	})
	if n := failures.Load(); n > 0 {
		r.notice(data.NoticeSeverityWarning, "%d error texts could not be read: %s", n, firstErr.Error())
	}
	return out
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
