package simulator

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault describes a misbehaviour the tenant shows on a route. Several fields can be combined; latency
// is applied first, then Status / LoginPage replace the answer, then TruncateBody / SlowBody alter the
// real answer.
type Fault struct {
	Latency, Jitter time.Duration
	Status          int           // e.g. 429, 500, 502, 503, 504 answered instead of the real response
	RetryAfter      string        // Retry-After header value with 429/503
	Count           int           // answer the fault for the next N matching requests only (0 = always)
	LoginPage       bool          // HTML login page with status 200
	TruncateBody    bool          // cut the JSON body in half
	SlowBody        time.Duration // trickle the body over this duration
	ExpireTokens    bool          // tokens issued so far become invalid (401) — e.g. in the middle of paging
}

// FaultHeader carries a per-request fault, in the syntax of ParseFault
// (e.g. "status=429;retryAfter=1", "latency=200ms", "loginPage", "truncate").
const FaultHeader = "X-Sim-Fault"

type faultState struct {
	f         Fault
	remaining int // with Count > 0: answers left
}

// SetFault installs f on a route: an entity set name ("MessageProcessingLogs",
// "IntegrationRuntimeArtifacts", …), "token" (the OAuth endpoint), "calm", "auditlog", or "*" for every
// route. A route-specific fault wins over "*". With ExpireTokens every token issued so far becomes
// invalid at once.
func (t *Tenant) SetFault(route string, f Fault) {
	if f.ExpireTokens {
		t.expireTokens()
		if rest := (Fault{ExpireTokens: true, Count: f.Count}); f == rest {
			return // nothing left to inject per request
		}
	}
	t.mu.Lock()
	t.faults[route] = &faultState{f: f, remaining: f.Count}
	t.mu.Unlock()
}

// ClearFaults removes every installed fault.
func (t *Tenant) ClearFaults() {
	t.mu.Lock()
	t.faults = map[string]*faultState{}
	t.mu.Unlock()
}

// faultFor returns the fault that applies to this request, consuming one use of a counted fault.
func (t *Tenant) faultFor(route string, r *http.Request) (Fault, bool, error) {
	if h := r.Header.Get(FaultHeader); h != "" {
		f, err := ParseFault(h)
		if err != nil {
			return Fault{}, false, err
		}
		if f.ExpireTokens {
			t.expireTokens()
		}
		return f, true, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, key := range []string{route, "*"} {
		st, ok := t.faults[key]
		if !ok || (key == "*" && route == "") {
			continue
		}
		f := st.f
		if f.Count > 0 {
			st.remaining--
			if st.remaining <= 0 {
				delete(t.faults, key)
			}
		}
		return f, true, nil
	}
	return Fault{}, false, nil
}

// applyFault performs latency and replacement answers. done reports that the response was written;
// otherwise the returned writer (possibly wrapping w) is used for the real answer.
func (t *Tenant) applyFault(w http.ResponseWriter, r *http.Request, route string, f Fault) (http.ResponseWriter, bool) {
	d := f.Latency
	if f.Jitter > 0 {
		d += time.Duration(rand.Int64N(int64(f.Jitter) + 1))
	}
	if d > 0 {
		timer := time.NewTimer(d)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return w, true
		}
	}
	if f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if route == "token" {
			writeOAuthError(w, r, f.Status, "server_error", http.StatusText(f.Status))
			return w, true
		}
		msg := http.StatusText(f.Status)
		if f.Status == http.StatusTooManyRequests {
			msg = "Too many requests. Server's rate limit exceeded."
		}
		writeODataError(w, r, f.Status, strings.ReplaceAll(http.StatusText(f.Status), " ", ""), msg)
		return w, true
	}
	if f.LoginPage {
		writeLoginPage(w, http.StatusOK)
		return w, true
	}
	if f.TruncateBody || f.SlowBody > 0 {
		return &faultWriter{ResponseWriter: w, ctx: r, truncate: f.TruncateBody, slow: f.SlowBody}, false
	}
	return w, false
}

