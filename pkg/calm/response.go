package calm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Attribute is one dimension value of a series.
type Attribute struct {
	Key   string
	Value string
}

// Point is one bucket; Value is nil when Cloud ALM sent null.
type Point struct {
	Time  time.Time
	Value *float64
}

// Series is one series of a time_series answer: {serieName, measure?, attributes[{key,value}],
// dataPoints[[value, timestamp]]}. Points are sorted by time.
type Series struct {
	Name       string
	Measure    string
	Attributes []Attribute
	Points     []Point
}

type wireSeries struct {
	SerieName  string `json:"serieName"`
	Measure    string `json:"measure"`
	Attributes []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"attributes"`
	DataPoints []json.RawMessage `json:"dataPoints"`
}

// splitPerQuery splits the answer into one element per query. Cloud ALM answers an array with one entry
// per query; SAP's README shows one query's slice without that outer array, which is accepted when only
// one query was sent (isSlice tells a series of that slice from a per-query list).
func splitPerQuery(body []byte, n int, isSlice func(json.RawMessage) bool) ([]json.RawMessage, error) {
	var top []json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		if n == 1 && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			return []json.RawMessage{body}, nil // a single table object
		}
		return nil, fmt.Errorf("expected a JSON array with one result per query: %w", err)
	}
	if n == 1 && len(top) > 0 && isSlice(top[0]) {
		whole, _ := json.Marshal(top)
		return []json.RawMessage{whole}, nil
	}
	if len(top) == 0 && n == 1 {
		return []json.RawMessage{json.RawMessage("[]")}, nil
	}
	if len(top) != n {
		return nil, fmt.Errorf("%d results for %d queries", len(top), n)
	}
	return top, nil
}

func isObject(raw json.RawMessage) bool { return bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) }

// DecodeSeries reads a time_series answer for n queries: per query, its series.
func DecodeSeries(body []byte, n int) ([][]Series, error) {
	// In the per-query form each element is an array of series; an object at the top is a series itself
	// (README form).
	parts, err := splitPerQuery(body, n, isObject)
	if err != nil {
		return nil, err
	}
	out := make([][]Series, len(parts))
	for i, p := range parts {
		var ws []wireSeries
		if err := json.Unmarshal(p, &ws); err != nil {
			return nil, fmt.Errorf("query %d: expected a list of series: %w", i+1, err)
		}
		for _, w := range ws {
			s := Series{Name: w.SerieName, Measure: w.Measure}
			for _, a := range w.Attributes {
				s.Attributes = append(s.Attributes, Attribute{Key: a.Key, Value: scalarText(a.Value)})
			}
			for j, raw := range w.DataPoints {
				var pair []json.RawMessage
				if err := json.Unmarshal(raw, &pair); err != nil || len(pair) < 2 {
					return nil, fmt.Errorf("series %q point %d: expected [value, timestamp]", w.SerieName, j)
				}
				v, err := number(pair[0])
				if err != nil {
					return nil, fmt.Errorf("series %q point %d: %w", w.SerieName, j, err)
				}
				ts, err := timestamp(pair[1])
				if err != nil {
					return nil, fmt.Errorf("series %q point %d: %w", w.SerieName, j, err)
				}
				s.Points = append(s.Points, Point{Time: ts, Value: v})
			}
			// Cloud ALM does not promise sorted points (SAP's plugin sorts them too).
			sort.SliceStable(s.Points, func(a, b int) bool { return s.Points[a].Time.Before(s.Points[b].Time) })
			out[i] = append(out[i], s)
		}
	}
	return out, nil
}

// Column is one table column; Type is time, string or number.
type Column struct {
	Text string `json:"text"`
	Type string `json:"type"`
}

// Table is one query's table answer: {columns[{text,type}], rows[[…]]}; Focused Run spells the keys in
// upper case, which SAP's plugin accepts as well.
type Table struct {
	Columns []Column
	Rows    [][]json.RawMessage
}

// DecodeTables reads a table answer for n queries.
func DecodeTables(body []byte, n int) ([]Table, error) {
	// Per query one object; there is no "slice" form for tables (an object inside the array is per query).
	parts, err := splitPerQuery(body, n, func(json.RawMessage) bool { return false })
	if err != nil {
		return nil, err
	}
	out := make([]Table, len(parts))
	for i, p := range parts {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(p, &raw); err != nil {
			return nil, fmt.Errorf("query %d: expected a table object {columns, rows}: %w", i+1, err)
		}
		cols, rows := raw["columns"], raw["rows"]
		if cols == nil {
			cols, rows = raw["COLUMNS"], raw["ROWS"]
		}
		var t Table
		if len(cols) > 0 {
			if err := json.Unmarshal(cols, &t.Columns); err != nil {
				return nil, fmt.Errorf("query %d: columns: %w", i+1, err)
			}
		}
		if len(rows) > 0 && string(rows) != "null" {
			if err := json.Unmarshal(rows, &t.Rows); err != nil {
				return nil, fmt.Errorf("query %d: rows: %w", i+1, err)
			}
		}
		for r, row := range t.Rows {
			if len(row) != len(t.Columns) {
				return nil, fmt.Errorf("query %d: row %d has %d cells for %d columns", i+1, r+1, len(row), len(t.Columns))
			}
		}
		out[i] = t
	}
	return out, nil
}

// number reads a value cell: a JSON number, a numeric string or null.
func number(raw json.RawMessage) (*float64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return &f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return &f, nil
		}
	}
	return nil, fmt.Errorf("value %s is not a number", odata.Excerpt(string(raw), 40))
}

// timestamp reads a time cell: milliseconds since the epoch (number or string, what timestampFormat
// "unix" gives), or YYYYMMDDhhmmss in the request timezone (without timestampFormat). Values below 1e11 are
// taken as seconds.
func timestamp(raw json.RawMessage) (time.Time, error) {
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		text = strings.TrimSpace(string(raw))
	}
	text = strings.TrimSpace(text)
	if len(text) == len(calmTimeLayout) && !strings.ContainsAny(text, ".eE-+") {
		if t, err := time.ParseInLocation(calmTimeLayout, text, requestLocation); err == nil {
			return t, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	// Beyond maxTimestampMS the conversion to int64 overflows or the year has five digits: not a time.
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxTimestampMS {
		return time.Time{}, fmt.Errorf("timestamp %s is neither milliseconds since 1970 nor YYYYMMDDhhmmss", odata.Excerpt(string(raw), 40))
	}
	if f < 1e11 {
		return time.Unix(int64(f), 0).UTC(), nil
	}
	return time.UnixMilli(int64(f)).UTC(), nil
}

// maxTimestampMS is 9999-12-31T23:59:59.999Z in milliseconds, the last time a timestamp may name.
const maxTimestampMS = 253402300799999

// requestLocation is the zone of requestTimezone.
var requestLocation = time.UTC

// scalarText renders a JSON scalar as text (strings unquoted, null empty).
func scalarText(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	if t := strings.TrimSpace(string(raw)); t != "null" {
		return t
	}
	return ""
}

// sapMessage is one entry of the sap-message header: [{time, content, type: I|W|E}].
type sapMessage struct {
	Time    string `json:"time"`
	Content string `json:"content"`
	Type    string `json:"type"`
}

// Notices turns the sap-message header into frame notices.
func Notices(h http.Header) []data.Notice {
	var out []data.Notice
	for _, raw := range h.Values("sap-message") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		var msgs []sapMessage
		if err := json.Unmarshal([]byte(raw), &msgs); err != nil {
			var one sapMessage
			if json.Unmarshal([]byte(raw), &one) == nil && one.Content != "" {
				msgs = []sapMessage{one}
			} else {
				out = append(out, data.Notice{Severity: data.NoticeSeverityInfo, Text: "Cloud ALM: " + odata.Excerpt(raw, 300)})
				continue
			}
		}
		for _, m := range msgs {
			if strings.TrimSpace(m.Content) == "" {
				continue
			}
			sev := data.NoticeSeverityInfo
			switch strings.ToUpper(m.Type) {
			case "W":
				sev = data.NoticeSeverityWarning
			case "E":
				sev = data.NoticeSeverityError
			}
			out = append(out, data.Notice{Severity: sev, Text: "Cloud ALM: " + odata.Excerpt(m.Content, 300)})
		}
	}
	return out
}
