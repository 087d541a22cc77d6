package calm

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var fixedNow = simtest.Now

// counting counts the data POSTs that reach the simulated Cloud ALM.
type counting struct {
	next  http.Handler
	posts atomic.Int64
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/analytics/providers/data") {
		c.posts.Add(1)
	}
	c.next.ServeHTTP(w, r)
}

// newCloudALM serves the simulated tenant (Cloud ALM under /api/calm-analytics/v1) and returns a client
// built as the plugin builds it, the request counter and the address to mask in goldens.
func newCloudALM(t *testing.T) (*cpi.Client, *counting, string) {
	t.Helper()
	sim := simulator.New(simulator.Config{Seed: 7, IFlows: 6, MessagesPerDay: 4000, Now: func() time.Time { return fixedNow }})
	cnt := &counting{next: sim}
	srv := httptest.NewServer(cnt)
	t.Cleanup(srv.Close)
	base := settings.Settings{TenantLabel: "SIM", Timeout: 5 * time.Second, MaxConcurrent: 4}
	conn := settings.Connection{APIURL: srv.URL + "/api", TokenURL: srv.URL + "/oauth/token", ClientID: simulator.DefaultClientID}
	c, err := cpi.New(base.ForConnection(conn, simulator.DefaultClientSecret), cpi.WithServiceRoot(settings.CloudALMAnalyticsRoot(conn.APIURL)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, cnt, srv.URL
}

func dataQuery(from, to time.Time, interval time.Duration) Range {
	return Range{From: from, To: to, Interval: interval, MaxDataPoints: 1000}
}

func maskFrames(fs data.Frames, base string) {
	for _, f := range fs {
		if f.Meta != nil {
			f.Meta.ExecutedQueryString = strings.ReplaceAll(f.Meta.ExecutedQueryString, base, "https://calm.example")
		}
	}
}

func firstIFlow(t *testing.T, c *cpi.Client) string {
	t.Helper()
	filters, err := Filters(context.Background(), c, NewRegistry(), "CPI_MESSAGES", "IntegrationArtifactName", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range filters {
		if f.Key == "IntegrationArtifactName" && len(f.Values) > 0 {
			return f.Values[0].Key
		}
	}
	t.Fatal("the simulated Cloud ALM lists no iFlow")
	return ""
}

func TestGoldenFrames(t *testing.T) {
	c, _, base := newCloudALM(t)
	iflow := firstIFlow(t, c)
	preset := models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"IntegrationArtifactName", "StatusGroup"},
		Measures: []models.CalmMeasure{{Name: "Count", Method: "SUM"}}}
	withFormat := func(q models.CalmMetricsQuery, f models.Format, filters ...models.CalmFilter) models.CalmMetricsQuery {
		q.Format, q.Filters = f, filters
		return q
	}
	oneFlow := models.CalmFilter{Key: "IntegrationArtifactName", Values: []string{iflow}}
	tests := []struct {
		name  string
		query models.CalmMetricsQuery
		dq    Range
	}{
		{"timeseries_cpi_messages_one_iflow", withFormat(preset, models.CalmFormatTimeSeries, oneFlow), dataQuery(fixedNow.Add(-2*time.Hour), fixedNow, 5*time.Minute)},
		{"table_cpi_messages_one_iflow", withFormat(preset, models.FormatTable, oneFlow), dataQuery(fixedNow.Add(-time.Hour), fixedNow, 30*time.Minute)},
		{"table_last_slice_by_status", models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"StatusGroup"},
			Measures: []models.CalmMeasure{{Name: "Count"}}, Format: models.CalmFormatTableLastSlice}, dataQuery(fixedNow.Add(-3*time.Hour), fixedNow, time.Hour)},
		{"timeseries_exm_two_methods", models.CalmMetricsQuery{Provider: "EXM_DATAPROVIDER", Dimensions: []string{"categoryName"},
			Measures: []models.CalmMeasure{{Name: "counter", Method: "SUM"}, {Name: "counter", Method: "MAX"}},
			Filters:  []models.CalmFilter{{Key: "categoryName", Values: []string{"Mapping Error"}}}}, dataQuery(fixedNow.Add(-6*time.Hour), fixedNow, time.Hour)},
		{"numeric_cpi_messages_one_iflow", withFormat(preset, models.FormatNumeric, oneFlow), dataQuery(fixedNow.Add(-2*time.Hour), fixedNow, 5*time.Minute)},
		{"numeric_exm_two_methods", models.CalmMetricsQuery{Provider: "EXM_DATAPROVIDER", Dimensions: []string{"categoryName"},
			Measures: []models.CalmMeasure{{Name: "counter", Method: "SUM"}, {Name: "counter", Method: "MAX"}},
			Filters:  []models.CalmFilter{{Key: "categoryName", Values: []string{"Mapping Error"}}}, Format: models.FormatNumeric},
			dataQuery(fixedNow.Add(-6*time.Hour), fixedNow, time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, w, err := Plan(tc.query, tc.dq, NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			res := Run(context.Background(), c, NewRegistry(), w, []Item{{RefID: "A", Query: q}}, "SIM")["A"]
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			maskFrames(res.Frames, base)
			simtest.Golden(t, tc.name, res.Frames)
		})
	}
}

