package logfiles

import (
	"strings"
	"testing"
	"time"
)

func TestParseAccessLine(t *testing.T) {
	tests := []struct {
		name                    string
		line                    string
		ok                      bool
		method, path, agent, ip string
		user                    string
		status, bytes           int64
		duration                float64 // -1: none
		at                      time.Time
	}{
		{"combined with duration", `10.1.2.3 - - [21/Nov/2026:11:02:24 +0000] "POST /cxf/orders HTTP/1.1" 200 17098 "-" "Apache-HttpClient/4.5.14" 918`,
			true, "POST", "/cxf/orders", "Apache-HttpClient/4.5.14", "10.1.2.3", "", 200, 17098, 918, time.Date(2026, 11, 21, 11, 2, 24, 0, time.UTC)},
		{"common, no agent, no duration, user, zone", `10.1.2.3 - P123456 [09/Jul/2018:02:00:07 +0200] "GET /http/ping?x=1 HTTP/1.1" 401 -`,
			true, "GET", "/http/ping?x=1", "", "10.1.2.3", "P123456", 401, -1, -1, time.Date(2018, 7, 9, 0, 0, 7, 0, time.UTC)},
		{"duration without agent", `::1 - - [09/Jul/2018:00:00:07 +0000] "GET / HTTP/1.1" 500 2 15.5`,
			true, "GET", "/", "", "::1", "", 500, 2, 15.5, time.Date(2018, 7, 9, 0, 0, 7, 0, time.UTC)},
		{"escaped quote in agent", `10.0.0.9 - - [09/Jul/2018:00:00:07 +0000] "PUT /a HTTP/1.1" 204 0 "https://x/" "say \"hi\"" 3`,
			true, "PUT", "/a", `say \"hi\"`, "10.0.0.9", "", 204, 0, 3, time.Date(2018, 7, 9, 0, 0, 7, 0, time.UTC)},
		{"Neo tenant: proxy, client in parentheses, certificate subject, unquoted request", `10.117.41.174 (203.0.113.160) - CN=orders-client, OU=Integration, O=Example AG, C=DE [06/Dec/2026:00:00:30 +0000] POST /cxf/orders HTTP/1.1 200 8572 463 -`,
			true, "POST", "/cxf/orders", "", "203.0.113.160", "CN=orders-client, OU=Integration, O=Example AG, C=DE", 200, 8572, 463, time.Date(2026, 12, 6, 0, 0, 30, 0, time.UTC)},
		{"Neo tenant: no forwarded address, no user, zone", `10.117.41.174 - - [06/Dec/2026:01:00:30 +0100] GET /http/ping HTTP/1.1 404 - 12`,
			true, "GET", "/http/ping", "", "10.117.41.174", "", 404, -1, 12, time.Date(2026, 12, 6, 0, 0, 30, 0, time.UTC)},
		{"Neo tenant: quoted request, nothing after the bytes", `10.117.41.174 (198.51.100.7) - - [06/Dec/2026:00:00:30 +0000] "GET /cxf/x?wsdl HTTP/1.1" 200 4711`,
			true, "GET", "/cxf/x?wsdl", "", "198.51.100.7", "", 200, 4711, -1, time.Date(2026, 12, 6, 0, 0, 30, 0, time.UTC)},
		{"trace line", `2026 11 21 11:02:24.000#+00#INFO#cat#x#`, false, "", "", "", "", "", 0, 0, 0, time.Time{}},
		{"bad time", `10.1.2.3 - - [32/Nov/2026:11:02:24 +0000] "GET / HTTP/1.1" 200 1`, false, "", "", "", "", "", 0, 0, 0, time.Time{}},
		{"garbage", "\x00\x01 binary", false, "", "", "", "", "", 0, 0, 0, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := ParseAccessLine(tc.line)
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if a.Method != tc.method || a.Path != tc.path || a.UserAgent != tc.agent || a.ClientIP != tc.ip || a.User != tc.user || !a.Time.Equal(tc.at) {
				t.Fatalf("got %+v", a)
			}
			if a.Status == nil || *a.Status != tc.status {
				t.Fatalf("status %v", a.Status)
			}
			if (tc.bytes < 0) != (a.Bytes == nil) || (a.Bytes != nil && *a.Bytes != tc.bytes) {
				t.Fatalf("bytes %v, want %d", a.Bytes, tc.bytes)
			}
			if (tc.duration < 0) != (a.DurationMS == nil) || (a.DurationMS != nil && *a.DurationMS != tc.duration) {
				t.Fatalf("duration %v, want %g", a.DurationMS, tc.duration)
			}
		})
	}
}