// faultWriter buffers the real answer and then sends it cut in half and/or trickled over a duration.
type faultWriter struct {
	http.ResponseWriter
	ctx      *http.Request
	truncate bool
	slow     time.Duration
	status   int
	buf      bytes.Buffer
}

func (fw *faultWriter) WriteHeader(status int) {
	if fw.status == 0 {
		fw.status = status
	}
}

func (fw *faultWriter) Write(p []byte) (int, error) {
	if fw.status == 0 {
		fw.status = http.StatusOK
	}
	return fw.buf.Write(p)
}

// finish sends the buffered body. A truncated body keeps a Content-Length of the cut body, so the client
// sees well-formed HTTP carrying malformed JSON, as after a proxy cut.
func (fw *faultWriter) finish() {
	body := fw.buf.Bytes()
	if fw.truncate {
		body = body[:len(body)/2]
	}
	h := fw.Header()
	h.Del("Content-Length")
	if fw.slow <= 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if fw.status == 0 {
		fw.status = http.StatusOK
	}
	fw.ResponseWriter.WriteHeader(fw.status)
	if fw.slow <= 0 {
		_, _ = fw.ResponseWriter.Write(body)
		return
	}
	const chunks = 20
	step := (len(body) + chunks - 1) / chunks
	if step == 0 {
		step = 1
	}
	pause := fw.slow / chunks
	flusher, _ := fw.ResponseWriter.(http.Flusher)
	for off := 0; off < len(body); off += step {
		end := min(off+step, len(body))
		if _, err := fw.ResponseWriter.Write(body[off:end]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		if end < len(body) {
			timer := time.NewTimer(pause)
			select {
			case <-timer.C:
			case <-fw.ctx.Context().Done():
				timer.Stop()
				return
			}
		}
	}
}

// ParseFault parses a fault spec: items separated by ";" or ",", each "key=value" or a bare flag.
// Keys: latency, jitter, slowBody (Go durations, or milliseconds as a bare number), status, count,
// retryAfter, and the flags loginPage, truncate, expireTokens (a flag may also be given "=true").
func ParseFault(spec string) (Fault, error) {
	var f Fault
	items := strings.FieldsFunc(spec, func(r rune) bool { return r == ';' || r == ',' })
	if len(items) == 0 {
		return f, fmt.Errorf("empty fault spec")
	}
	for _, item := range items {
		key, val, hasVal := strings.Cut(strings.TrimSpace(item), "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		var err error
		switch strings.ToLower(key) {
		case "latency":
			f.Latency, err = parseDur(val)
		case "jitter":
			f.Jitter, err = parseDur(val)
		case "slowbody", "slow":
			f.SlowBody, err = parseDur(val)
		case "status":
			f.Status, err = strconv.Atoi(val)
			if err == nil && (f.Status < 100 || f.Status > 599) {
				err = fmt.Errorf("status %d out of range", f.Status)
			}
		case "count":
			f.Count, err = strconv.Atoi(val)
			if err == nil && f.Count < 0 {
				err = fmt.Errorf("negative count")
			}
		case "retryafter":
			f.RetryAfter = val
		case "loginpage", "login":
			f.LoginPage, err = parseFlag(val, hasVal)
		case "truncate", "truncatebody":
			f.TruncateBody, err = parseFlag(val, hasVal)
		case "expiretokens", "expiretoken":
			f.ExpireTokens, err = parseFlag(val, hasVal)
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault item %q: %w", item, err)
		}
	}
	return f, nil
}

// ParseRouteFault parses "Route:spec" (e.g. "MessageProcessingLogs:status=503,count=3"); without a
// route ("status=503") the fault applies to every route ("*").
func ParseRouteFault(s string) (string, Fault, error) {
	route, spec, ok := strings.Cut(s, ":")
	if !ok || strings.Contains(route, "=") {
		route, spec = "*", s
	}
	f, err := ParseFault(spec)
	return strings.TrimSpace(route), f, err
}

func parseDur(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && d < 0 {
		err = fmt.Errorf("negative duration")
	}
	return d, err
}

func parseFlag(val string, hasVal bool) (bool, error) {
	if !hasVal {
		return true, nil
	}
	return strconv.ParseBool(val)
}
