package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const calmBase = "/api/calm-analytics/v1/analytics/providers"

// post sends an authenticated JSON POST.
func (e *env) post(path string, body []byte) (int, http.Header, []byte) {
	e.t.Helper()
	if e.token == "" {
		e.fetchToken()
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func fixtureBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixturesDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %.300s", err, b)
	}
	return v
}

func TestCALMProvidersAndFilters(t *testing.T) {
	e := newEnv(t, Config{})
	st, _, b := e.get(calmBase)
	if st != 200 || !strings.Contains(string(b), `"name":"CPI_MESSAGES"`) {
		t.Fatalf("providers: %d %s", st, b)
	}
	st, _, b = e.post(calmBase+"/filters", fixtureBytes(t, "calm-postman-cpi-messages-filters-request.json"))
	if st != 200 {
		t.Fatalf("filters: %d %s", st, b)
	}
	var filters []struct {
		Key    string
		Type   string
		Values []struct{ Key, Label string }
	}
	_ = json.Unmarshal(b, &filters)
	got := map[string]int{}
	for _, f := range filters {
		got[f.Key+"/"+f.Type] = len(f.Values)
	}
	if got["IntegrationArtifactName/dimension"] != 40 || got["measures/measure"] != 1 || got["StatusGroup/dimension"] == 0 {
		t.Fatalf("filters: %v", got)
	}
	if st, _, _ := e.post(calmBase+"/filters", []byte(`{"providerName":"NOPE"}`)); st != 400 {
		t.Fatalf("unknown provider: %d", st)
	}
	resp, err := http.Get(e.srv.URL + calmBase)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("without token: %d", resp.StatusCode)
	}
}

// TestCALMCountsMatchMessageLogs: CPI_MESSAGES totals equal the MPL counts of the same window.
func TestCALMCountsMatchMessageLogs(t *testing.T) {
	e := newEnv(t, Config{})
	st, _, b := e.post(calmBase+"/data", fixtureBytes(t, "calm-postman-cpi-messages-timeseries-request.json"))
	if st != 200 {
		t.Fatalf("data: %d %s", st, b)
	}
	var resp [][]struct {
		SerieName  string
		Attributes []struct{ Key, Value string }
		DataPoints [][]any
	}
	if err := json.Unmarshal(b, &resp); err != nil || len(resp) != 1 {
		t.Fatalf("%v %.200s", err, b)
	}
	total, failed := 0.0, 0.0
	for _, s := range resp[0] {
		isFailed := false
		for _, a := range s.Attributes {
			if a.Key == "Status" && a.Value == "FAILED" {
				isFailed = true
			}
		}
		for _, p := range s.DataPoints {
			total += p[0].(float64)
			if isFailed {
				failed += p[0].(float64)
			}
			if ts, ok := p[1].(string); !ok || len(ts) != 14 {
				t.Fatalf("timestamp without timestampFormat must be YYYYMMDDhhmmss: %v", p[1])
			}
		}
	}
	// L24H = the 24 complete hours before the current one.
	end := testNow.Truncate(time.Hour)
	window := "LogStart ge " + lit(end.Add(-24*time.Hour)) + " and LogStart lt " + lit(end)
	count := func(f string) float64 {
		_, _, b := e.get("/api/v1/MessageProcessingLogs/$count" + q("$filter", f))
		n, _ := strconv.Atoi(string(b))
		return float64(n)
	}
	if want := count(window); total != want || want == 0 {
		t.Fatalf("CPI_MESSAGES total %v, MPL count %v", total, want)
	}
	if want := count(window + " and Status eq 'FAILED'"); failed != want {
		t.Fatalf("CPI_MESSAGES FAILED %v, MPL count %v", failed, want)
	}
}

