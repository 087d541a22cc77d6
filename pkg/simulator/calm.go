package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cloud ALM analytics: GET providers, POST providers/filters, POST providers/data.
// CPI_MESSAGES counts come from the same generated messages as /api/v1/MessageProcessingLogs (bucketed
// by LogStart, status as of now), so both sources agree. Response shapes follow SAP's Grafana plugin:
// time_series → per query a list of {serieName, attributes, dataPoints[[value, ts]]}; table → per query
// {columns, rows}; errors → {"error":{code, message, target, details[x-correlationid]}}.

type calmProvider struct {
	name, description, service, domain string
	dims                               []string
	measures                           []string
	required                           []string // dimensions that must be filtered (else PRECONDITION_REQUIRED)
	dimsOf                             func(t *Tenant, m *msg) ([]string, bool)
}

// Values of StatusGroup are not documented publicly; these groups are the simulator's.
func statusGroup(s string) string {
	switch s {
	case "COMPLETED":
		return "Successful"
	case "FAILED", "ESCALATED", "ABANDONED":
		return "Failed"
	case "PROCESSING", "RETRY":
		return "In Process"
	}
	return "Other"
}

var errCategories = [...]string{
	errMapping: "Mapping Error", errHTTP500: "Receiver HTTP Error", errTimeout: "Timeout", errAuth: "Authentication Error",
	errSFTP: "Connection Error", errIDoc: "IDoc Posting Error", errScript: "Script Error", errCSRF: "Authorization Error",
	errBusiness: "Business Error", errOData: "OData Error",
}

func (t *Tenant) calmServiceID() string   { return uuidFrom(mix(uint64(t.cfg.Seed), 0xa1)) }
func (t *Tenant) calmServiceName() string { return tenantName + " Cloud Integration (PRD)" }

func (t *Tenant) calmProviders() []calmProvider {
	return []calmProvider{
		{name: "CPI_MESSAGES", description: "IM - Cloud Platform Integration", service: "Integration Monitoring", domain: "Operations",
			dims: []string{"ServiceName", "IntegrationArtifactName", "StatusGroup", "Status", "serviceId"}, measures: []string{"Count"},
			dimsOf: func(t *Tenant, m *msg) ([]string, bool) {
				return []string{t.calmServiceName(), m.flow.id, statusGroup(m.status), m.status, t.calmServiceID()}, true
			}},
		{name: "EXM_DATAPROVIDER", description: "Exception Monitoring", service: "Exception Monitoring", domain: "Operations",
			dims: []string{"serviceType", "serviceName", "serviceId", "categoryId", "categoryName", "useCase"}, measures: []string{"counter"},
			dimsOf: func(t *Tenant, m *msg) ([]string, bool) {
				if m.errKind < 0 || m.status == "RETRY" {
					return nil, false
				}
				return []string{"SAP Cloud Integration", t.calmServiceName(), t.calmServiceID(), "CPI_" + strconv.Itoa(m.errKind), errCategories[m.errKind], "IM"}, true
			}},
		{name: "KPI_HISTORY_TOTALS", description: "KPI History Totals", service: "Analytics", domain: "Implementation",
			dims: []string{"kpiId", "kpiName"}, measures: []string{"value"}, required: []string{"kpiId"}},
	}
}

func (t *Tenant) calmProvider(name string) (calmProvider, bool) {
	for _, p := range t.calmProviders() {
		if p.name == name {
			return p, true
		}
	}
	return calmProvider{}, false
}

// writeCALMError writes Cloud ALM's error body and the x-correlationid header.
func (t *Tenant) writeCALMError(w http.ResponseWriter, status int, code, msg string) {
	corr := uuidFrom(mix(uint64(time.Now().UnixNano()), 0xa2))
	w.Header().Set("x-correlationid", corr)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": code + " : " + msg, "target": "",
		"details": []map[string]string{{"code": "x-correlationid", "message": corr}},
	}})
}