func TestParseTraceLines(t *testing.T) {
	text := strings.Join([]string{
		"preamble that is not a trace line",
		"2018 07 16 10:12:05#+02#ERROR#com.sap.core.js#anonymous#http-nio-8041-exec-3#na#Failed to process#",
		"java.lang.IllegalStateException: boom",
		"\tat com.sap.X.run(X.java:42)",
		"2018 07 16 08:13:00.250#+00#WARNING#com.sap.it#x#Slow#",
		"2018 07 16 09:13:00.250#+0130#INFO#com.sap.it#x#Outside the range#",
		"continuation of an entry outside the range",
	}, "\n")
	var res Result
	from, to := time.Date(2018, 7, 16, 8, 0, 0, 0, time.UTC), time.Date(2018, 7, 16, 8, 30, 0, 0, time.UTC)
	capped := parseLines([]byte(text), true, from, to, 100, &res)
	if capped || len(res.Trace) != 2 {
		t.Fatalf("capped %v, entries %+v", capped, res.Trace)
	}
	first := res.Trace[0]
	if !first.Time.Equal(time.Date(2018, 7, 16, 8, 12, 5, 0, time.UTC)) || first.Level != "ERROR" || first.Category != "com.sap.core.js" {
		t.Fatalf("first %+v", first)
	}
	if !strings.HasSuffix(first.Message, "Failed to process\njava.lang.IllegalStateException: boom\nat com.sap.X.run(X.java:42)") ||
		strings.Count(first.Raw, "\n") != 2 {
		t.Fatalf("continuation lines not attached: %q", first.Message)
	}
	if res.Trace[1].Level != "WARNING" || !res.Trace[1].Time.Equal(time.Date(2018, 7, 16, 8, 13, 0, 250e6, time.UTC)) {
		t.Fatalf("second %+v", res.Trace[1])
	}
	if len(res.Notices) != 1 || !strings.HasPrefix(res.Notices[0].Text, "1 lines") {
		t.Fatalf("notices %v", res.Notices)
	}
	if res.Lines != 7 {
		t.Fatalf("lines %d", res.Lines)
	}
}

// The message is the record's last column, without the "|" that ends a record and without the columns
// before it (location, user, thread …), which stay in Raw.
func TestTraceMessage(t *testing.T) {
	for line, want := range map[string]string{
		"2026 12 06 00:00:30#+00#ERROR#com.sap.it.op.agent.mpl#na#anonymous#http-nio-8041-exec-3#na#ae0e6e8e5#Failed to process order 4711|": "Failed to process order 4711",
		"2026 12 06 00:00:30#+00#INFO#com.sap.core.js#anonymous#http-nio-8041-exec-3#na#Started|#":                                           "Started",
		"2026 12 06 00:00:30#+00#INFO#com.sap.core.js#x#Slow#":                                                                               "Slow",
		"2026 12 06 00:00:30#+00#INFO#com.sap.core.js#":                                                                                      "",
	} {
		tl, ok := ParseTraceLine(line)
		if !ok || tl.Message != want || tl.Raw != line {
			t.Errorf("%q: ok %v, message %q, want %q", line, ok, tl.Message, want)
		}
	}
}

func TestTraceZone(t *testing.T) {
	for _, tc := range []struct {
		zone string
		ok   bool
		want time.Time
	}{
		{"+00", true, time.Date(2018, 7, 16, 10, 0, 0, 0, time.UTC)},
		{"-05", true, time.Date(2018, 7, 16, 15, 0, 0, 0, time.UTC)},
		{"+0530", true, time.Date(2018, 7, 16, 4, 30, 0, 0, time.UTC)},
		{"+99", false, time.Time{}},
		{"+abc", false, time.Time{}},
	} {
		got, ok := traceTime("2018 07 16 10:00:00", tc.zone)
		if ok != tc.ok || (ok && !got.Equal(tc.want)) {
			t.Errorf("zone %q: %s %v", tc.zone, got, ok)
		}
	}
}

// A line longer than the scanner's limit is skipped without failing the rest of the file.
func TestOverlongLine(t *testing.T) {
	good := `10.1.2.3 - - [21/Nov/2026:11:02:24 +0000] "GET / HTTP/1.1" 200 1`
	text := good + "\n" + strings.Repeat("x", maxLineBytes*2) + "\n" + good + "\n"
	var res Result
	parseLines([]byte(text), false, time.Time{}, time.Time{}, 10, &res)
	if len(res.Access) != 2 {
		t.Fatalf("%d lines parsed", len(res.Access))
	}
}
