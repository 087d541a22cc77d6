package logfiles

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// AccessLine is one parsed line of an HTTP access log (NCSA combined format, as Neo's Tomcat writes it,
// with the processing time appended).
type AccessLine struct {
	Time      time.Time
	ClientIP  string
	User      string
	Method    string
	Path      string
	Protocol  string
	Status    *int64
	Bytes     *int64
	Referer   string
	UserAgent string
	// DurationMS is the trailing processing time; milliseconds is an assumption (Tomcat's %D in the
	// Neo runtime's access log pattern), SAP does not document the pattern.
	DurationMS *float64
	Raw        string
}

// TraceLine is one entry of a trace log ("2018 07 16 10:12:05.123#+00#ERROR#category#…#message#");
// continuation lines (stack traces) are appended to the entry's Raw and Message.
type TraceLine struct {
	Time     time.Time
	Level    string
	Category string
	Message  string
	Raw      string
}

// accessPattern: client ident user [time] "request" status bytes ["referer" "agent"] [duration].
var accessPattern = regexp.MustCompile(`^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(?: (\d+(?:\.\d+)?))?\s*$`)

// neoAccessPattern is the shape Neo tenants write: the proxy's address, the client's in parentheses, the
// user (a client certificate's subject, with spaces), an unquoted request line, status, bytes, then the
// processing time and whatever else the runtime appends:
// 10.117.41.174 (203.0.113.160) - CN=client, O=Example [06/Dec/2026:00:00:30 +0000] POST /cxf/orders HTTP/1.1 200 8572 463 …
var neoAccessPattern = regexp.MustCompile(`^(\S+)(?: \(([^)\s]*)\))? (\S+) (.+?) \[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] (?:"((?:[^"\\]|\\.)*)"|([A-Z]+ \S+(?: HTTP/[0-9.]+)?)) (\d{3}|-) (\d+|-)(?:\s+(.*))?$`)

const accessTimeLayout = "02/Jan/2006:15:04:05 -0700"

// maxLineBytes bounds one line; a longer one (binary garbage) is skipped, not buffered.
const maxLineBytes = 64 << 10

// ParseAccessLine parses one access log line; ok is false for anything that is not one.
func ParseAccessLine(line string) (AccessLine, bool) {
	m := accessPattern.FindStringSubmatch(line)
	if m == nil {
		return parseNeoAccessLine(line)
	}
	ts, err := time.Parse(accessTimeLayout, m[4])
	if err != nil {
		return AccessLine{}, false
	}
	a := AccessLine{Time: ts.UTC(), ClientIP: m[1], User: dash(m[3]), Referer: dash(m[8]), UserAgent: dash(m[9]), Raw: line}
	a.setRequest(m[5], m[6], m[7], m[10])
	return a, true
}

func parseNeoAccessLine(line string) (AccessLine, bool) {
	m := neoAccessPattern.FindStringSubmatch(line)
	if m == nil {
		return AccessLine{}, false
	}
	ts, err := time.Parse(accessTimeLayout, m[5])
	if err != nil {
		return AccessLine{}, false
	}
	// The client is the address in parentheses (the proxy forwarded for it) when there is one.
	a := AccessLine{Time: ts.UTC(), ClientIP: cmp.Or(m[2], m[1]), User: dash(strings.TrimSpace(m[4])), Raw: line}
	// The first field after the bytes is the processing time (as in the combined form's last field).
	duration := ""
	if tail := strings.Fields(m[10]); len(tail) > 0 {
		duration = tail[0]
	}
	a.setRequest(cmp.Or(m[6], m[7]), m[8], m[9], duration)
	return a, true
}