// The preset as a panel shows it: one series per iFlow and status group, each with its labels and the
// tenant, numeric values only (what alert rules need), and the counts add up to the tenant's own.
func TestPresetSeries(t *testing.T) {
	c, cnt, _ := newCloudALM(t)
	q := models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"IntegrationArtifactName", "StatusGroup"},
		Measures: []models.CalmMeasure{{Name: "Count", Method: "SUM"}}}
	planned, w, err := Plan(q, dataQuery(fixedNow.Add(-6*time.Hour), fixedNow, time.Minute), NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if w.Resolution != "5Mi" {
		t.Fatalf("resolution %s, want 5Mi for a 1-minute panel interval", w.Resolution)
	}
	res := Run(context.Background(), c, NewRegistry(), w, []Item{{RefID: "A", Query: planned}}, "SIM")["A"]
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	seen := map[string]bool{}
	groups := map[string]bool{}
	for _, f := range res.Frames {
		if f.Meta.Type != data.FrameTypeTimeSeriesMulti || len(f.Fields) != 2 || !f.Fields[1].Type().Numeric() {
			t.Fatalf("frame is not a time series with one numeric field: %v %d", f.Meta.Type, len(f.Fields))
		}
		l := f.Fields[1].Labels
		if l["tenant"] != "SIM" || l["IntegrationArtifactName"] == "" || l["StatusGroup"] == "" || f.Fields[1].Name != "Count" {
			t.Fatalf("labels %v name %s", l, f.Fields[1].Name)
		}
		if seen[l.String()] {
			t.Fatalf("two series with the labels %v", l)
		}
		seen[l.String()] = true
		groups[l["StatusGroup"]] = true
		for i := 0; i < f.Fields[0].Len(); i++ {
			ts := f.Fields[0].At(i).(time.Time)
			if ts.Before(w.From) || !ts.Before(w.To) || ts.Minute()%5 != 0 {
				t.Fatalf("point at %s outside the range or not on a 5-minute bucket", ts)
			}
		}
	}
	if len(res.Frames) < 6 || !groups["Successful"] || !groups["Failed"] {
		t.Fatalf("%d series, status groups %v", len(res.Frames), groups)
	}
	if cnt.posts.Load() != 1 {
		t.Fatalf("%d data requests, want 1", cnt.posts.Load())
	}
}

// Queries that share a window go in one POST; a POST Cloud ALM refuses is split so that only the bad
// query fails.
func TestRunBatches(t *testing.T) {
	c, cnt, _ := newCloudALM(t)
	dq := dataQuery(fixedNow.Add(-time.Hour), fixedNow, 5*time.Minute)
	plan := func(q models.CalmMetricsQuery) (models.CalmMetricsQuery, Window) {
		p, w, err := Plan(q, dq, NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		return p, w
	}
	a, w := plan(models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"StatusGroup"}, Measures: []models.CalmMeasure{{Name: "Count"}}})
	b, wb := plan(models.CalmMetricsQuery{Provider: "EXM_DATAPROVIDER", Dimensions: []string{"categoryName"}, Measures: []models.CalmMeasure{{Name: "counter"}}})
	if w.Key() != wb.Key() {
		t.Fatal("same range and interval must give the same window")
	}
	got := Run(context.Background(), c, NewRegistry(), w, []Item{{RefID: "A", Query: a}, {RefID: "B", Query: b}}, "SIM")
	if got["A"].Err != nil || got["B"].Err != nil || len(got["A"].Frames) < 3 || cnt.posts.Load() != 1 {
		t.Fatalf("A %v (%d frames), B %v, %d POSTs (want 1)", got["A"].Err, len(got["A"].Frames), got["B"].Err, cnt.posts.Load())
	}
	// Each query sees its own series: B's frames carry B's dimension only.
	if _, ok := got["B"].Frames[0].Fields[1].Labels["categoryName"]; !ok {
		t.Fatalf("B's labels %v", got["B"].Frames[0].Fields[1].Labels)
	}
	if !strings.Contains(got["B"].Frames[0].Meta.ExecutedQueryString, `"name":"A"`) {
		t.Errorf("the inspector should show the shared request: %s", got["B"].Frames[0].Meta.ExecutedQueryString)
	}

	cnt.posts.Store(0)
	bad := a
	bad.Provider = "NO_SUCH_PROVIDER"
	got = Run(context.Background(), c, NewRegistry(), w, []Item{{RefID: "A", Query: a}, {RefID: "X", Query: bad}}, "SIM")
	if got["A"].Err != nil || len(got["A"].Frames) < 3 {
		t.Fatalf("the good query must still answer: %v", got["A"].Err)
	}
	if got["X"].Err == nil || !strings.Contains(got["X"].Err.Error(), "Unknown provider : NO_SUCH_PROVIDER") || !strings.Contains(got["X"].Err.Error(), "Correlation id") {
		t.Fatalf("X: %v", got["X"].Err)
	}
	if cnt.posts.Load() != 3 {
		t.Fatalf("%d POSTs, want 3 (the batch, then each query alone)", cnt.posts.Load())
	}
}

