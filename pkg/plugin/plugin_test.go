package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// newInstance builds a data source instance against a fresh simulated tenant, as the factory does.
func newInstance(t *testing.T, jsonData map[string]any, secure map[string]string) *Datasource {
	t.Helper()
	return newInstanceOf(t, newSimulated(t, nil), jsonData, secure)
}

// newSimulated serves a fresh simulated tenant; wrap (optional) sees every request first.
func newSimulated(t *testing.T, wrap func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	var h http.Handler = simulator.New(simulator.Config{Seed: 3, Now: func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }})
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newInstanceOf builds a data source instance against srv, as the factory does.
func newInstanceOf(t *testing.T, srv *httptest.Server, jsonData map[string]any, secure map[string]string) *Datasource {
	t.Helper()
	base := map[string]any{"apiUrl": srv.URL, "tokenUrl": srv.URL + "/oauth/token", "clientId": simulator.DefaultClientID, "tenantLabel": "SIM"}
	for k, v := range jsonData {
		base[k] = v
	}
	raw, _ := json.Marshal(base)
	if secure == nil {
		secure = map[string]string{"clientSecret": simulator.DefaultClientSecret}
	}
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{JSONData: raw, DecryptedSecureJSONData: secure})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

type captured struct{ resp *backend.CallResourceResponse }

func (c *captured) Send(r *backend.CallResourceResponse) error { c.resp = r; return nil }

func callResource(t *testing.T, ds *Datasource, path string) (int, string) {
	t.Helper()
	var c captured
	// Grafana sends the resource path without the query, and the full URL with it.
	resourcePath, _, _ := strings.Cut(path, "?")
	req := &backend.CallResourceRequest{Method: http.MethodGet, Path: resourcePath, URL: "/api/datasources/uid/x/resources/" + path}
	if err := ds.CallResource(context.Background(), req, &c); err != nil {
		t.Fatal(err)
	}
	return c.resp.Status, string(c.resp.Body)
}

func TestVariablesResource(t *testing.T) {
	ds := newInstance(t, nil, nil)

	status, body := callResource(t, ds, "variables/artifacts")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var all []models.VariableValue
	if err := json.Unmarshal([]byte(body), &all); err != nil || len(all) < 10 {
		t.Fatalf("values %v (%v)", all, err)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Text > all[i].Text {
			t.Fatalf("not sorted by name: %q before %q", all[i-1].Text, all[i].Text)
		}
	}

	needle := all[0].Value[:5]
	_, body = callResource(t, ds, "variables/artifacts?filter="+needle)
	var some []models.VariableValue
	_ = json.Unmarshal([]byte(body), &some)
	if len(some) == 0 || len(some) == len(all) {
		t.Fatalf("filter %q kept %d of %d", needle, len(some), len(all))
	}

	status, body = callResource(t, ds, "variables/nonsense")
	if status != http.StatusNotFound || !strings.Contains(body, "artifacts") {
		t.Fatalf("unknown kind: %d %s", status, body)
	}
}

func TestResourcesWithBadConfiguration(t *testing.T) {
	ds := newInstance(t, map[string]any{"apiUrl": ""}, map[string]string{"clientSecret": "s3cret-value"})
	status, body := callResource(t, ds, "variables/artifacts")
	if status != http.StatusBadRequest || !strings.Contains(body, "not configured correctly") || strings.Contains(body, "s3cret-value") {
		t.Fatalf("got %d %s", status, body)
	}
}

func TestVariablesWithWrongSecret(t *testing.T) {
	ds := newInstance(t, nil, map[string]string{"clientSecret": "wrong-secret-42"})
	status, body := callResource(t, ds, "variables/artifacts")
	if status != http.StatusBadGateway || !strings.Contains(body, "rejected") || strings.Contains(body, "wrong-secret-42") {
		t.Fatalf("got %d %s", status, body)
	}
}
