package odata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Time is an Edm.DateTime value. JSON forms accepted: "/Date(ms)/", "/Date(ms+hhmm)/" (the milliseconds
// are UTC; the offset is informational), ISO strings without zone (UTC, as in some SAP examples) or with one,
// strings of epoch milliseconds (IntegrationPackage dates), and null. It marshals back to "/Date(ms)/".
type Time struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	if ms, ok := plainDateMillis(b); ok {
		t.Time = time.UnixMilli(ms).UTC()
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		// A bare JSON number: epoch milliseconds.
		parsed, nerr := millisTime(string(b), string(b))
		if nerr != nil {
			return nerr
		}
		t.Time = parsed
		return nil
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

// plainDateMillis reads the form every message row carries twice, "\/Date(ms)\/" (or with plain
// slashes), without encoding/json: the milliseconds when b is exactly that with up to 15 digits (no sign,
// no offset) within the accepted range, else false: the general path reads the value the same way, or
// says what is wrong with it.
func plainDateMillis(b []byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`"`))
	if !ok {
		return 0, false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`\/Date(`)); !ok {
		if rest, ok = bytes.CutPrefix(rest, []byte(`/Date(`)); !ok {
			return 0, false
		}
	}
	end := bytes.IndexByte(rest, ')')
	if end < 1 || end > 15 {
		return 0, false
	}
	if tail := string(rest[end:]); tail != `)\/"` && tail != `)/"` {
		return 0, false
	}
	var ms int64
	for _, c := range rest[:end] {
		if c < '0' || c > '9' {
			return 0, false
		}
		ms = ms*10 + int64(c-'0')
	}
	return ms, ms <= maxDateMillis
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(FormatDate(t.Time))
}

// Epoch milliseconds accepted: years 0001 to 9999, the range time.Time marshals and Grafana frames hold.
const (
	minDateMillis = -62135596800000 // 0001-01-01T00:00:00Z
	maxDateMillis = 253402300799999 // 9999-12-31T23:59:59.999Z
)

// ParseDate parses one OData V2 date string (see Time). An empty string is the zero time. Whatever the
// tenant sends, it returns a value or an error, never panics.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if inner, ok := strings.CutPrefix(s, "/Date("); ok {
		inner, ok = strings.CutSuffix(inner, ")/")
		if !ok {
			return time.Time{}, fmt.Errorf("OData date %s: missing )/", quoteShort(s))
		}
		return parseDateMillis(s, inner)
	}
	if isDigits(s) {
		return millisTime(s, s)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			// The same range as milliseconds: a zone offset can push 9999-12-31 into year 10000.
			if ms := t.UnixMilli(); ms < minDateMillis || ms > maxDateMillis {
				return time.Time{}, fmt.Errorf("OData date %s: out of range", quoteShort(s))
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("OData date %s: unknown format", quoteShort(s))
}

// parseDateMillis reads the inside of /Date(…)/: an optional sign, digits, and an optional offset of a
// sign and four digits (informational: the milliseconds are UTC).
func parseDateMillis(s, inner string) (time.Time, error) {
	sign, digits := "", inner
	if rest, ok := strings.CutPrefix(inner, "-"); ok {
		sign, digits = "-", rest
	}
	if i := strings.IndexAny(digits, "+-"); i >= 0 {
		offset := digits[i+1:]
		if len(offset) != 4 || !isDigits(offset) {
			return time.Time{}, fmt.Errorf("OData date %s: malformed offset", quoteShort(s))
		}
		digits = digits[:i]
	}
	if !isDigits(digits) {
		return time.Time{}, fmt.Errorf("OData date %s: not a number of milliseconds", quoteShort(s))
	}
	return millisTime(s, sign+digits)
}

func millisTime(s, num string) (time.Time, error) {
	ms, err := strconv.ParseInt(num, 10, 64)
	if err != nil || ms < minDateMillis || ms > maxDateMillis {
		return time.Time{}, fmt.Errorf("OData date %s: out of range", quoteShort(s))
	}
	return time.UnixMilli(ms).UTC(), nil
}

// quoteShort quotes a tenant's value for an error message, cut to a readable length.
func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strconv.Quote(s)
}

// FormatDate writes t as "/Date(ms)/".
func FormatDate(t time.Time) string {
	return "/Date(" + strconv.FormatInt(t.UnixMilli(), 10) + ")/"
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
