// Package rt holds what the runtime query packages share: the client interface they need, the request
// log shown in the Query inspector, collections read with the paging reader and SAP's numbers that arrive as strings.
package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
)

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

// GetAll reads a collection with the paging reader (cpi.List): o.MaxRows bounds the rows, o.NextOnly
// is for collections whose API documents neither $skip nor $inlinecount. It records the requests and,
// when a cap cut the result or the tenant's pages fell short of its count, a notice naming what.
// capped reports that more rows existed.
func GetAll[T any](ctx context.Context, g cpi.Source, log *Log, what string, o cpi.ListOptions) (rows []T, capped bool, err error) {
	rows, res, err := cpi.List[T](ctx, g, o)
	log.Requests = append(log.Requests, res.Requests...)
	if err != nil {
		return nil, false, err
	}
	if n := res.Notice(what); n != "" {
		log.Warning("%s", n)
	}
	return rows, res.Capped, nil
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