func writeJSONValue(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, http.StatusOK, "application/json", b)
}

func (t *Tenant) serveCALM(w http.ResponseWriter, r *http.Request) {
	if _, ok := t.authenticate(r); !ok {
		writeUnauthorized(w, r)
		return
	}
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/calm-analytics/v1"), "/")
	switch {
	case path == "/analytics/providers" && r.Method == http.MethodGet:
		var out []map[string]any
		for _, p := range t.calmProviders() {
			out = append(out, map[string]any{"name": p.name, "description": p.description, "service": p.service,
				"domain": p.domain, "version": []string{"v1"}, "plan": "standard", "calmMarket": "all"})
		}
		writeJSONValue(w, out)
	case path == "/analytics/providers/filters" && r.Method == http.MethodPost:
		t.serveCALMFilters(w, r)
	case path == "/analytics/providers/data" && r.Method == http.MethodPost:
		t.serveCALMData(w, r)
	case path == "/analytics/providers/filters" || path == "/analytics/providers/data" || path == "/analytics/providers":
		t.writeCALMError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" is not supported on "+path)
	default:
		t.writeCALMError(w, http.StatusNotFound, "NOT_FOUND", "No resource at "+path)
	}
}

type calmFilter struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

func checkVersion(v string) bool {
	v = strings.TrimPrefix(v, "/") // SAP's plugin sends "/v1" from its variable editor
	return v == "" || v == "v1"
}