// Old data: the simulated Cloud ALM says so in the sap-message header, which becomes a frame notice.
func TestSapMessageNotice(t *testing.T) {
	c, _, _ := newCloudALM(t)
	q, w, err := Plan(models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"StatusGroup"}, Measures: []models.CalmMeasure{{Name: "Count"}}},
		dataQuery(fixedNow.Add(-31*24*time.Hour), fixedNow.Add(-30*24*time.Hour+time.Hour), time.Hour), NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), c, NewRegistry(), w, []Item{{RefID: "A", Query: q}}, "SIM")["A"]
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	n := res.Frames[0].Meta.Notices
	if len(n) != 1 || n[0].Severity != data.NoticeSeverityWarning || !strings.Contains(n[0].Text, "last 30 days") {
		t.Fatalf("notices %+v", n)
	}
}

// A PRECONDITION_REQUIRED answer teaches the registry the provider's required filter: the next query
// missing it is refused before it is sent.
func TestLearnsRequiredFilter(t *testing.T) {
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"serviceId"`) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `[[]]`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-correlationid", "c0ffee00-0000-4000-8000-000000000001")
		w.WriteHeader(http.StatusPreconditionRequired)
		_, _ = io.WriteString(w, `{"error":{"code":"PRECONDITION_REQUIRED","message":"PRECONDITION_REQUIRED : Missing filter for dimension 'serviceId'","target":"","details":[]}}`)
	}))
	t.Cleanup(srv.Close)
	s := settings.Settings{APIBaseURL: srv.URL, AuthType: settings.AuthBasic, BasicUser: "u", Timeout: 5 * time.Second, MaxConcurrent: 2,
		Secrets: settings.Secrets{BasicPassword: "p"}}
	c, err := cpi.New(s, cpi.WithServiceRoot(srv.URL+"/calm-analytics/v1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	reg := NewRegistry()
	q := models.CalmMetricsQuery{Provider: "DP_RUM_REQUEST_TYPES", Measures: []models.CalmMeasure{{Name: "count"}}}
	dq := dataQuery(fixedNow.Add(-time.Hour), fixedNow, 5*time.Minute)
	planned, w, err := Plan(q, dq, reg)
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), c, reg, w, []Item{{RefID: "A", Query: planned}}, "SIM")["A"]
	if res.Err == nil || !strings.Contains(res.Err.Error(), "Missing filter for dimension 'serviceId'") || !strings.Contains(res.Err.Error(), "c0ffee00-0000-4000-8000-000000000001") {
		t.Fatalf("error %v", res.Err)
	}
	if _, _, err := Plan(q, dq, reg); err == nil || !strings.Contains(err.Error(), "requires a value for the filter serviceId") {
		t.Fatalf("second plan: %v", err)
	}
	q.Filters = []models.CalmFilter{{Key: "serviceId", Values: []string{"abc"}}}
	planned, w, err = Plan(q, dq, reg)
	if err != nil {
		t.Fatal(err)
	}
	if res := Run(context.Background(), c, reg, w, []Item{{RefID: "A", Query: planned}}, "SIM")["A"]; res.Err != nil || len(res.Frames) != 1 {
		t.Fatalf("with the filter: %v %d frames", res.Err, len(res.Frames))
	}
	if posts.Load() != 2 {
		t.Fatalf("%d POSTs, want 2 (the refused one and the complete one)", posts.Load())
	}
}

func TestProvidersAndFilters(t *testing.T) {
	c, _, _ := newCloudALM(t)
	providers, err := Providers(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Provider{}
	for _, p := range providers {
		byName[p.Name] = p
	}
	if byName["CPI_MESSAGES"].Label() != "IM - Cloud Platform Integration" {
		t.Fatalf("providers %+v", providers)
	}
	reg := NewRegistry()
	filters, err := Filters(context.Background(), c, reg, "KPI_HISTORY_TOTALS", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var kpi Filter
	var measures []string
	for _, f := range filters {
		if f.Key == "kpiId" {
			kpi = f
		}
		if f.Type == "measure" {
			for _, v := range f.Values {
				measures = append(measures, v.Key)
			}
		}
	}
	if !kpi.Required || strings.Join(measures, ",") != "value" {
		t.Fatalf("kpiId %+v, measures %v", kpi, measures)
	}
	// A required flag the API sends (any of its spellings) is honoured and remembered.
	var f Filter
	if err := f.UnmarshalJSON([]byte(`{"key":"serviceId","type":"dimension","isMandatory":true,"values":[]}`)); err != nil || !f.Required {
		t.Fatalf("isMandatory not read: %+v %v", f, err)
	}
	reg.fromMetadata("X", []Filter{f})
	if got := reg.Required("X"); len(got) != 1 || got[0] != "serviceId" {
		t.Fatalf("required %v", got)
	}
}