func TestCALMDataVariants(t *testing.T) {
	e := newEnv(t, Config{})
	st, _, b := e.post(calmBase+"/data", fixtureBytes(t, "calm-postman-cpi-messages-table-request.json"))
	if st != 200 {
		t.Fatalf("table: %d %s", st, b)
	}
	var tables []struct {
		Columns []struct{ Text, Type string }
		Rows    [][]any
	}
	_ = json.Unmarshal(b, &tables)
	if len(tables) != 1 || len(tables[0].Columns) != 7 || len(tables[0].Rows) == 0 {
		t.Fatalf("table: %.300s", b)
	}
	groups := map[string]bool{}
	for _, r := range tables[0].Rows {
		groups[r[2].(string)+r[4].(string)] = true
	}
	if len(groups) > 10 {
		t.Fatalf("limit 10 not applied: %d groups", len(groups))
	}
	cases := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"too fine resolution", `{"format":"time_series","timeRange":{"semantic":"L1H"},"resolution":"15S","queries":[{"name":"a","provider":"CPI_MESSAGES","columns":{"dimensions":["Status"],"metrics":[{"measure":"Count"}]},"filters":[]}]}`, 400, "BAD_REQUEST"},
		{"missing kpiId", `{"format":"table","timeRange":{"semantic":"L7D"},"resolution":"D","queries":[{"name":"k","provider":"KPI_HISTORY_TOTALS","columns":{"dimensions":["kpiName"],"metrics":[{"measure":"value"}]},"filters":[]}]}`, 428, "PRECONDITION_REQUIRED"},
		{"unknown measure", `{"format":"table","timeRange":{"semantic":"L1H"},"resolution":"H","queries":[{"name":"a","provider":"CPI_MESSAGES","columns":{"dimensions":[],"metrics":[{"measure":"Duration"}]},"filters":[]}]}`, 400, "BAD_REQUEST"},
		{"bad period", `{"format":"table","timeRange":{"semantic":"X1H"},"resolution":"H","queries":[]}`, 400, "BAD_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, h, b := e.post(calmBase+"/data", []byte(tc.body))
			var body struct {
				Error struct {
					Code, Message string
					Details       []struct{ Code, Message string }
				}
			}
			_ = json.Unmarshal(b, &body)
			if st != tc.status || body.Error.Code != tc.code || len(body.Error.Details) != 1 || body.Error.Details[0].Message != h.Get("x-correlationid") {
				t.Fatalf("%d %s (x-correlationid %q)", st, b, h.Get("x-correlationid"))
			}
		})
	}
	// Methods and unix timestamps: AVG ≤ MAX, SUM ≥ MAX, timestamps are ms numbers.
	body := `{"format":"time_series","timestampFormat":"unix","timeRange":{"semantic":"L6H"},"resolution":"H","timezone":"+02:00","queries":[{"name":"m","provider":"CPI_MESSAGES","columns":{"dimensions":[],"metrics":[{"measure":"Count","method":"SUM"},{"measure":"Count","method":"AVG"},{"measure":"Count","method":"MAX"}]},"filters":[{"key":"StatusGroup","values":["Successful"]}]}]}`
	st, _, b = e.post(calmBase+"/data", []byte(body))
	var series [][]struct {
		SerieName  string
		DataPoints [][]float64
	}
	if st != 200 || json.Unmarshal(b, &series) != nil || len(series[0]) != 3 {
		t.Fatalf("%d %.300s", st, b)
	}
	for i := range series[0][0].DataPoints {
		sum, avg, mx := series[0][0].DataPoints[i][0], series[0][1].DataPoints[i][0], series[0][2].DataPoints[i][0]
		if !(avg <= mx && mx <= sum && sum > 0) || series[0][0].DataPoints[i][1] < 1e12 {
			t.Fatalf("sum %v avg %v max %v ts %v", sum, avg, mx, series[0][0].DataPoints[i][1])
		}
	}
	if len(series[0][0].DataPoints) != 6 {
		t.Fatalf("L6H at H: %d points", len(series[0][0].DataPoints))
	}
}

