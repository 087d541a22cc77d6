// Package rt holds what the runtime query packages share: the client interface they need, the request
// log shown in the Query inspector, server-paged collections and SAP's numbers that arrive as strings.
package rt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Getter is the part of *cpi.Client the runtime queries use: Get for a path below the service root,
// GetURL for the server's __next links.
type Getter interface {
	Get(ctx context.Context, path string, query url.Values) (*cpi.Response, error)
	GetURL(ctx context.Context, rawURL string) (*cpi.Response, error)
}

// Log records the requests a query made and the notices for its frames.
type Log struct {
	Requests []string
	Notices  []data.Notice
}

// Add records a request URL (a nil response is ignored).
func (l *Log) Add(resp *cpi.Response) {
	if resp != nil && resp.URL != "" {
		l.Requests = append(l.Requests, resp.URL)
	}
}

// Notice adds an informational notice.
func (l *Log) Notice(format string, a ...any) {
	l.Notices = append(l.Notices, data.Notice{Severity: data.NoticeSeverityInfo, Text: fmt.Sprintf(format, a...)})
}

// Warning adds a warning notice.
func (l *Log) Warning(format string, a ...any) {
	l.Notices = append(l.Notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: fmt.Sprintf(format, a...)})
}

// GetAll reads a collection and follows the server's __next links (SAP pages at 1000 entries) for at
// most maxPages pages. capped reports that more pages existed; the caller says so in a notice.
func GetAll[T any](ctx context.Context, g Getter, log *Log, what, path string, query url.Values, maxPages int) (rows []T, capped bool, err error) {
	resp, err := g.Get(ctx, path, query)
	log.Add(resp)
	for page := 1; ; page++ {
		if err != nil {
			return rows, false, err
		}
		coll, derr := odata.DecodeCollection[T](bytes.NewReader(resp.Body))
		if derr != nil {
			return rows, false, fmt.Errorf("reading %s: %w", what, derr)
		}
		rows = append(rows, coll.Results...)
		if coll.Next == "" {
			return rows, false, nil
		}
		if page >= maxPages {
			return rows, true, nil
		}
		resp, err = g.GetURL(ctx, coll.Next)
		log.Add(resp)
	}
}

// Number is an OData number that SAP sends as a JSON number, a numeric string ("794616135"), a boolean
// (flags) or null. Valid is false for null, "" and anything that is not a number.
type Number struct {
	Value float64
	Valid bool
}

// UnmarshalJSON implements json.Unmarshaler; it never fails, so one odd value cannot fail a whole query.
func (n *Number) UnmarshalJSON(b []byte) error {
	*n = Number{}
	s := strings.TrimSpace(string(b))
	switch s {
	case "null", `""`:
		return nil
	case "true":
		*n = Number{1, true}
		return nil
	case "false":
		*n = Number{0, true}
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return nil //nolint:nilerr // not a string after all: leave the value invalid
		}
		s = strings.TrimSpace(str)
	}
	v, err := strconv.ParseFloat(s, 64)
	// ParseFloat also reads "NaN" and "Inf"; neither is a count or a size.
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil //nolint:nilerr // a non-numeric value is "unknown", not an error
	}
	*n = Number{v, true}
	return nil
}

// Ptr returns the value or nil when unknown (for nullable frame fields).
func (n Number) Ptr() *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Value
	return &v
}

// ContainsFold reports whether needle occurs in any of the haystacks, ignoring case.
func ContainsFold(needle string, haystacks ...string) bool {
	needle = strings.ToLower(needle)
	for _, h := range haystacks {
		if strings.Contains(strings.ToLower(h), needle) {
			return true
		}
	}
	return false
}
