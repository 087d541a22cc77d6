package calm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// The documented time-series answer: SAP's README shows one query's slice; the plugin's code and Cloud
// ALM send it inside an outer per-query array. Both decode to the same series.
func TestDecodeReadmeTimeSeries(t *testing.T) {
	slice := sapfixtures.Read(t, "calm-plugin-readme-timeseries-response.json")
	wrapped := append(append([]byte("["), slice...), ']')
	for name, body := range map[string][]byte{"README slice": slice, "outer per-query array": wrapped} {
		t.Run(name, func(t *testing.T) {
			perQuery, err := DecodeSeries(body, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(perQuery) != 1 || len(perQuery[0]) != 2 {
				t.Fatalf("got %d queries / %v", len(perQuery), perQuery)
			}
			s := perQuery[0][0]
			wantAttrs := []Attribute{{"PROJECT_GUID", "guid1"}, {"PROJECT_NAME", "project1"}, {"STATUS", "in process"}}
			if s.Name != "Query1-TASK_STATUS_COUNTER" || !reflect.DeepEqual(s.Attributes, wantAttrs) {
				t.Fatalf("series = %+v", s)
			}
			if len(s.Points) != 1 || *s.Points[0].Value != 20 || s.Points[0].Time.UnixMilli() != 1621096874000 {
				t.Fatalf("points = %+v", s.Points)
			}
			if v := *perQuery[0][1].Points[0].Value; v != 15 {
				t.Fatalf("second series value %v", v)
			}
			// Frames: one per series, the measure from "<name>-<measure>", labels from attributes + tenant.
			q := models.CalmMetricsQuery{Provider: "DP_TASKS", Measures: []models.CalmMeasure{{Name: "TASK_STATUS_COUNTER"}, {Name: "NB_TOTAL_TASK"}}}
			frames := timeSeriesFrames("Query1", q, perQuery[0], "SIM", nil)
			if len(frames) != 2 {
				t.Fatalf("%d frames", len(frames))
			}
			var names []string
			for _, f := range frames {
				v := f.Fields[1]
				names = append(names, v.Name)
				if v.Labels["tenant"] != "SIM" || v.Labels["STATUS"] != "in process" || v.Labels["measure"] != v.Name {
					t.Errorf("labels %v", v.Labels)
				}
			}
			sort.Strings(names)
			if !reflect.DeepEqual(names, []string{"NB_TOTAL_TASK", "TASK_STATUS_COUNTER"}) {
				t.Errorf("value fields %v", names)
			}
		})
	}
	// A slice without the outer array is only unambiguous for one query.
	if _, err := DecodeSeries(slice, 2); err == nil {
		t.Fatal("two queries answered with one series list must be an error")
	}
}

func TestDecodeReadmeTable(t *testing.T) {
	body := sapfixtures.Read(t, "calm-plugin-readme-table-response.json")
	tables, err := DecodeTables(body, 1)
	if err != nil {
		t.Fatal(err)
	}
	tb := tables[0]
	if len(tb.Columns) != 6 || len(tb.Rows) != 2 || tb.Columns[0].Type != "time" {
		t.Fatalf("table = %+v", tb)
	}
	f, err := tableFrame("A", tb, "SIM", nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fld := range f.Fields {
		names = append(names, fld.Name)
	}
	want := []string{"timestamp", "PROJECT_GUID", "PROJECT_NAME", "STATUS", "TASK_STATUS_COUNTER", "NB_TOTAL_TASK", "tenant"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("fields %v, want %v", names, want)
	}
	// Time cells are strings of ms epoch; numbers stay numbers.
	ts := f.Fields[0].At(1).(*time.Time)
	if ts.UnixMilli() != 1621096874000 || *f.Fields[4].At(1).(*float64) != 20 || f.Fields[3].At(1) != "in process" || f.Fields[6].At(0) != "SIM" {
		t.Fatalf("row 2 = %v %v %v", ts, f.Fields[4].At(1), f.Fields[3].At(1))
	}
	// Focused Run's upper-case keys.
	upper := strings.NewReplacer(`"columns"`, `"COLUMNS"`, `"rows"`, `"ROWS"`).Replace(string(body))
	if tables, err := DecodeTables([]byte(upper), 1); err != nil || len(tables[0].Rows) != 2 {
		t.Fatalf("upper-case table: %v %v", tables, err)
	}
}

func TestParseIssue109Error(t *testing.T) {
	body := sapfixtures.Read(t, "calm-issue109-error-response.json")
	h := http.Header{}
	h.Set("x-correlationid", "d0b2e6fe-bc37-4a4c-6ee6-bb0e9917ab8e")
	e := ParseError(http.StatusPreconditionRequired, h, body)
	if e == nil {
		t.Fatal("the fixture is not recognised as a Cloud ALM error")
	}
	if e.Code != "PRECONDITION_REQUIRED" || e.Message != "Missing filter for dimension 'kpiId'" || e.CorrelationID != "d0b2e6fe-bc37-4a4c-6ee6-bb0e9917ab8e" {
		t.Fatalf("parsed %+v", e)
	}
	// Through Explain, as a query sees it: Cloud ALM's message, the correlation id, and what to do; the
	// client's error (status, error source) stays in the chain.
	clientErr := backend.DownstreamError(&cpi.Error{Kind: cpi.KindHTTP, Status: 428, Host: "acme.eu10.alm.cloud.sap"})
	err := Explain(&cpi.Response{Status: 428, Header: h, Body: body}, clientErr, "https://acme.eu10.alm.cloud.sap/api/calm-analytics/v1")
	for _, w := range []string{"HTTP 428 PRECONDITION_REQUIRED", "Missing filter for dimension 'kpiId'", "required filter", "Correlation id d0b2e6fe-bc37-4a4c-6ee6-bb0e9917ab8e"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not contain %q", err, w)
		}
	}
	if ce, ok := cpi.AsError(err); !ok || ce.Status != 428 || !backend.IsDownstreamError(err) {
		t.Errorf("the client error is lost: %v", err)
	}
	if MissingFilter(err) != "kpiId" {
		t.Errorf("MissingFilter = %q", MissingFilter(err))
	}
	// The correlation id of the header is used when the body has none.
	noDetails := []byte(`{"error":{"code":"BAD_REQUEST","message":"BAD_REQUEST : Unknown resolution : 15S"}}`)
	e = ParseError(400, h, noDetails)
	if e.CorrelationID == "" || e.Message != "Unknown resolution : 15S" {
		t.Fatalf("parsed %+v", e)
	}
	if ParseError(400, nil, []byte(`{"d":{}}`)) != nil || ParseError(400, nil, []byte("<html>")) != nil {
		t.Fatal("non-errors recognised as Cloud ALM errors")
	}
}

// jsonShape lists every key path of a JSON document with its JSON type ("timeRange.from string",
// "queries[].columns.metrics[].measure string"); arrays contribute their elements' paths.
func jsonShape(t *testing.T, prefix string, v any, out map[string]string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = jsonType(child)
			jsonShape(t, p, child, out)
		}
	case []any:
		for _, child := range x {
			jsonShape(t, prefix+"[]", child, out)
		}
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func shapeOf(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	out := map[string]string{}
	jsonShape(t, "", v, out)
	return out
}

// The data requests we send have the shape of SAP's Postman bodies: every field we send exists there (or
// in the plugin-derived body) with the same JSON type, and every field of the Postman CPI_MESSAGES bodies
// is sent, except the relative period (we send from/to) and limit (we never cut the result).
func TestRequestShapeMatchesPostman(t *testing.T) {
	known := map[string]string{}
	for _, file := range sapfixtures.JSONFiles(t, "calm-postman-cpi", "calm-postman-hm", "calm-postman-exm", "calm-derived") {
		if strings.Contains(file, "filters") {
			continue
		}
		body := sapfixtures.Read(t, file[strings.LastIndex(file, "/")+1:])
		for k, typ := range shapeOf(t, body) {
			known[k] = typ
		}
	}
	// Fields of SAP's plugin for the raw and last-slice tables, not in the Postman bodies.
	extras := map[string]string{"tableType": "string", "table_format": "string"}
	from := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	dq := Range{From: from, To: from.Add(2 * time.Hour), Interval: time.Minute, MaxDataPoints: 1000}
	q := models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"IntegrationArtifactName", "StatusGroup"},
		Measures: []models.CalmMeasure{{Name: "Count", Method: "sum"}}, Filters: []models.CalmFilter{{Key: "StatusGroup", Values: []string{"Failed"}}}}
	for _, format := range []models.Format{models.CalmFormatTimeSeries, models.FormatTable, models.CalmFormatTableRaw, models.CalmFormatTableLastSlice} {
		t.Run(string(format), func(t *testing.T) {
			q.Format = format
			planned, w, err := Plan(q, dq, NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(BuildRequest(w, []Item{{RefID: "A", Query: planned}}))
			ours := shapeOf(t, body)
			for k, typ := range ours {
				want, ok := known[k]
				if !ok {
					want, ok = extras[k]
				}
				if !ok || want != typ {
					t.Errorf("we send %s (%s), which SAP's request bodies do not have (type %q)", k, typ, want)
				}
			}
			for _, file := range []string{"calm-postman-cpi-messages-table-request.json", "calm-postman-cpi-messages-timeseries-request.json"} {
				for k := range shapeOf(t, sapfixtures.Read(t, file)) {
					if k == "timeRange.semantic" || k == "limit" {
						continue
					}
					if _, ok := ours[k]; !ok {
						t.Errorf("%s has %s, which we do not send", file, k)
					}
				}
			}
			var req DataRequest
			_ = json.Unmarshal(body, &req)
			if req.TimeRange.From != "20261121100000" || req.TimeRange.To != "20261121120000" || req.Timezone != "+00:00" || req.Resolution != "5Mi" {
				t.Errorf("time range %+v, zone %s, resolution %s", req.TimeRange, req.Timezone, req.Resolution)
			}
			if req.Queries[0].Columns.Metrics[0].Method != "SUM" {
				t.Errorf("method %q, want upper case", req.Queries[0].Columns.Metrics[0].Method)
			}
		})
	}
	// The filters request is the Postman body; name and filters are added only when set.
	filtersBody, _ := json.Marshal(FiltersRequest{ProviderName: "CPI_MESSAGES"})
	if want := shapeOf(t, sapfixtures.Read(t, "calm-postman-cpi-messages-filters-request.json")); !reflect.DeepEqual(shapeOf(t, filtersBody), want) {
		t.Errorf("filters request %s, want the shape %v", filtersBody, want)
	}
}