func (t *Tenant) serveCALMFilters(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ProviderName    string       `json:"providerName"`
		ProviderVersion string       `json:"providerVersion"`
		Name            string       `json:"name"`
		Filters         []calmFilter `json:"filters"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Invalid request body: "+err.Error())
		return
	}
	p, ok := t.calmProvider(req.ProviderName)
	if !ok {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown provider : "+req.ProviderName)
		return
	}
	if !checkVersion(req.ProviderVersion) {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown version : "+req.ProviderVersion)
		return
	}
	values := t.calmDimensionValues(p)
	var out []map[string]any
	for _, d := range p.dims {
		if req.Name != "" && req.Name != d {
			continue
		}
		vals := []map[string]string{}
		for _, v := range values[d] {
			vals = append(vals, map[string]string{"key": v, "label": v})
		}
		out = append(out, map[string]any{"key": d, "name": d, "description": d, "values": vals,
			"isAttribute": false, "isMultiple": true, "triggerRefresh": d == "serviceId" || d == "ServiceName",
			"group": "Dimensions", "type": "dimension"})
	}
	if req.Name == "" {
		var ms []map[string]string
		for _, m := range p.measures {
			ms = append(ms, map[string]string{"key": m, "label": m})
		}
		out = append(out, map[string]any{"key": "measures", "name": "Measures", "description": "Measures", "values": ms,
			"isAttribute": false, "isMultiple": true, "triggerRefresh": false, "group": "Measures", "type": "measure"})
	}
	writeJSONValue(w, out)
}

// calmDimensionValues lists the known values of each dimension (from the landscape, not from data).
func (t *Tenant) calmDimensionValues(p calmProvider) map[string][]string {
	out := map[string][]string{}
	switch p.name {
	case "CPI_MESSAGES":
		for _, f := range t.land.flows {
			out["IntegrationArtifactName"] = append(out["IntegrationArtifactName"], f.id)
		}
		out["Status"] = []string{"ABANDONED", "CANCELLED", "COMPLETED", "DISCARDED", "ESCALATED", "FAILED", "PROCESSING", "RETRY"}
		out["StatusGroup"] = []string{"Failed", "In Process", "Other", "Successful"}
		out["ServiceName"] = []string{t.calmServiceName()}
		out["serviceId"] = []string{t.calmServiceID()}
	case "EXM_DATAPROVIDER":
		for i, c := range errCategories {
			out["categoryId"] = append(out["categoryId"], "CPI_"+strconv.Itoa(i))
			out["categoryName"] = append(out["categoryName"], c)
		}
		out["serviceType"] = []string{"SAP Cloud Integration"}
		out["serviceName"] = []string{t.calmServiceName()}
		out["serviceId"] = []string{t.calmServiceID()}
		out["useCase"] = []string{"IM"}
	}
	return out
}

type calmQuery struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Version  string `json:"version"`
	Columns  struct {
		Dimensions []string `json:"dimensions"`
		Metrics    []struct {
			Measure string `json:"measure"`
			Method  string `json:"method"`
		} `json:"metrics"`
	} `json:"columns"`
	Filters []calmFilter `json:"filters"`
}

type calmDataRequest struct {
	Format          string `json:"format"`
	TimestampFormat string `json:"timestampFormat"`
	TableType       string `json:"tableType"`
	TableFormat     string `json:"table_format"`
	TimeRange       struct {
		Semantic string `json:"semantic"`
		From     string `json:"from"`
		To       string `json:"to"`
	} `json:"timeRange"`
	Resolution   string      `json:"resolution"`
	Timezone     string      `json:"timezone"`
	FirstWeekDay string      `json:"firstWeekDay"`
	Limit        json.Number `json:"limit"`
	Queries      []calmQuery `json:"queries"`
}

var semanticRe = regexp.MustCompile(`^([LC])(\d{1,4})(Mi|H|D|W|M|Y)$`)

// parseZone reads "+01:00" / "-05:30" / "" (UTC).
func parseZone(s string) (*time.Location, error) {
	if s == "" || s == "Z" || s == "UTC" {
		return time.UTC, nil
	}
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return nil, fmt.Errorf("invalid timezone %q", s)
	}
	_, off := t.Zone()
	return time.FixedZone(s, off), nil
}

// resolutionStep returns a bucket-start function for a Cloud ALM resolution.
func resolutionStep(res string, loc *time.Location, firstWeekDay string) (func(time.Time) time.Time, func(time.Time) time.Time, error) {
	minutes := map[string]int{"5Mi": 5, "10Mi": 10, "15Mi": 15, "30Mi": 30, "R": 5}
	if n, ok := minutes[res]; ok {
		d := time.Duration(n) * time.Minute
		return func(t time.Time) time.Time { return t.Truncate(d) }, func(t time.Time) time.Time { return t.Add(d) }, nil
	}
	switch res {
	case "H":
		return func(t time.Time) time.Time {
				lt := t.In(loc)
				return time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), 0, 0, 0, loc)
			},
			func(t time.Time) time.Time { return t.Add(time.Hour) }, nil
	case "D":
		return func(t time.Time) time.Time {
				lt := t.In(loc)
				return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
			},
			func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }, nil
	case "W":
		first := map[string]time.Weekday{"MO": time.Monday, "SU": time.Sunday, "SA": time.Saturday, "": time.Monday}[firstWeekDay]
		return func(t time.Time) time.Time {
				lt := t.In(loc)
				d := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
				back := (int(d.Weekday()) - int(first) + 7) % 7
				return d.AddDate(0, 0, -back)
			},
			func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }, nil
	case "M":
		return func(t time.Time) time.Time {
				lt := t.In(loc)
				return time.Date(lt.Year(), lt.Month(), 1, 0, 0, 0, 0, loc)
			},
			func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }, nil
	case "Y":
		return func(t time.Time) time.Time {
				lt := t.In(loc)
				return time.Date(lt.Year(), 1, 1, 0, 0, 0, 0, loc)
			},
			func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }, nil
	case "P":
		return nil, nil, nil // one bucket for the whole period
	}
	return nil, nil, fmt.Errorf("Unknown resolution : %s", res)
}

// calmRange resolves timeRange (semantic wins over from/to) to [from, to).
func calmRange(req calmDataRequest, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	if s := req.TimeRange.Semantic; s != "" {
		m := semanticRe.FindStringSubmatch(s)
		if m == nil {
			return time.Time{}, time.Time{}, fmt.Errorf("Unknown period : %s", s)
		}
		n, _ := strconv.Atoi(m[2])
		unit := m[3]
		trunc, next, _ := resolutionStep(map[string]string{"Mi": "5Mi", "H": "H", "D": "D", "W": "W", "M": "M", "Y": "Y"}[unit], loc, req.FirstWeekDay)
		if unit == "Mi" {
			trunc = func(t time.Time) time.Time { return t.Truncate(time.Minute) }
			next = func(t time.Time) time.Time { return t.Add(time.Minute) }
		}
		end := trunc(now)
		if m[1] == "C" {
			end = next(end) // the current unit is included
			n--
		}
		start := end
		for i := 0; i < n; i++ {
			start = prevStep(start, unit, trunc)
		}
		if m[1] == "C" {
			return start, now, nil
		}
		return start, end, nil
	}
	if req.TimeRange.From == "" || req.TimeRange.To == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("Missing time range")
	}
	from, err1 := time.ParseInLocation("20060102150405", req.TimeRange.From, loc)
	to, err2 := time.ParseInLocation("20060102150405", req.TimeRange.To, loc)
	if err1 != nil || err2 != nil || !to.After(from) {
		return time.Time{}, time.Time{}, fmt.Errorf("Invalid time range : %s - %s", req.TimeRange.From, req.TimeRange.To)
	}
	return from, to, nil
}

func prevStep(t time.Time, unit string, trunc func(time.Time) time.Time) time.Time {
	switch unit {
	case "Mi":
		return t.Add(-time.Minute)
	case "H":
		return t.Add(-time.Hour)
	case "D":
		return t.AddDate(0, 0, -1)
	case "W":
		return t.AddDate(0, 0, -7)
	case "M":
		return t.AddDate(0, -1, 0)
	}
	return t.AddDate(-1, 0, 0)
}

func (t *Tenant) serveCALMData(w http.ResponseWriter, r *http.Request) {
	var req calmDataRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Invalid request body: "+err.Error())
		return
	}
	if req.Format != "time_series" && req.Format != "table" {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown format : "+req.Format)
		return
	}
	loc, err := parseZone(req.Timezone)
	if err != nil {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	res := req.Resolution
	if res == "" {
		res = "H"
	}
	trunc, next, err := resolutionStep(res, loc, req.FirstWeekDay)
	if err != nil {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	now := t.now()
	from, to, err := calmRange(req, now, loc)
	if err != nil {
		t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	limit := 0
	if req.Limit != "" {
		n, err := strconv.Atoi(string(req.Limit))
		if err != nil || n < 0 {
			t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Invalid limit : "+string(req.Limit))
			return
		}
		limit = n
	}
	// Data older than the message retention does not exist; say so like Cloud ALM's sap-message header.
	if oldest := now.Add(-retention); from.Before(oldest) {
		msgs, _ := json.Marshal([]map[string]string{{"time": now.UTC().Format(time.RFC3339), "content": "Data is only available for the last 30 days", "type": "W"}})
		w.Header().Set("sap-message", string(msgs))
	}
	var out []any
	for _, q := range req.Queries {
		p, ok := t.calmProvider(q.Provider)
		if !ok {
			t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown provider : "+q.Provider)
			return
		}
		if !checkVersion(q.Version) {
			t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown version : "+q.Version)
			return
		}
		for _, need := range p.required {
			if !slices.ContainsFunc(q.Filters, func(f calmFilter) bool { return f.Key == need && len(f.Values) > 0 }) {
				t.writeCALMError(w, http.StatusPreconditionRequired, "PRECONDITION_REQUIRED", "Missing filter for dimension '"+need+"'")
				return
			}
		}
		for _, d := range q.Columns.Dimensions {
			if !slices.Contains(p.dims, d) {
				t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown dimension : "+d)
				return
			}
		}
		for _, f := range q.Filters {
			if !slices.Contains(p.dims, f.Key) {
				t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown filter : "+f.Key)
				return
			}
		}
		for _, m := range q.Columns.Metrics {
			if !slices.Contains(p.measures, m.Measure) {
				t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown measure : "+m.Measure)
				return
			}
			switch strings.ToUpper(m.Method) {
			case "", "SUM", "AVG", "MIN", "MAX", "PERCENT", "LAST":
			default:
				t.writeCALMError(w, http.StatusBadRequest, "BAD_REQUEST", "Unknown method : "+m.Method)
				return
			}
		}
		agg := t.calmAggregate(p, q, from, to, now, trunc, next, limit)
		if req.Format == "time_series" {
			out = append(out, agg.series(q, req.TimestampFormat, loc))
		} else {
			last := req.TableType == "last" || req.TableFormat == "last"
			out = append(out, agg.table(q, req.TimestampFormat, loc, last))
		}
	}
	if out == nil {
		out = []any{}
	}
	writeJSONValue(w, out)
}

// calmAgg holds 5-minute counts per group; buckets are built from them per resolution.
type calmAgg struct {
	groups  [][]string          // dimension values per group (in query dimension order)
	slots   []map[int64]float64 // per group: 5-minute slot start (ms) → count
	buckets []time.Time         // bucket starts in order
	ends    []time.Time
	nowMs   int64
}

const slotMs = 5 * minuteMs

func (t *Tenant) calmAggregate(p calmProvider, q calmQuery, from, to, now time.Time, trunc, next func(time.Time) time.Time, limit int) *calmAgg {
	a := &calmAgg{nowMs: now.UnixMilli()}
	if trunc == nil { // resolution P: one bucket
		a.buckets, a.ends = []time.Time{from}, []time.Time{to}
	} else {
		for b := trunc(from); b.Before(to); b = next(b) {
			a.buckets = append(a.buckets, b)
			a.ends = append(a.ends, next(b))
		}
	}
	if p.dimsOf == nil {
		return a
	}
	index := map[string]int{}
	dimIdx := make([]int, len(q.Columns.Dimensions))
	for i, d := range q.Columns.Dimensions {
		dimIdx[i] = slices.Index(p.dims, d)
	}
	filters := map[int][]string{}
	for _, f := range q.Filters {
		filters[slices.Index(p.dims, f.Key)] = f.Values
	}
	mq := &mplQuery{g: t.gen, nowMs: a.nowMs, fromMs: max(from.UnixMilli(), a.nowMs-retention.Milliseconds()), toMs: min(to.UnixMilli(), a.nowMs+1)}
	key := make([]string, len(dimIdx))
	mq.scanStart(false, func(m *msg) bool {
		vals, ok := p.dimsOf(t, m)
		if !ok {
			return true
		}
		for i, allowed := range filters {
			if len(allowed) > 0 && !slices.Contains(allowed, vals[i]) {
				return true
			}
		}
		for i, di := range dimIdx {
			key[i] = vals[di]
		}
		k := strings.Join(key, "\x00")
		gi, ok := index[k]
		if !ok {
			gi = len(a.groups)
			index[k] = gi
			a.groups = append(a.groups, slices.Clone(key))
			a.slots = append(a.slots, map[int64]float64{})
		}
		a.slots[gi][floorDiv(m.startMs, slotMs)*slotMs]++
		return true
	})
	// Deterministic group order: by total descending, then by name; limit keeps the largest groups.
	totals := make([]float64, len(a.groups))
	for i, s := range a.slots {
		for _, v := range s {
			totals[i] += v
		}
	}
	order := make([]int, len(a.groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		if totals[order[x]] != totals[order[y]] {
			return totals[order[x]] > totals[order[y]]
		}
		return strings.Join(a.groups[order[x]], "\x00") < strings.Join(a.groups[order[y]], "\x00")
	})
	if limit > 0 && len(order) > limit {
		order = order[:limit]
	}
	g2, s2 := make([][]string, len(order)), make([]map[int64]float64, len(order))
	for i, o := range order {
		g2[i], s2[i] = a.groups[o], a.slots[o]
	}
	a.groups, a.slots = g2, s2
	return a
}

// value aggregates one group's slots inside bucket b with a method.
func (a *calmAgg) value(g, b int, method string, bucketTotal float64) (float64, bool) {
	start, end := a.buckets[b].UnixMilli(), min(a.ends[b].UnixMilli(), a.nowMs+1)
	var sum, mn, mx, last float64
	n := 0
	first := true
	for s := floorDiv(start, slotMs) * slotMs; s < end; s += slotMs {
		v := a.slots[g][s]
		sum += v
		if first || v < mn {
			mn = v
		}
		if first || v > mx {
			mx = v
		}
		last = v
		first = false
		n++
	}
	if sum == 0 {
		return 0, false
	}
	switch strings.ToUpper(method) {
	case "AVG":
		return sum / float64(n), true
	case "MIN":
		return mn, true
	case "MAX":
		return mx, true
	case "LAST":
		return last, true
	case "PERCENT":
		if bucketTotal == 0 {
			return 0, false
		}
		return 100 * sum / bucketTotal, true
	}
	return sum, true
}

func (a *calmAgg) bucketTotal(b int) float64 {
	total := 0.0
	for g := range a.groups {
		v, _ := a.value(g, b, "SUM", 0)
		total += v
	}
	return total
}

func calmTimestamp(t time.Time, format string, loc *time.Location, asString bool) any {
	if format == "unix" {
		if asString {
			return strconv.FormatInt(t.UnixMilli(), 10)
		}
		return t.UnixMilli()
	}
	return t.In(loc).Format("20060102150405")
}

func (a *calmAgg) series(q calmQuery, tsFormat string, loc *time.Location) []any {
	out := []any{}
	for _, m := range q.Columns.Metrics {
		for g, vals := range a.groups {
			var attrs []map[string]string
			for i, d := range q.Columns.Dimensions {
				attrs = append(attrs, map[string]string{"key": d, "value": vals[i]})
			}
			points := [][]any{}
			for b := range a.buckets {
				total := 0.0
				if strings.EqualFold(m.Method, "PERCENT") {
					total = a.bucketTotal(b)
				}
				if v, ok := a.value(g, b, m.Method, total); ok {
					points = append(points, []any{v, calmTimestamp(a.buckets[b], tsFormat, loc, false)})
				}
			}
			if attrs == nil {
				attrs = []map[string]string{}
			}
			out = append(out, map[string]any{"serieName": q.Name + "-" + m.Measure, "attributes": attrs, "dataPoints": points})
		}
	}
	return out
}

func (a *calmAgg) table(q calmQuery, tsFormat string, loc *time.Location, lastOnly bool) map[string]any {
	cols := []map[string]string{{"text": "timestamp", "type": "time"}}
	for _, d := range q.Columns.Dimensions {
		cols = append(cols, map[string]string{"text": d, "type": "string"})
	}
	for _, m := range q.Columns.Metrics {
		cols = append(cols, map[string]string{"text": m.Measure, "type": "number"})
	}
	rows := [][]any{}
	first := 0
	if lastOnly && len(a.buckets) > 0 {
		first = len(a.buckets) - 1
	}
	for b := first; b < len(a.buckets); b++ {
		total := a.bucketTotal(b)
		for g, vals := range a.groups {
			row := []any{calmTimestamp(a.buckets[b], tsFormat, loc, true)}
			for _, v := range vals {
				row = append(row, v)
			}
			has := false
			for _, m := range q.Columns.Metrics {
				v, ok := a.value(g, b, m.Method, total)
				has = has || ok
				row = append(row, v)
			}
			if has {
				rows = append(rows, row)
			}
		}
	}
	return map[string]any{"columns": cols, "rows": rows}
}
