package odata

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
)

// Fuzz targets for everything this package reads from a tenant. `go test` runs their seeds;
// scripts/fuzz.sh fuzzes each of them for a given time.

// saneDates is the range an accepted date may fall in: years 0001 to 9999 (SAP's "forever" is
// 9999-12-31), what time.Time marshals and a Grafana frame holds.
var saneDates = struct{ min, max time.Time }{
	time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
}

func checkSane(t *testing.T, in string, got time.Time) {
	t.Helper()
	if got.IsZero() {
		return
	}
	if got.Before(saneDates.min) || got.After(saneDates.max) {
		t.Fatalf("%q accepted as %v, outside years 0001 to 9999", in, got)
	}
	if got.Location() != time.UTC {
		t.Fatalf("%q accepted as %v, not in UTC", in, got)
	}
}

// msDate is the documented /Date(ms)/ form with an optional offset, read here without the parser.
var msDate = regexp.MustCompile(`^/Date\((-?[0-9]+)(?:[+-][0-9]{4})?\)/$`)

var dateSeeds = []string{
	"/Date(1700000000000)/", "/Date(1700000000000+0100)/", "/Date(-86400000)/", "/Date(0)/",
	"/Date(253402300799000)/", "/Date()/x", "/Date(", "/Date(12)", "/Date(abc)/", "/Date(-)/x",
	"2024-01-02T03:04:05", "2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05+02:00", "2024-01-02T03:04",
	"1700000000000", "", "  ", "null", "9999-12-31T23:59:59.999-05:00", "0000-01-01T00:00:00Z",
	// Found by fuzzing: an empty /Date()/ panicked; huge numbers gave years beyond 9999.
	"/Date()/", "/Date(700000000000000)/", "00000000000001000000000000000000",
}

// FuzzParseDate: every input is an error or a UTC time within four-digit years; the documented
// /Date(ms)/ form is exactly ms after the epoch; an accepted time survives FormatDate at millisecond
// precision.
func FuzzParseDate(f *testing.F) {
	for _, s := range dateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			// The input is quoted cut to 60 bytes; escaping makes that at most 240 characters.
			if len(err.Error()) > 400 {
				t.Fatalf("error of %d bytes for %d bytes of input", len(err.Error()), len(s))
			}
			return
		}
		checkSane(t, s, got)
		if m := msDate.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
			want, _ := new(big.Int).SetString(m[1], 10)
			if !want.IsInt64() || want.Int64() != got.UnixMilli() || got.Nanosecond()%int(time.Millisecond) != 0 {
				t.Fatalf("%q read as %v (%d ms), want %s ms", s, got, got.UnixMilli(), m[1])
			}
		}
		if got.IsZero() {
			return
		}
		back, err := ParseDate(FormatDate(got))
		if err != nil || !back.Equal(got.Truncate(time.Millisecond)) {
			t.Fatalf("%q: %v formats as %s, which reads back as %v (%v)", s, got, FormatDate(got), back, err)
		}
	})
}