func TestResolution(t *testing.T) {
	for _, tc := range []struct {
		interval, span time.Duration
		maxPoints      int64
		want           string
	}{
		{15 * time.Second, time.Hour, 1000, "5Mi"}, // never finer than 5 minutes (Cloud ALM rejects it)
		{time.Minute, 6 * time.Hour, 0, "5Mi"},
		{5 * time.Minute, 6 * time.Hour, 1000, "5Mi"},
		{6 * time.Minute, 6 * time.Hour, 1000, "10Mi"},
		{20 * time.Minute, 24 * time.Hour, 1000, "30Mi"},
		{time.Minute, 30 * 24 * time.Hour, 1000, "H"}, // 30 days in ≤1000 points: 43 min → hours
		{time.Minute, 30 * 24 * time.Hour, 500, "D"},  // ≤500 points: 86 min → days
		{2 * time.Hour, 7 * 24 * time.Hour, 1000, "D"},
		{0, 250 * 24 * time.Hour, 10, "M"},
		{0, 20 * 366 * 24 * time.Hour, 10, "Y"},
	} {
		if got := Resolution(tc.interval, tc.span, tc.maxPoints); got != tc.want {
			t.Errorf("Resolution(%s, %s, %d) = %s, want %s", tc.interval, tc.span, tc.maxPoints, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	reg := NewRegistry()
	ok := models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Measures: []models.CalmMeasure{{Name: "Count"}}}
	with := func(f func(*models.CalmMetricsQuery)) models.CalmMetricsQuery {
		q := ok
		q.Measures = append([]models.CalmMeasure{}, ok.Measures...)
		f(&q)
		return Normalize(q)
	}
	for _, tc := range []struct {
		name string
		q    models.CalmMetricsQuery
		want string
	}{
		{"no provider", with(func(q *models.CalmMetricsQuery) { q.Provider = " " }), "choose a Cloud ALM data provider"},
		{"no measure", with(func(q *models.CalmMetricsQuery) { q.Measures = []models.CalmMeasure{{Name: ""}} }), "at least one measure"},
		{"bad method", with(func(q *models.CalmMetricsQuery) { q.Measures[0].Method = "median" }), `method "MEDIAN"`},
		{"bad format", with(func(q *models.CalmMetricsQuery) { q.Format = "pie" }), `no format "pie"`},
		{"unreplaced variable", with(func(q *models.CalmMetricsQuery) {
			q.Filters = []models.CalmFilter{{Key: "IntegrationArtifactName", Values: []string{"$iflow"}}}
		}), "template variable that was not replaced"},
		{"control character", with(func(q *models.CalmMetricsQuery) { q.Dimensions = []string{"a\x00b"} }), "control character"},
		{"required filter missing", with(func(q *models.CalmMetricsQuery) { q.Provider = "KPI_HISTORY_TOTALS" }), "requires a value for the filter kpiId"},
		{"required filter with an empty value", with(func(q *models.CalmMetricsQuery) {
			q.Provider = "KPI_HISTORY_TOTALS"
			q.Filters = []models.CalmFilter{{Key: "kpiId", Values: []string{""}}}
		}), "kpiId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.q, reg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := Validate(Normalize(ok), reg); err != nil {
		t.Fatalf("valid query refused: %v", err)
	}
	kpi := Normalize(models.CalmMetricsQuery{Provider: "KPI_HISTORY_TOTALS", Measures: []models.CalmMeasure{{Name: "value"}},
		Filters: []models.CalmFilter{{Key: "kpiId", Values: []string{"K1"}}}})
	if err := Validate(kpi, reg); err != nil {
		t.Fatalf("query with its required filter refused: %v", err)
	}
	var rf *RequiredFilterError
	if err := Validate(Normalize(models.CalmMetricsQuery{Provider: "KPI_HISTORY_TOTALS", Measures: ok.Measures}), reg); !errors.As(err, &rf) || rf.Keys[0] != "kpiId" {
		t.Fatalf("want a RequiredFilterError, got %v", err)
	}
}

func TestDecodeTimestampsAndValues(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want time.Time
	}{
		{`1621096874000`, time.UnixMilli(1621096874000)},
		{`"1621096874000"`, time.UnixMilli(1621096874000)},
		{`"20250418170000"`, time.Date(2025, 4, 18, 17, 0, 0, 0, time.UTC)},
		{`20250418170000`, time.Date(2025, 4, 18, 17, 0, 0, 0, time.UTC)},
		{`1621096874`, time.Unix(1621096874, 0)},
	} {
		got, err := timestamp(json.RawMessage(tc.raw))
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("timestamp(%s) = %v, %v; want %v", tc.raw, got, err, tc.want)
		}
	}
	for _, bad := range []string{`"yesterday"`, `true`, `-5`} {
		if _, err := timestamp(json.RawMessage(bad)); err == nil {
			t.Errorf("timestamp(%s) accepted", bad)
		}
	}
	for raw, want := range map[string]string{`3`: "3", `"4.5"`: "4.5", `null`: "<nil>", `""`: "<nil>"} {
		v, err := number(json.RawMessage(raw))
		got := "<nil>"
		if v != nil {
			got = fmt.Sprint(*v)
		}
		if err != nil || got != want {
			t.Errorf("number(%s) = %s, %v; want %s", raw, got, err, want)
		}
	}
	if _, err := number(json.RawMessage(`"n/a"`)); err == nil {
		t.Error(`number("n/a") accepted`)
	}
	// Points arrive unsorted; a series with a bad point is an error, not a silently shorter series.
	perQuery, err := DecodeSeries([]byte(`[[{"serieName":"A-Count","attributes":[{"key":"n","value":7}],"dataPoints":[[2,1700000600000],[1,1700000000000],[null,1700000300000]]}]]`), 1)
	if err != nil {
		t.Fatal(err)
	}
	pts := perQuery[0][0].Points
	if len(pts) != 3 || *pts[0].Value != 1 || pts[1].Value != nil || *pts[2].Value != 2 || perQuery[0][0].Attributes[0].Value != "7" {
		t.Fatalf("points %+v attrs %+v", pts, perQuery[0][0].Attributes)
	}
	if _, err := DecodeSeries([]byte(`[[{"serieName":"A","dataPoints":[[1]]}]]`), 1); err == nil {
		t.Fatal("a point without timestamp was accepted")
	}
	if _, err := DecodeTables([]byte(`[{"columns":[{"text":"a","type":"string"}],"rows":[["x","y"]]}]`), 1); err == nil {
		t.Fatal("a row with more cells than columns was accepted")
	}
}

func TestNotices(t *testing.T) {
	h := http.Header{}
	h.Add("sap-message", `[{"time":"2026-11-21T12:00:00Z","content":"Data is only available for the last 30 days","type":"W"},{"content":"Partial data","type":"E"},{"content":"fyi","type":"I"}]`)
	h.Add("sap-message", `plain text message`)
	got := Notices(h)
	if len(got) != 4 || got[0].Severity.String() != "warning" || got[1].Severity.String() != "error" || got[2].Severity.String() != "info" ||
		!strings.Contains(got[0].Text, "last 30 days") || !strings.Contains(got[3].Text, "plain text message") {
		t.Fatalf("notices %+v", got)
	}
}
