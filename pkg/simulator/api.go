package simulator

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator/oquery"
)

// pageSize is SAP's server-side page: at most 1000 entries per response, then a __next link.
const pageSize = 1000

// call is one authenticated /api/v1 request.
type call struct {
	t    *Tenant
	w    http.ResponseWriter
	r    *http.Request
	root string // absolute service root, e.g. http://127.0.0.1:8080/api/v1
	json bool
	p    principal
	now  time.Time
	segs []seg
	rel  string // request path relative to the service root (for next links)
	o    oquery.Options
}

// seg is one path segment: an entity set or navigation name with an optional key predicate.
type seg struct {
	name   string
	key    string // raw predicate inside the parentheses
	hasKey bool
}

// splitPath splits the path after /api/v1/ into segments, keeping '/' inside quoted keys.
func splitPath(p string) ([]seg, bool) {
	var out []seg
	var parts []string
	inQuote := false
	start := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\'':
			inQuote = !inQuote
		case '/':
			if !inQuote {
				parts = append(parts, p[start:i])
				start = i + 1
			}
		}
	}
	if inQuote {
		return nil, false
	}
	parts = append(parts, p[start:])
	for _, part := range parts {
		if part == "" {
			continue
		}
		s := seg{name: part}
		if i := strings.IndexByte(part, '('); i >= 0 {
			if !strings.HasSuffix(part, ")") {
				return nil, false
			}
			s = seg{name: part[:i], key: part[i+1 : len(part)-1], hasKey: true}
		}
		out = append(out, s)
	}
	return out, true
}

// singleKey unquotes a key predicate 'x' (also accepting Name='x'); ok=false for other shapes.
func singleKey(k string) (string, bool) {
	if _, v, found := strings.Cut(k, "="); found && !strings.HasPrefix(k, "'") {
		k = v
	}
	if len(k) < 2 || k[0] != '\'' || k[len(k)-1] != '\'' {
		return "", false
	}
	return strings.ReplaceAll(k[1:len(k)-1], "''", "'"), true
}

