package simulator

// Hostile cases of paging and page contents: what a broken or hostile tenant may send in its collection
// answers. The request is rewritten before the tenant answers it (ignore-skip, no-inlinecount), the
// answer after (huge-count, malformed-dates, huge-pages); many-artifacts changes the landscape.

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

const (
	hostileMalformedDates = "malformed-dates"
	hostileHugeCount      = "huge-count"
	hostileNoInlineCount  = "no-inlinecount"
	hostileManyArtifacts  = "many-artifacts"
	hostileHugePages      = "huge-pages"
	hostileIgnoreSkip     = "ignore-skip"

	// HugeCount is the __count of the huge-count case.
	HugeCount = "1000000000000"
	// HugePagePadding is the size of the unselected field each message row carries in huge-pages.
	HugePagePadding = 20 << 10
	// ManyArtifactsIFlows is the number of deployed iFlows of many-artifacts: with the five other
	// runtime artifacts of the landscape, IntegrationRuntimeArtifacts holds 1105 entries.
	ManyArtifactsIFlows = 1100
)

// MalformedDates are the LogEnd/LogStart values of malformed-dates, one per later page in turn.
var MalformedDates = []string{"/Date()/", "/Date(abc)/", "/Date(-)/", "/Date(+0100)/", "/Date(99999999999999999999)/",
	"/Date(123+01)/", "/Date(", "/Date(9223372036854775807)/"}

func init() {
	registerHostile(hostileMalformedDates, "MessageProcessingLogs pages after the first carry a malformed LogEnd and LogStart in their first row ("+
		strings.Join(MalformedDates, " ")+", in turn)")
	registerHostile(hostileHugeCount, "collections answer __count "+HugeCount+" whatever they hold")
	registerHostile(hostileNoInlineCount, "collections ignore $inlinecount (no __count) and page with same-host __next links")
	registerHostile(hostileManyArtifacts, "1100 iFlows are deployed (and designed): IntegrationRuntimeArtifacts holds 1105 artifacts, paged by __next at 1000")
	registerHostile(hostileHugePages, "message rows carry a 20 KiB field nobody selected: a page of 1000 rows is about 20 MiB")
	registerHostile(hostileIgnoreSkip, "collections ignore $skip (every page starts at the first row) but follow their own __next links")
}

// hostileOn reports whether cfg turns the named case on (before the tenant exists).
func hostileOn(cfg Config, name string) bool {
	return slices.Contains(cfg.Hostile, name) || slices.Contains(cfg.Hostile, "all")
}

// hostileConfig adjusts the configuration for the cases that change the landscape.
func hostileConfig(cfg Config) Config {
	if hostileOn(cfg, hostileManyArtifacts) {
		cfg.IFlows = max(cfg.IFlows, ManyArtifactsIFlows)
	}
	return cfg
}

// hostilePaging applies the paging cases to an API request. It returns the request to answer and a
// writer; finish must be called once the answer is written.
func (t *Tenant) hostilePaging(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, func()) {
	none := func() {}
	if !strings.HasPrefix(r.URL.Path, "/api/v1/") {
		return w, r, none
	}
	q := r.URL.Query()
	rewrite := false
	if t.hostile(hostileIgnoreSkip) && q.Has("$skip") {
		q.Del("$skip")
		rewrite = true
	}
	if t.hostile(hostileNoInlineCount) && q.Has("$inlinecount") {
		q.Del("$inlinecount")
		rewrite = true
	}
	if rewrite {
		r = r.Clone(r.Context())
		r.URL.RawQuery = q.Encode()
	}
	set := routeOf(r.URL.Path)
	later := q.Get("$skip") != "" || q.Get("$skiptoken") != ""
	page := 0
	if n, err := strconv.Atoi(q.Get("$skip")); err == nil {
		page += n / pageSize
	}
	if n, err := strconv.Atoi(q.Get("$skiptoken")); err == nil {
		page += n / pageSize
	}
	var edits []func([]byte) []byte
	if t.hostile(hostileHugeCount) {
		edits = append(edits, func(b []byte) []byte {
			return countPattern.ReplaceAll(b, []byte(`"__count":"`+HugeCount+`"`))
		})
	}
	if set == "MessageProcessingLogs" && t.hostile(hostileMalformedDates) && later {
		bad := MalformedDates[max(page-1, 0)%len(MalformedDates)]
		edits = append(edits, func(b []byte) []byte {
			b = replaceFirst(b, logEndPattern, `"LogEnd":`+strconv.Quote(bad))
			return replaceFirst(b, logStartPattern, `"LogStart":`+strconv.Quote(bad))
		})
	}
	if set == "MessageProcessingLogs" && t.hostile(hostileHugePages) {
		pad := []byte(`{"HostilePadding":"` + strings.Repeat("x", HugePagePadding) + `","__metadata":`)
		edits = append(edits, func(b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(`{"__metadata":`), pad)
		})
	}
	if len(edits) == 0 {
		return w, r, none
	}
	ew := &editWriter{ResponseWriter: w}
	return ew, r, func() { ew.finish(edits) }
}

var (
	countPattern    = regexp.MustCompile(`"__count":"\d+"`)
	logEndPattern   = regexp.MustCompile(`"LogEnd":"[^"]*"`)
	logStartPattern = regexp.MustCompile(`"LogStart":"[^"]*"`)
)

func replaceFirst(b []byte, re *regexp.Regexp, with string) []byte {
	loc := re.FindIndex(b)
	if loc == nil {
		return b
	}
	return append(append(append([]byte{}, b[:loc[0]]...), with...), b[loc[1]:]...)
}

// editWriter buffers an answer and writes it edited, with a matching Content-Length.
type editWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (e *editWriter) WriteHeader(status int) {
	if e.status == 0 {
		e.status = status
	}
}

func (e *editWriter) Write(p []byte) (int, error) {
	if e.status == 0 {
		e.status = http.StatusOK
	}
	return e.buf.Write(p)
}

func (e *editWriter) finish(edits []func([]byte) []byte) {
	b := e.buf.Bytes()
	if e.status == 0 {
		e.status = http.StatusOK
	}
	if e.status == http.StatusOK && bytes.HasPrefix(b, []byte(`{"d":`)) {
		for _, edit := range edits {
			b = edit(b)
		}
	}
	e.Header().Set("Content-Length", strconv.Itoa(len(b)))
	e.ResponseWriter.WriteHeader(e.status)
	_, _ = e.ResponseWriter.Write(b)
}