// setRequest fills the request line ("POST /path HTTP/1.1"), status, bytes and duration; "-" or an empty
// value leaves a number unknown.
func (a *AccessLine) setRequest(request, status, bytes, duration string) {
	parts := strings.Fields(request)
	if len(parts) > 0 {
		a.Method = parts[0]
	}
	if len(parts) > 1 {
		a.Path = parts[1]
	}
	if len(parts) > 2 {
		a.Protocol = parts[2]
	}
	if n, err := strconv.ParseInt(status, 10, 64); err == nil {
		a.Status = &n
	}
	if n, err := strconv.ParseInt(bytes, 10, 64); err == nil {
		a.Bytes = &n
	}
	if d, err := strconv.ParseFloat(duration, 64); err == nil && d >= 0 && !math.IsInf(d, 1) {
		a.DurationMS = &d
	}
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// ParseTraceLine parses the first line of a trace entry; ok is false for a continuation line.
func ParseTraceLine(line string) (TraceLine, bool) {
	fields := strings.Split(line, "#")
	if len(fields) < 4 {
		return TraceLine{}, false
	}
	ts, ok := traceTime(fields[0], fields[1])
	if !ok {
		return TraceLine{}, false
	}
	t := TraceLine{Time: ts, Level: strings.TrimSpace(fields[2]), Category: strings.TrimSpace(fields[3]), Raw: line}
	// The message is the record's last column; the ones between category and message (location, user,
	// thread, application …) stay in Raw, and the "|" that ends a record is not part of the text.
	for i := len(fields) - 1; i >= 4; i-- {
		if f := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(fields[i]), "|")); f != "" {
			t.Message = f
			break
		}
	}
	return t, true
}

// traceTime reads "2006 01 02 15:04:05[.000]" with the zone "+00" (hours, optionally minutes).
func traceTime(stamp, zone string) (time.Time, bool) {
	var ts time.Time
	var err error
	for _, layout := range []string{"2006 01 02 15:04:05.000", "2006 01 02 15:04:05"} {
		if ts, err = time.Parse(layout, strings.TrimSpace(stamp)); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, false
	}
	zone = strings.TrimSpace(zone)
	if len(zone) < 2 || (zone[0] != '+' && zone[0] != '-') {
		return ts.UTC(), true
	}
	digits := zone[1:]
	h, m := 0, 0
	switch len(digits) {
	case 1, 2:
		h, err = strconv.Atoi(digits)
	case 4:
		h, err = strconv.Atoi(digits[:2])
		if err == nil {
			m, err = strconv.Atoi(digits[2:])
		}
	default:
		return time.Time{}, false
	}
	if err != nil || h > 14 || m > 59 {
		return time.Time{}, false
	}
	offset := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if zone[0] == '-' {
		offset = -offset
	}
	return ts.Add(-offset).UTC(), true
}

// parseLines parses text into res.Access or res.Trace, keeping lines within [from, to] (inclusive), at
// most maxLines of them; it reports whether the bound cut the result. Lines that are not log lines are
// counted in a notice.
func parseLines(text []byte, trace bool, from, to time.Time, maxLines int, res *Result) bool {
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), maxLineBytes)
	sc.Split(scanLinesSkippingLong)
	inRange := func(t time.Time) bool { return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to)) }
	unparsed, kept := 0, 0
	capped := false
	lastKept := false  // whether the current trace entry was kept (its continuation lines follow it)
	seenEntry := false // a continuation line before the first entry is not a trace line
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		res.Lines++
		if trace {
			t, ok := ParseTraceLine(line)
			if !ok {
				switch {
				case !seenEntry:
					unparsed++
				case lastKept:
					last := &res.Trace[len(res.Trace)-1]
					last.Raw += "\n" + line
					last.Message += "\n" + strings.TrimSpace(line)
				}
				continue
			}
			seenEntry, lastKept = true, false
			if !inRange(t.Time) {
				continue
			}
			if kept == maxLines {
				capped = true
				break
			}
			res.Trace = append(res.Trace, t)
			kept++
			lastKept = true
			continue
		}
		a, ok := ParseAccessLine(line)
		if !ok {
			unparsed++
			continue
		}
		if !inRange(a.Time) {
			continue
		}
		if kept == maxLines {
			capped = true
			break
		}
		res.Access = append(res.Access, a)
		kept++
	}
	if unparsed > 0 {
		kind := "HTTP access log"
		if trace {
			kind = "trace log"
		}
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityInfo,
			Text: fmt.Sprintf("%d lines of the file are not %s lines and were skipped.", unparsed, kind)})
	}
	return capped
}

// scanLinesSkippingLong is bufio.ScanLines that drops a line longer than the buffer instead of failing
// the whole scan.
func scanLinesSkippingLong(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	if len(data) >= maxLineBytes {
		// No newline within the buffer: skip what we have; the rest of the line follows as a new "line",
		// which will not parse either and is counted as skipped.
		return len(data), []byte{}, nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