func TestCALMFixtureConformance(t *testing.T) {
	e := newEnv(t, Config{})
	dir := fixturesDir(t)
	// The README's time-series example is one query's slice of the response (SOURCES-calm.md).
	derived := strings.ReplaceAll(string(fixtureBytes(t, "calm-derived-plugin-timeseries-request.json")),
		"00000000-0000-0000-0000-000000000000", e.tenant.calmServiceID())
	derived = strings.Replace(derived, `"semantic": "C24H",`, "", 1) // use the absolute from/to …
	from := testNow.Add(-24 * time.Hour).In(time.FixedZone("", 2*3600)).Format("20060102150405")
	to := testNow.In(time.FixedZone("", 2*3600)).Format("20060102150405")
	derived = strings.Replace(strings.Replace(derived, "20250417170000", from, 1), "20250418170000", to, 1) // … around now
	st, _, b := e.post(calmBase+"/data", []byte(derived))
	if st != 200 {
		t.Fatalf("derived plugin request: %d %s", st, b)
	}
	sim := decode(t, b).([]any)
	for _, msg := range conform("$", readFixture(t, dir, "calm-plugin-readme-timeseries-response.json"), sim[0], false) {
		t.Error("timeseries:", msg)
	}
	table := `{"format":"table","timestampFormat":"unix","timeRange":{"semantic":"L24H"},"resolution":"H","queries":[{"name":"t","provider":"CPI_MESSAGES",
		"columns":{"dimensions":["ServiceName","IntegrationArtifactName","Status"],"metrics":[{"measure":"Count","method":"SUM"},{"measure":"Count","method":"MAX"}]},"filters":[]}]}`
	st, _, b = e.post(calmBase+"/data", []byte(table))
	if st != 200 {
		t.Fatalf("table: %d %s", st, b)
	}
	for _, msg := range conform("$", readFixture(t, dir, "calm-plugin-readme-table-response.json"), decode(t, b), false) {
		t.Error("table:", msg)
	}
	st, _, b = e.post(calmBase+"/data", []byte(`{"format":"table","timeRange":{"semantic":"L7D"},"resolution":"D","queries":[{"name":"k","provider":"KPI_HISTORY_TOTALS","columns":{"dimensions":["kpiName"],"metrics":[{"measure":"value"}]},"filters":[]}]}`))
	if st != 428 {
		t.Fatalf("%d", st)
	}
	for _, msg := range conform("$", readFixture(t, dir, "calm-issue109-error-response.json"), decode(t, b), false) {
		t.Error("error:", msg)
	}
	// Every Postman request body for the providers the simulator serves is accepted.
	for _, name := range []string{"calm-postman-cpi-messages-table-request.json", "calm-postman-cpi-messages-timeseries-request.json", "calm-postman-exm-timeseries-request.json"} {
		if st, _, b := e.post(calmBase+"/data", fixtureBytes(t, name)); st != 200 {
			t.Errorf("%s: %d %s", name, st, b)
		}
	}
}

func TestAuditLogPaging(t *testing.T) {
	e := newEnv(t, Config{})
	from, to := testNow.Add(-5*24*time.Hour), testNow
	path := "/auditlog/v2/auditlogrecords" + q("time_from", from.Format("2006-01-02T15:04:05"), "time_to", to.Format("2006-01-02T15:04:05"))
	var all []map[string]any
	pages := 0
	for path != "" {
		st, h, b := e.get(path)
		if st != 200 {
			t.Fatalf("%d %s", st, b)
		}
		var page []map[string]any
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if len(page) > auditPageSize {
			t.Fatalf("page of %d", len(page))
		}
		all = append(all, page...)
		pages++
		path = ""
		if p := h.Get("Paging"); p != "" {
			if !strings.HasPrefix(p, "handle=") || len(page) != auditPageSize {
				t.Fatalf("Paging header %q after %d records", p, len(page))
			}
			path = "/auditlog/v2/auditlogrecords" + q("handle", strings.TrimPrefix(p, "handle="))
		}
	}
	if pages < 2 {
		t.Fatalf("%d records in %d pages: want several pages", len(all), pages)
	}
	seen := map[string]bool{}
	prev := ""
	for _, r := range all {
		ts := r["time"].(string)
		tt, err := time.Parse(time.RFC3339, ts)
		if err != nil || tt.Before(from) || !tt.Before(to) || ts < prev || seen[r["message_uuid"].(string)] {
			t.Fatalf("record %v out of order, range or duplicated", r)
		}
		prev = ts
		seen[r["message_uuid"].(string)] = true
	}
	fix := readFixture(t, fixturesDir(t), "sapdocs-cf-auditlog-retrieval-record-example.json")
	for _, msg := range conform("$", fix, any(all[0]), false) {
		t.Error(msg)
	}
	checkAuditMix(t, all)
	// Category filter and bad parameters.
	st, _, b := e.get("/auditlog/v2/auditlogrecords" + q("time_from", from.Format("2006-01-02T15:04:05"), "category", "audit.configuration"))
	var cfg []map[string]any
	if st != 200 || json.Unmarshal(b, &cfg) != nil || len(cfg) == 0 {
		t.Fatalf("category: %d", st)
	}
	for _, r := range cfg {
		if r["category"] != "audit.configuration" {
			t.Fatalf("category filter: %v", r["category"])
		}
	}
	for _, bad := range []string{q("time_from", "2026-03-01T00:00:00Z"), q("category", "audit.nope"), q("handle", "!!")} {
		if st, _, _ := e.get("/auditlog/v2/auditlogrecords" + bad); st != 400 {
			t.Fatalf("%s: %d", bad, st)
		}
	}
}