// compositeKey parses Name='x',Other='y' into a map.
func compositeKey(k string) (map[string]string, bool) {
	out := map[string]string{}
	rest := k
	for rest != "" {
		name, after, ok := strings.Cut(rest, "=")
		if !ok || len(after) < 2 || after[0] != '\'' {
			return nil, false
		}
		// Find the closing quote, skipping doubled quotes.
		i := 1
		for ; i < len(after); i++ {
			if after[i] == '\'' {
				if i+1 < len(after) && after[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		if i >= len(after) {
			return nil, false
		}
		out[strings.TrimSpace(name)] = strings.ReplaceAll(after[1:i], "''", "'")
		rest = strings.TrimPrefix(after[i+1:], ",")
	}
	return out, true
}

// Role and rate-limit area of each entity set.
type setInfo struct {
	role string
	area string // "mpl" | "runtime" | "security" | "design" | "store"
}

var setInfos = map[string]setInfo{
	"MessageProcessingLogs":                      {RoleMonitoringDataRead, "mpl"},
	"MessageProcessingLogErrorInformations":      {RoleMonitoringDataRead, "mpl"},
	"MessageProcessingLogCustomHeaderProperties": {RoleMonitoringDataRead, "mpl"},
	"MessageProcessingLogAdapterAttributes":      {RoleMonitoringDataRead, "mpl"},
	"MessageProcessingLogAttachments":            {RoleMessagePayloadsRead, "mpl"},
	"MessageStoreEntries":                        {RoleMonitoringDataRead, "mpl"},
	"IntegrationRuntimeArtifacts":                {RoleMonitoringDataRead, "runtime"},
	"RuntimeArtifactErrorInformations":           {RoleMonitoringDataRead, "runtime"},
	"ServiceEndpoints":                           {RoleMonitoringDataRead, "runtime"},
	"KeystoreEntries":                            {RoleMonitoringDataRead, "security"},
	"Keystores":                                  {RoleMonitoringDataRead, "security"},
	"UserCredentials":                            {RoleMonitoringDataRead, "security"},
	"IntegrationPackages":                        {RoleWorkspacePackagesRead, "design"},
	"IntegrationDesigntimeArtifacts":             {RoleWorkspacePackagesRead, "design"},
	"ValueMappingDesigntimeArtifacts":            {RoleWorkspacePackagesRead, "design"},
	"ScriptCollectionDesigntimeArtifacts":        {RoleWorkspacePackagesRead, "design"},
	"DataStores":                                 {RoleDataStoresAndQueuesRead, "store"},
	"DataStoreEntries":                           {RoleDataStoresAndQueuesRead, "store"},
	"Variables":                                  {RoleDataStoresAndQueuesRead, "store"},
	"NumberRanges":                               {RoleDataStoresAndQueuesRead, "store"},
	"JmsBrokers":                                 {RoleDataStoresAndQueuesRead, "store"},
	"LogFiles":                                   {RoleMonitoringDataRead, "mpl"},
	"LogFileArchives":                            {RoleMonitoringDataRead, "mpl"},
}

// serveAPI authenticates, authorises and rate-limits an /api/v1 request, then dispatches it.
func (t *Tenant) serveAPI(w http.ResponseWriter, r *http.Request) {
	c := &call{t: t, w: w, r: r, root: serviceRoot(r), json: wantsJSON(r), now: t.now()}
	p, ok := t.authenticate(r)
	if !ok {
		writeUnauthorized(w, r)
		return
	}
	c.p = p
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		c.fail(http.StatusMethodNotAllowed, "Method Not Allowed", "The simulated tenant is read-only; "+r.Method+" is not supported.")
		return
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/v1"), "/")
	segs, ok := splitPath(rest)
	if !ok {
		c.notFound()
		return
	}
	c.segs = segs
	c.rel = strings.TrimPrefix(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v1"), "/")
	if len(segs) == 0 {
		c.serviceDocument()
		return
	}
	info, known := setInfos[segs[0].name]
	if !known || (strings.HasPrefix(segs[0].name, "LogFile") && !t.Neo()) {
		c.notFound()
		return
	}
	role := info.role
	if segs[0].name == "MessageProcessingLogs" && len(segs) > 1 && segs[1].name == "Attachments" {
		role = RoleMessagePayloadsRead
	}
	if !p.has(role) {
		c.fail(http.StatusForbidden, "Forbidden", "User '"+p.name+"' is not authorized to access this resource; role '"+role+"' is required.")
		return
	}
	if t.cfg.PerUserRateLimit && !t.allow(p.name, info.area, t.wallClock()) {
		c.fail(http.StatusTooManyRequests, "Too Many Requests", "Too many requests. Server's rate limit exceeded.")
		return
	}
	o, err := oquery.Parse(r.URL.Query())
	if err != nil {
		c.queryError(err)
		return
	}
	c.o = o
	switch segs[0].name {
	case "MessageProcessingLogs":
		c.serveMPL()
	case "MessageProcessingLogErrorInformations":
		c.serveMPLErrorInformations()
	case "IntegrationRuntimeArtifacts", "RuntimeArtifactErrorInformations":
		c.serveRuntimeArtifacts()
	default:
		c.serveOther()
	}
}

func (c *call) fail(status int, code, msg string) { writeODataError(c.w, c.r, status, code, msg) }

func (c *call) notFound() {
	c.fail(http.StatusNotFound, "Not Found", "Requested entity could not be found.")
}

func (c *call) queryError(err error) {
	var qe *oquery.Error
	if errors.As(err, &qe) {
		c.fail(qe.Status, qe.Code, qe.Message)
		return
	}
	c.fail(http.StatusBadRequest, oquery.CodeBadRequest, err.Error())
}

// serviceDocument answers GET /api/v1/ (clients call it to fetch a CSRF token).
func (c *call) serviceDocument() {
	names := make([]string, 0, len(setInfos))
	for n := range setInfos {
		if strings.HasPrefix(n, "LogFile") && !c.t.Neo() {
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	c.w.Header().Set("X-CSRF-Token", "sim-csrf-token")
	if c.json {
		b := []byte(`{"d":{"EntitySets":[`)
		for i, n := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, n)
		}
		b = append(b, "]}}"...)
		writeBody(c.w, http.StatusOK, "application/json;charset=utf-8", b)
		return
	}
	b := []byte(`<?xml version='1.0' encoding='utf-8'?><service xmlns="http://www.w3.org/2007/app" xmlns:atom="http://www.w3.org/2005/Atom" xml:base="`)
	b = appendXMLText(b, c.root+"/")
	b = append(b, `"><workspace><atom:title>Data</atom:title>`...)
	for _, n := range names {
		b = append(b, `<collection href="`...)
		b = append(b, n...)
		b = append(b, `"><atom:title>`...)
		b = append(b, n...)
		b = append(b, `</atom:title></collection>`...)
	}
	b = append(b, "</workspace></service>"...)
	writeBody(c.w, http.StatusOK, "application/atomsvc+xml;charset=utf-8", b)
}

// ---- generic in-memory collections ----

// setSpec describes an entity type for validation: its property paths (complex members as
// "Complex/Member") and navigation properties.
type setSpec struct {
	props []string
	navs  []string
}

func (s setSpec) known(path string) bool {
	if slices.Contains(s.props, path) {
		return true
	}
	return slices.Contains(s.navs, path)
}

// specOf derives the spec from a sample entity.
func specOf(e *entity) setSpec {
	var s setSpec
	for _, p := range e.props {
		s.props = append(s.props, p.name)
		if cv, ok := p.val.(*complexVal); ok {
			for _, cp := range cv.props {
				s.props = append(s.props, p.name+"/"+cp.name)
			}
		}
	}
	for _, n := range e.navs {
		s.navs = append(s.navs, n.name)
	}
	return s
}

// validate checks property and navigation names used by the query options.
func (c *call) validate(spec setSpec) bool {
	if err := c.o.Validate(spec.known); err != nil {
		c.queryError(err)
		return false
	}
	for _, x := range c.o.Expand {
		if !slices.Contains(spec.navs, x) {
			c.queryError(oquery.PropertyNotFound("$expand", c.o.Raw["$expand"], x))
			return false
		}
	}
	return true
}

// view returns how entities are written for this request.
func (c *call) view() view {
	v := view{base: c.root}
	if len(c.o.Select) > 0 && !slices.Contains(c.o.Select, "*") {
		v.sel = map[string]bool{}
		for _, s := range c.o.Select {
			name, _, _ := strings.Cut(s, "/")
			v.sel[name] = true
		}
	}
	if len(c.o.Expand) > 0 {
		v.expand = map[string]bool{}
		for _, x := range c.o.Expand {
			v.expand[x] = true
		}
	}
	return v
}

// window is the slice of a result this response carries: [begin, end) of the sorted result, capped
// at one server page. tokenOff is the offset already delivered through $skiptoken.
type window struct {
	begin, end int // end = -1: no $top
	tokenOff   int
}

func (c *call) pageWindow() (window, bool) {
	var w window
	if c.o.SkipToken != "" {
		n, err := strconv.Atoi(c.o.SkipToken)
		if err != nil || n < 0 {
			c.fail(http.StatusBadRequest, oquery.CodeBadRequest, "Invalid value for system query option $skiptoken: '"+c.o.SkipToken+"'.")
			return w, false
		}
		w.tokenOff = n
	}
	w.begin = c.o.Skip + w.tokenOff
	w.end = -1
	if c.o.Top != nil {
		w.end = c.o.Skip + *c.o.Top
	}
	return w, true
}

// pageEnd is the exclusive end of this response's rows.
func (w window) pageEnd() int {
	e := w.begin + pageSize
	if w.end >= 0 && w.end < e {
		e = w.end
	}
	if e < w.begin {
		e = w.begin
	}
	return e
}

// nextLink builds the relative __next link: the request's own path and query with $skiptoken advanced.
func (c *call) nextLink(newToken int) string {
	var keep []string
	for _, kv := range strings.Split(c.r.URL.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == "$skiptoken" {
			continue
		}
		keep = append(keep, kv)
	}
	keep = append(keep, "$skiptoken="+strconv.Itoa(newToken))
	return c.rel + "?" + strings.Join(keep, "&")
}

// serveEntities answers a collection of in-memory entities with the full query-option pipeline.
// spec may be zero when rows is non-empty (it is derived from the first row).
func (c *call) serveEntities(rows []*entity, spec setSpec, countOnly bool) {
	if spec.props == nil && len(rows) > 0 {
		spec = specOf(rows[0])
	}
	if !c.validate(spec) {
		return
	}
	matched := make([]oquery.Entity, 0, len(rows))
	for _, e := range rows {
		ok, err := oquery.Match(c.o.Filter, e)
		if err != nil {
			c.queryError(err)
			return
		}
		if ok {
			matched = append(matched, e)
		}
	}
	if countOnly {
		c.writeCount(int64(len(matched)))
		return
	}
	oquery.Sort(matched, c.o.OrderBy)
	w, ok := c.pageWindow()
	if !ok {
		return
	}
	limit := len(matched)
	if w.end >= 0 && w.end < limit {
		limit = w.end
	}
	var page []*entity
	for i := w.begin; i < min(w.pageEnd(), limit); i++ {
		page = append(page, matched[i].(*entity))
	}
	next := ""
	if pe := w.pageEnd(); pe < limit {
		next = c.nextLink(w.tokenOff + (pe - w.begin))
	}
	count := int64(-1)
	if c.o.InlineCount {
		count = int64(len(matched))
	}
	c.writeFeed(c.segs[len(c.segs)-1].name, page, count, next)
}

func (c *call) writeCount(n int64) {
	writeBody(c.w, http.StatusOK, "text/plain;charset=utf-8", strconv.AppendInt(nil, n, 10))
}

// writeFeed writes one page of a collection. count < 0 = no __count; next "" = no __next.
func (c *call) writeFeed(set string, rows []*entity, count int64, next string) {
	v := c.view()
	if !c.json {
		selfRel := c.rel
		b := v.appendFeedXML(make([]byte, 0, 2048*len(rows)+512), set, selfRel, rows, count, next, c.now)
		writeBody(c.w, http.StatusOK, "application/atom+xml;type=feed;charset=utf-8", b)
		return
	}
	b := make([]byte, 0, 4096)
	b = append(b, `{"d":{`...)
	if count >= 0 {
		b = append(b, `"__count":"`...)
		b = strconv.AppendInt(b, count, 10)
		b = append(b, `",`...)
	}
	b = append(b, `"results":[`...)
	for i, e := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		before := len(b)
		b = v.appendEntityJSON(b, e)
		if i == 0 && len(rows) > 1 {
			// Size the buffer once from the first row instead of growing it a dozen times.
			need := (len(b)-before+16)*(len(rows)+1) + 512
			nb := make([]byte, len(b), need)
			copy(nb, b)
			b = nb
		}
	}
	b = append(b, ']')
	if next != "" {
		b = append(b, `,"__next":`...)
		b = appendJSONString(b, next)
	}
	b = append(b, "}}"...)
	writeBody(c.w, http.StatusOK, "application/json;charset=utf-8", b)
}

// writeEntity writes a single entry.
func (c *call) writeEntity(e *entity) {
	spec := specOf(e)
	if !c.validate(spec) {
		return
	}
	v := c.view()
	if !c.json {
		b := []byte("<?xml version='1.0' encoding='utf-8'?>")
		b = v.appendEntryXML(b, e, c.now.UTC().Format("2006-01-02T15:04:05.000Z"), true)
		writeBody(c.w, http.StatusOK, "application/atom+xml;type=entry;charset=utf-8", b)
		return
	}
	b := []byte(`{"d":`)
	b = v.appendEntityJSON(b, e)
	b = append(b, '}')
	writeBody(c.w, http.StatusOK, "application/json;charset=utf-8", b)
}

// writeText answers a $value of a text media resource.
func (c *call) writeText(contentType, s string) {
	writeBody(c.w, http.StatusOK, contentType, []byte(s))
}

// ---- rate limits ----

type rateWindow struct {
	second int64
	n      int
}

// perUserLimit is SAP's documented per-user requests-per-second limit of each API area.
var perUserLimit = map[string]int{"mpl": 100, "runtime": 50, "security": 10, "design": 10, "store": 25}

func (t *Tenant) allow(user, area string, now time.Time) bool {
	limit := perUserLimit[area]
	if limit == 0 {
		return true
	}
	key := user + "\x00" + area
	sec := now.Unix()
	t.mu.Lock()
	defer t.mu.Unlock()
	rw := t.rate[key]
	if rw == nil {
		rw = &rateWindow{}
		t.rate[key] = rw
	}
	if rw.second != sec {
		rw.second, rw.n = sec, 0
	}
	rw.n++
	return rw.n <= limit
}
