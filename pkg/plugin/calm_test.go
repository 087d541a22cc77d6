package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var calmNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// calmTenant is a simulated tenant whose Cloud ALM data POSTs are counted.
type calmTenant struct {
	url   string
	posts atomic.Int64
}

func newCalmTenant(t *testing.T) *calmTenant {
	t.Helper()
	sim := simulator.New(simulator.Config{Seed: 5, IFlows: 6, MessagesPerDay: 4000, Now: func() time.Time { return calmNow }})
	ct := &calmTenant{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/analytics/providers/data") {
			ct.posts.Add(1)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ct.url = srv.URL
	return ct
}

// calmInstance is a data source whose tenant and Cloud ALM connection both point to ct; calmSecret is the
// Cloud ALM client secret (the simulator's, or a wrong one).
func calmInstance(t *testing.T, ct *calmTenant, calmSecret string, extra map[string]any) *Datasource {
	t.Helper()
	jd := map[string]any{"apiUrl": ct.url, "tokenUrl": ct.url + "/oauth/token", "clientId": simulator.DefaultClientID, "tenantLabel": "SIM",
		"calmApiUrl": ct.url + "/api", "calmTokenUrl": ct.url, "calmClientId": simulator.DefaultClientID}
	for k, v := range extra {
		jd[k] = v
	}
	raw, _ := json.Marshal(jd)
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{JSONData: raw, DecryptedSecureJSONData: map[string]string{
		"clientSecret": simulator.DefaultClientSecret, "calmClientSecret": calmSecret, "auditLogClientSecret": calmSecret}})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

func calmQuery(refID string, interval time.Duration, model map[string]any) backend.DataQuery {
	model["queryType"] = "calmMetrics"
	raw, _ := json.Marshal(model)
	return backend.DataQuery{RefID: refID, QueryType: "calmMetrics", JSON: raw, Interval: interval, MaxDataPoints: 1000,
		TimeRange: backend.TimeRange{From: calmNow.Add(-3 * time.Hour), To: calmNow}}
}

var presetModel = func() map[string]any {
	return map[string]any{"provider": "CPI_MESSAGES", "dimensions": []string{"IntegrationArtifactName", "StatusGroup"},
		"measures": []map[string]string{{"name": "Count", "method": "SUM"}}, "format": "timeseries"}
}

func TestCalmMetricsBatchedPerWindow(t *testing.T) {
	ct := newCalmTenant(t)
	ds := calmInstance(t, ct, simulator.DefaultClientSecret, nil)
	byStatus := map[string]any{"provider": "CPI_MESSAGES", "dimensions": []string{"StatusGroup"}, "measures": []map[string]string{{"name": "Count"}}}
	exm := map[string]any{"provider": "EXM_DATAPROVIDER", "dimensions": []string{"categoryName"}, "measures": []map[string]string{{"name": "counter"}}, "format": "timeseries"}
	kpi := map[string]any{"provider": "KPI_HISTORY_TOTALS", "measures": []map[string]string{{"name": "value"}}}
	req := &backend.QueryDataRequest{Queries: []backend.DataQuery{
		calmQuery("A", time.Minute, presetModel()),
		calmQuery("B", time.Minute, exm),
		calmQuery("C", time.Hour, byStatus), // another resolution: its own POST
		calmQuery("D", time.Minute, kpi),    // a required filter is missing: never sent
		{RefID: "E", QueryType: "artifacts", JSON: []byte(`{"queryType":"artifacts"}`), TimeRange: backend.TimeRange{From: calmNow.Add(-time.Hour), To: calmNow}},
	}}

	// QueryData hands every query of the request to the handlers, so the Cloud ALM queries that share a
	// window are sent together.
	res, err := ds.QueryData(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"A", "B", "C", "E"} {
		if r := res.Responses[ref]; r.Error != nil || len(r.Frames) == 0 {
			t.Fatalf("%s: %v (%d frames)", ref, r.Error, len(r.Frames))
		}
	}
	if got := ct.posts.Load(); got != 2 {
		t.Fatalf("%d data POSTs, want 2 (A+B share a window, C has its own, D is never sent)", got)
	}
	d := res.Responses["D"]
	if d.Error == nil || !strings.Contains(d.Error.Error(), "requires a value for the filter kpiId") || d.Status != backend.StatusBadRequest {
		t.Fatalf("D: %v (status %d)", d.Error, d.Status)
	}
	for _, f := range res.Responses["A"].Frames {
		if f.Fields[1].Labels["tenant"] != "SIM" || f.Fields[1].Labels["IntegrationArtifactName"] == "" {
			t.Fatalf("A labels %v", f.Fields[1].Labels)
		}
	}
	if !strings.Contains(res.Responses["A"].Frames[0].Meta.ExecutedQueryString, `"name":"B"`) {
		t.Errorf("A's inspector should show the POST shared with B")
	}
}

func TestCalmMetricsErrors(t *testing.T) {
	ct := newCalmTenant(t)

	t.Run("not configured", func(t *testing.T) {
		ds := newInstance(t, nil, nil)
		res := ds.query(context.Background(), calmQuery("A", time.Minute, presetModel()))
		if res.Error == nil || !strings.Contains(res.Error.Error(), "SAP Cloud ALM is not configured") || !strings.Contains(res.Error.Error(), "SAP Cloud ALM (optional)") {
			t.Fatalf("got %v", res.Error)
		}
	})
	t.Run("half configured: the tenant still answers", func(t *testing.T) {
		ds := newInstance(t, map[string]any{"calmApiUrl": "https://acme.eu10.alm.cloud.sap/api"}, nil)
		res := ds.query(context.Background(), calmQuery("A", time.Minute, presetModel()))
		if res.Error == nil || !strings.Contains(res.Error.Error(), "Cloud ALM client ID is missing") {
			t.Fatalf("got %v", res.Error)
		}
		art := ds.query(context.Background(), backend.DataQuery{RefID: "B", QueryType: "artifacts", JSON: []byte(`{}`)})
		if art.Error != nil {
			t.Fatalf("the tenant's queries must not suffer from the Cloud ALM section: %v", art.Error)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		const wrong = "wrong-calm-Secret-4711"
		ds := calmInstance(t, ct, wrong, nil)
		res := ds.query(context.Background(), calmQuery("A", time.Minute, presetModel()))
		if res.Error == nil || !strings.Contains(res.Error.Error(), "rejected client ID/secret") || strings.Contains(res.Error.Error(), wrong) {
			t.Fatalf("got %v", res.Error)
		}
	})
	t.Run("Cloud ALM refuses: its message and correlation id", func(t *testing.T) {
		ds := calmInstance(t, ct, simulator.DefaultClientSecret, nil)
		m := presetModel()
		m["dimensions"] = []string{"NoSuchDimension"}
		res := ds.query(context.Background(), calmQuery("A", time.Minute, m))
		if res.Error == nil || res.Status != backend.StatusBadRequest || !strings.Contains(res.Error.Error(), "Unknown dimension : NoSuchDimension") ||
			!strings.Contains(res.Error.Error(), "Correlation id") {
			t.Fatalf("got %v (status %d)", res.Error, res.Status)
		}
	})
	t.Run("bad query model", func(t *testing.T) {
		ds := calmInstance(t, ct, simulator.DefaultClientSecret, nil)
		res := ds.query(context.Background(), calmQuery("A", time.Minute, map[string]any{"provider": "CPI_MESSAGES"}))
		if res.Error == nil || !strings.Contains(res.Error.Error(), "at least one measure") {
			t.Fatalf("got %v", res.Error)
		}
	})
}

func callResourceWith(t *testing.T, ds *Datasource, method, path string, body []byte) (int, string) {
	t.Helper()
	var c captured
	resourcePath, _, _ := strings.Cut(path, "?")
	req := &backend.CallResourceRequest{Method: method, Path: resourcePath, URL: "/api/datasources/uid/x/resources/" + path, Body: body}
	if err := ds.CallResource(context.Background(), req, &c); err != nil {
		t.Fatal(err)
	}
	return c.resp.Status, string(c.resp.Body)
}

func TestCalmResources(t *testing.T) {
	ct := newCalmTenant(t)
	ds := calmInstance(t, ct, simulator.DefaultClientSecret, nil)

	status, body := callResource(t, ds, "variables/calmProviders")
	if status != http.StatusOK || !strings.Contains(body, `{"text":"IM - Cloud Platform Integration","value":"CPI_MESSAGES"}`) {
		t.Fatalf("providers: %d %s", status, body)
	}
	status, body = callResource(t, ds, "variables/calmDimensionValues?filter=CPI_MESSAGES:StatusGroup")
	var values []models.VariableValue
	if status != http.StatusOK || json.Unmarshal([]byte(body), &values) != nil || len(values) != 4 {
		t.Fatalf("StatusGroup values: %d %s", status, body)
	}
	status, body = callResource(t, ds, "variables/calmDimensionValues?filter=CPI_MESSAGES:IntegrationArtifactName")
	if status != http.StatusOK || json.Unmarshal([]byte(body), &values) != nil || len(values) < 6 || !strings.Contains(body, `"value":"PurchaseOrder_S4_to_Ariba"`) {
		t.Fatalf("iFlow values: %d %s", status, body)
	}
	if status, body = callResource(t, ds, "variables/calmDimensionValues?filter=CPI_MESSAGES"); status != http.StatusBadGateway || !strings.Contains(body, `\u003cprovider\u003e:\u003cdimension\u003e`) {
		t.Fatalf("bad filter: %d %s", status, body)
	}

	status, body = callResourceWith(t, ds, http.MethodPost, "calm/filters", []byte(`{"provider":"KPI_HISTORY_TOTALS"}`))
	var fr calmFiltersResponse
	if status != http.StatusOK || json.Unmarshal([]byte(body), &fr) != nil {
		t.Fatalf("filters: %d %s", status, body)
	}
	if len(fr.Required) != 1 || fr.Required[0] != "kpiId" {
		t.Fatalf("required %v", fr.Required)
	}
	flagged := false
	for _, f := range fr.Filters {
		flagged = flagged || (f.Key == "kpiId" && f.Required)
	}
	if !flagged {
		t.Fatalf("kpiId not flagged: %s", body)
	}
	status, body = callResourceWith(t, ds, http.MethodPost, "calm/filters", []byte(`{"provider":"CPI_MESSAGES","filters":[{"key":"ServiceName","values":["x"]}]}`))
	if status != http.StatusOK || !strings.Contains(body, `"triggerRefresh":true`) || !strings.Contains(body, `"required":[]`) {
		t.Fatalf("CPI_MESSAGES filters: %d %.300s", status, body)
	}
	if status, body = callResourceWith(t, ds, http.MethodPost, "calm/filters", []byte(`{"provider":""}`)); status != http.StatusBadRequest {
		t.Fatalf("empty provider: %d %s", status, body)
	}

	// Without a Cloud ALM connection the look-ups say how to configure one.
	plain := newInstance(t, nil, nil)
	if status, body = callResourceWith(t, plain, http.MethodPost, "calm/filters", []byte(`{"provider":"CPI_MESSAGES"}`)); status != http.StatusBadRequest || !strings.Contains(body, "not configured") {
		t.Fatalf("unconfigured: %d %s", status, body)
	}
}

func TestCheckHealthWithSecondaryConnections(t *testing.T) {
	ct := newCalmTenant(t)
	audit := map[string]any{"auditLogUrl": ct.url, "auditLogTokenUrl": ct.url + "/oauth/token", "auditLogClientId": simulator.DefaultClientID}

	res, err := calmInstance(t, ct, simulator.DefaultClientSecret, audit).CheckHealth(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.HealthStatusOk || !strings.HasPrefix(res.Message, "Cloud Integration: Connected to") ||
		!strings.Contains(res.Message, " · Cloud ALM: OK, 3 analytics providers (CPI_MESSAGES included).") ||
		!strings.HasSuffix(res.Message, " · Audit log: OK, audit log records readable.") {
		t.Fatalf("%v: %s", res.Status, res.Message)
	}
	var details struct {
		Steps []struct {
			Name string
			OK   bool
		}
	}
	if json.Unmarshal(res.JSONDetails, &details) != nil || len(details.Steps) != 4 {
		t.Fatalf("details %s", res.JSONDetails)
	}

	const wrong = "wrong-calm-Secret-0815"
	res, err = calmInstance(t, ct, wrong, audit).CheckHealth(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "message logs readable. · Cloud ALM: 401, check the client ID and client secret") ||
		!strings.Contains(res.Message, "Audit log: 401") {
		t.Fatalf("%v: %s", res.Status, res.Message)
	}
	if strings.Contains(res.Message, wrong) || strings.Contains(string(res.JSONDetails), wrong) {
		t.Fatal("the health check leaks the Cloud ALM secret")
	}

	// A half-filled section is named with what is missing; the tenant is still checked.
	res, _ = newInstance(t, map[string]any{"calmApiUrl": "https://acme.eu10.alm.cloud.sap/api", "calmClientId": "c"}, nil).CheckHealth(context.Background(), nil)
	if res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "Cloud Integration: Connected") ||
		!strings.Contains(res.Message, "Cloud ALM: not configured correctly: Cloud ALM token URL is missing") {
		t.Fatalf("%v: %s", res.Status, res.Message)
	}

	// Without secondary connections the message is the tenant's alone.
	res, _ = newInstance(t, nil, nil).CheckHealth(context.Background(), nil)
	if res.Status != backend.HealthStatusOk || !strings.HasPrefix(res.Message, "Connected to") || strings.Contains(res.Message, "Cloud ALM") {
		t.Fatalf("%v: %s", res.Status, res.Message)
	}
}