// documentedCPIActions are the actions SAP documents for Cloud Integration's audit events ("Auditing and
// Logging Information for Cloud Integration").
var documentedCPIActions = []string{
	"Package_Import_Started", "Package_Import_Completed", "Creation_of_Artifact_Initiated", "Creation_of_Artifact_Completed",
	"Update_of_Artifact_Completed", "Update_of_Configuration_Completed", "Deploy_of_Artifact_Initiated", "Deploy_of_Artifact_Completed",
	"Read", "Delete", "Move", "Retry",
}

// checkAuditMix: the audit log holds Cloud Integration's events with SAP's action names and object types,
// and events of other writers (XSUAA logins and clients, cockpit changes) under their own
// app_or_service_id, in every category that has them.
func checkAuditMix(t *testing.T, all []map[string]any) {
	t.Helper()
	cpiApps, otherApps := map[string]bool{}, map[string]bool{}
	kinds := map[string]int{}
	for _, r := range all {
		msg := r["message"].(map[string]any)
		var ev map[string]any
		if err := json.Unmarshal([]byte(msg["data"].(string)), &ev); err != nil {
			t.Fatalf("data is not JSON: %v", msg["data"])
		}
		app := r["app_or_service_id"].(string)
		text, _ := ev["message"].(string)
		switch {
		case ev["action"] != nil:
			if !slices.Contains(documentedCPIActions, ev["action"].(string)) || ev["objectType"] == nil || ev["objectId"] == nil {
				t.Fatalf("undocumented Cloud Integration event %v", ev)
			}
			if strings.HasPrefix(ev["action"].(string), "Package_") && (ev["objectType"] != "Package" || !strings.HasSuffix(ev["objectId"].(string), ".zip")) {
				t.Fatalf("package import %v", ev)
			}
			cpiApps[app] = true
			kinds["cpi "+r["category"].(string)]++
		case strings.Contains(text, "|it!b"):
			kinds["cpi client"]++
		case strings.Contains(text, "|auditlog-management!b"):
			kinds["audit log client"]++
			otherApps[app] = true
		case strings.HasPrefix(text, "UserAuthentication"):
			kinds["cockpit login"]++
			otherApps[app] = true
		case ev["object"] != nil:
			if r["category"] != "audit.configuration" || r["user"] == "" {
				t.Fatalf("cockpit change %v", r)
			}
			kinds["cockpit change"]++
			otherApps[app] = true
		default:
			t.Fatalf("unknown event %v", ev)
		}
	}
	for _, k := range []string{"cpi audit.configuration", "cpi audit.data-access", "cpi audit.data-modification", "cpi client", "audit log client", "cockpit login", "cockpit change"} {
		if kinds[k] == 0 {
			t.Errorf("no %s event among %d records (%v)", k, len(all), kinds)
		}
	}
	for app := range otherApps {
		if cpiApps[app] {
			t.Errorf("app_or_service_id %s writes Cloud Integration and other events", app)
		}
	}
}
