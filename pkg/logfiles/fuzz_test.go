package logfiles

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for the lines of the tenant's log files. `go test` runs their seeds; scripts/fuzz.sh
// fuzzes each of them for a given time.

var (
	accessSeeds = []string{
		`10.0.0.1 - user1 [16/Jul/2018:10:12:05 +0000] "GET /itspaces/odata/api/v1/Foo?x=1 HTTP/1.1" 200 1234 "-" "Mozilla/5.0" 12`,
		`10.0.0.1 - - [16/Jul/2018:10:12:05 +0200] "POST /http/x HTTP/1.1" 500 - "ref" "agent \"quoted\"" 3.5`,
		`10.0.0.1 - - [31/Dec/9999:23:59:59 -1200] "" - -`, `- - - [x] "" 200 1`, `not a log line`, ``,
	}
	traceSeeds = []string{
		"2018 07 16 10:12:05.123#+00#ERROR#com.sap.it.Foo##user#thread#msg one#",
		"2018 07 16 10:12:05#-0530#INFO#cat#", "2018 07 16 10:12:05#+99#INFO#cat#", "\tat com.sap.Foo(Foo.java:12)", "###",
		"0000 01 01 00:00:00#+14#x#y#z",
	}
)

// saneLogTime: log times have four-digit years (a zone offset may move them a day).
func saneLogTime(t *testing.T, ts time.Time) {
	t.Helper()
	if ts.Before(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Add(-24*time.Hour)) || ts.After(time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC)) || ts.Location() != time.UTC {
		t.Fatalf("time %v accepted", ts)
	}
}

// FuzzParseAccessLine: a line is refused or parsed into fields taken from it.
func FuzzParseAccessLine(f *testing.F) {
	for _, s := range accessSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		a, ok := ParseAccessLine(line)
		if !ok {
			return
		}
		saneLogTime(t, a.Time)
		if a.Raw != line || !strings.Contains(line, a.ClientIP) || !strings.Contains(line, a.Method) || !strings.Contains(line, a.Path) {
			t.Fatalf("%q parsed as %+v", line, a)
		}
		if a.Status != nil && (*a.Status < 0 || *a.Status > 999) || a.Bytes != nil && *a.Bytes < 0 {
			t.Fatalf("%q: status or size out of range: %+v", line, a)
		}
	})
}

// FuzzParseTraceLine: a line is refused or parsed into trimmed fields, with the message made of the
// fields after the category (joined by " | ", so at most twice as long as the line).
func FuzzParseTraceLine(f *testing.F) {
	for _, s := range traceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		tl, ok := ParseTraceLine(line)
		if !ok {
			return
		}
		saneLogTime(t, tl.Time)
		if tl.Raw != line || strings.TrimSpace(tl.Level) != tl.Level || strings.TrimSpace(tl.Category) != tl.Category ||
			strings.Contains(tl.Message, "#") || len(tl.Message) > 2*len(line) {
			t.Fatalf("%q parsed as %+v", line, tl)
		}
	})
}

// FuzzParseLines: a whole file is parsed into at most maxLines entries, in the time range, holding no
// more text than the file.
func FuzzParseLines(f *testing.F) {
	f.Add([]byte(strings.Join(accessSeeds, "\n")), false, uint8(10))
	f.Add([]byte(strings.Join(traceSeeds, "\r\n")), true, uint8(1))
	f.Add([]byte("\tat x\n"+traceSeeds[0]+"\n\tat y\n\tat z\n"+traceSeeds[1]), true, uint8(0))
	f.Add(bytes.Repeat([]byte("x"), 70<<10), false, uint8(3))
	f.Fuzz(func(t *testing.T, text []byte, trace bool, max uint8) {
		from := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		to := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		var res Result
		parseLines(text, trace, from, to, int(max), &res)
		if n := len(res.Access) + len(res.Trace); n > int(max) {
			t.Fatalf("%d entries for at most %d", n, max)
		}
		if res.Lines > bytes.Count(text, []byte("\n"))+1 {
			t.Fatalf("%d lines counted in a text of %d line breaks", res.Lines, bytes.Count(text, []byte("\n")))
		}
		total := 0
		for _, a := range res.Access {
			total += len(a.Raw)
			if a.Time.Before(from) || a.Time.After(to) {
				t.Fatalf("line at %v kept outside the range", a.Time)
			}
		}
		for _, tl := range res.Trace {
			total += len(tl.Raw)
			if tl.Time.Before(from) || tl.Time.After(to) {
				t.Fatalf("entry at %v kept outside the range", tl.Time)
			}
		}
		if total > len(text) {
			t.Fatalf("%d bytes of entries from %d bytes of file", total, len(text))
		}
	})
}