// FuzzTimeJSON: a JSON value is an error or a sane time, and MarshalJSON/UnmarshalJSON round-trip it.
func FuzzTimeJSON(f *testing.F) {
	for _, s := range dateSeeds {
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	for _, s := range []string{"null", "1700000000000", "-1", "1e3", "true", "{}", `"\u002fDate(5)\u002f"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v Time
		if err := v.UnmarshalJSON(b); err != nil {
			return
		}
		checkSane(t, string(b), v.Time)
		out, err := v.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: marshal: %v", b, err)
		}
		var back Time
		if err := json.Unmarshal(out, &back); err != nil || !back.Equal(v.Truncate(time.Millisecond)) {
			t.Fatalf("%s read as %v, marshals as %s, which reads back as %v (%v)", b, v.Time, out, back.Time, err)
		}
	})
}

type fuzzRow struct {
	ID   string `json:"Id"`
	When Time   `json:"LogEnd"`
}

// FuzzDecodeCollection: an envelope decodes or fails; results are bounded by the body, __count is a
// non-negative number that matches the body's own "__count", and the next link is the body's "__next".
func FuzzDecodeCollection(f *testing.F) {
	for _, name := range sapfixtures.JSONFiles(f, "hub-example-", "real-cf-tenant-") {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"d":{"results":[{"Id":"a","LogEnd":"/Date(1700000000000)/"}],"__count":"7","__next":"X?$skiptoken=1"}}`,
		`{"d":[{"Id":"a"}]}`, `{"d":{"results":[],"__count":7}}`, `{"d":{"results":[],"__count":"-1"}}`,
		`{"d":{"results":[],"__count":"99999999999999999999"}}`, `{"d":{"results":null}}`, `{"d":null}`,
		"\xef\xbb\xbf{\"d\":{\"results\":[]}}", `<html>`, `{"d":{"results":[{"LogEnd":"/Date()/x"}]}}`, `{"d":{"results":[1]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		col, err := DecodeCollection[fuzzRow](bytes.NewReader(body))
		if err != nil {
			return
		}
		if len(col.Results) > len(body)/2+1 {
			t.Fatalf("%d results from %d bytes", len(col.Results), len(body))
		}
		// The body's own members, read token by token (encoding/json matches member names case-insensitively
		// and the last duplicate wins).
		d, _ := lastMember(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), "d")
		if col.Count != nil {
			raw, _ := lastMember(d, "__count")
			var text string
			if json.Unmarshal(raw, &text) != nil {
				text = string(raw)
			}
			if want, ok := new(big.Int).SetString(strings.TrimPrefix(strings.TrimSpace(text), "+"), 10); *col.Count < 0 || !ok || !want.IsInt64() || want.Int64() != *col.Count {
				t.Fatalf("count %d, the body says %s", *col.Count, raw)
			}
		}
		var next string
		if raw, ok := lastMember(d, "__next"); ok {
			_ = json.Unmarshal(raw, &next)
		}
		if col.Next != next {
			t.Fatalf("next %q, the body says %q", col.Next, next)
		}
	})
}

// lastMember returns the value of the last member of a JSON object whose name equals name, ignoring case.
func lastMember(obj []byte, name string) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var found json.RawMessage
	ok := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if strings.EqualFold(key, name) {
			found, ok = v, true
		}
	}
	return found, ok
}

// FuzzParseCount: a /$count body is a non-negative number equal to its digits, or an error whose text
// quotes at most a short prefix of the body.
func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"42", " 7\n", "\xef\xbb\xbf3", "-1", "1e3", "", "<html>", strings.Repeat("9", 30), "+5"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseCount(body)
		if err != nil {
			if len(err.Error()) > 300 {
				t.Fatalf("error of %d bytes: %v", len(err.Error()), err)
			}
			return
		}
		text := strings.TrimSpace(string(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
		want, ok := new(big.Int).SetString(strings.TrimPrefix(text, "+"), 10)
		if n < 0 || !ok || !want.IsInt64() || want.Int64() != n {
			t.Fatalf("%q read as %d", body, n)
		}
	})
}

// FuzzResolveNext: a followed link never leaves the service root's scheme, host and port.
func FuzzResolveNext(f *testing.F) {
	for _, s := range [][2]string{
		{"https://t.example.com/api/v1", "MessageProcessingLogs?$skiptoken=1000"},
		{"https://t.example.com/api/v1/", "https://t.example.com:443/api/v1/X?$skip=5"},
		{"https://t.example.com/api/v1", "https://evil.example.net/api/v1/X"},
		{"https://t.example.com/api/v1", "//evil.example.net/x"},
		{"https://t.example.com/api/v1", "http://t.example.com/api/v1/X"},
		{"https://t.example.com/api/v1", "https://user:pw@t.example.com/api/v1/X"},
		{"http://127.0.0.1:8080/api/v1", "/api/v1/X?$skiptoken=2"},
		{"https://t.example.com/api/v1", "https://t.example.com\\@evil.example.net/"},
		{"https://t.example.com/api/v1", "https://T.EXAMPLE.COM./x"},
		{"https://t.example.com/api/v1", " %zz"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, root, next string) {
		abs, err := ResolveNext(root, next)
		if err != nil {
			return
		}
		r, err1 := url.Parse(strings.TrimSuffix(root, "/") + "/")
		u, err2 := url.Parse(abs)
		if err1 != nil || err2 != nil {
			t.Fatalf("ResolveNext(%q, %q) = %q, which does not parse: %v %v", root, next, abs, err1, err2)
		}
		port := func(x *url.URL) string {
			if p := x.Port(); p != "" {
				return p
			}
			return map[string]string{"https": "443", "http": "80"}[strings.ToLower(x.Scheme)]
		}
		if !strings.EqualFold(r.Scheme, u.Scheme) || !strings.EqualFold(r.Hostname(), u.Hostname()) || port(r) != port(u) {
			t.Fatalf("ResolveNext(%q, %q) = %q leaves %s://%s", root, next, abs, r.Scheme, r.Host)
		}
	})
}

// FuzzParseError: an error body yields nil or an error whose code and message come from the body, with
// a text bounded by the body's size.
func FuzzParseError(f *testing.F) {
	for _, name := range sapfixtures.JSONFiles(f, "hub-example-odata-error", "calm-issue109-error") {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(500, b)
	}
	for _, s := range []string{
		`{"error":{"code":"Internal Server Error","message":{"lang":"en","value":"boom"}}}`,
		`{"error":{"code":"x","message":"plain"}}`, `{"error":{"message":null}}`, `{"error":null}`, `[1]`,
		`<?xml version="1.0"?><error><code>400</code><message xml:lang="en">bad</message></error>`,
		`<error><code>&amp;&#x41;</code></error>`, `<html>`, ``,
	} {
		f.Add(400, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError(status, body)
		if e == nil {
			return
		}
		if e.Status != status {
			t.Fatalf("status %d, want %d", e.Status, status)
		}
		// Unescaping shrinks text; only invalid UTF-8 (replaced by U+FFFD) grows, at most threefold.
		if n := len(e.Code) + len(e.Message); n > 3*len(body) {
			t.Fatalf("code and message of %d bytes from %d bytes of body", n, len(body))
		}
		msg := e.Error()
		if !strings.Contains(msg, strconv.Itoa(status)) || !strings.Contains(msg, e.Code) || !strings.Contains(msg, e.Message) {
			t.Fatalf("Error() = %q loses status %d, code %q or message %q", msg, status, e.Code, e.Message)
		}
	})
}

// FuzzPlainDate: the shortcut for "\/Date(ms)\/" reads what encoding/json and ParseDate read, or leaves
// the value to them.
func FuzzPlainDate(f *testing.F) {
	for _, s := range []string{`"\/Date(1700000000000)\/"`, `"/Date(1700000000000)/"`, `"\/Date(0)\/"`,
		`"\/Date(253402300799999)\/"`, `"\/Date(253402300800000)\/"`, `"\/Date(999999999999999)\/"`,
		`"\/Date(0000000000000001)\/"`, `"\/Date()\/"`, `"\/Date(-5)\/"`, `"\/Date(5+0100)\/"`, `"\/Date(5)/"`,
		`"/Date(5)\/"`, `"\/Date(5)\/" `, `"\/Date(5)\/`, `"\u002fDate(5)\u002f"`, `"\/Date(1a)\/"`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, ok := plainDateMillis(b)
		if !ok {
			return
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: shortcut read %d, encoding/json fails: %v", b, ms, err)
		}
		want, err := ParseDate(s)
		if err != nil || !want.Equal(time.UnixMilli(ms)) {
			t.Fatalf("%s: shortcut read %d, ParseDate %v (%v)", b, ms, want, err)
		}
	})
}

func TestPlainDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ms   int64
		read bool
	}{
		{`"\/Date(1700000000000)\/"`, 1700000000000, true},
		{`"/Date(1700000000000)/"`, 1700000000000, true},
		{`"\/Date(0)\/"`, 0, true},
		{`"\/Date(253402300799999)\/"`, 253402300799999, true},
		{`"\/Date(253402300800000)\/"`, 0, false}, // year 10000: the general path says so
		{`"\/Date(0000000000000001)\/"`, 0, false},
		{`"\/Date(-5)\/"`, 0, false},
		{`"\/Date(5+0100)\/"`, 0, false},
		{`"\/Date()\/"`, 0, false},
		{`"\/Date(5)\/ `, 0, false},
		{`"\u002fDate(5)\u002f"`, 0, false},
	} {
		ms, ok := plainDateMillis([]byte(tc.in))
		if ok != tc.read || (ok && ms != tc.ms) {
			t.Errorf("plainDateMillis(%s) = %d, %v; want %d, %v", tc.in, ms, ok, tc.ms, tc.read)
		}
	}
}
