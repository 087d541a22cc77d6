package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// runQuery sends one query through QueryData, as Grafana does.
func runQuery(t *testing.T, ds *Datasource, queryType string, model map[string]any, tr backend.TimeRange) backend.DataResponse {
	t.Helper()
	raw, _ := json.Marshal(model)
	res, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{RefID: "A", QueryType: queryType, JSON: raw, TimeRange: tr}}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Responses["A"]
}

var simNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func TestRuntimeQueries(t *testing.T) {
	ds := newInstance(t, nil, nil)
	week := backend.TimeRange{From: simNow.Add(-7 * 24 * time.Hour), To: simNow}
	tests := []struct {
		name, queryType string
		model           map[string]any
		frames          int    // -1 = at least one
		firstField      string // name of the first field of the first frame
	}{
		{"endpoints", "endpoints", map[string]any{"protocol": "SOAP"}, 1, "iFlow"},
		{"certificates table", "certificates", map[string]any{"format": "table"}, 1, "Alias"},
		{"certificates numeric", "certificates", map[string]any{"format": "numeric", "keystoreName": "backup_admin_system"}, 3, "days left"},
		{"jms table", "jms", map[string]any{}, 2, "Broker"},
		{"jms numeric capacity", "jms", map[string]any{"format": "numeric", "jmsMetric": "capacity"}, 1, "capacity used %"},
		{"inventory", "inventory", map[string]any{"drift": "versionDrift"}, 1, "Package"},
		{"artifacts annotations", "artifacts", map[string]any{"format": "annotations"}, 1, "time"},
		// A format of another query type, saved by an older editor: the type's default, as the editor shows.
		{"certificates, format of another type", "certificates", map[string]any{"format": "timeseries"}, 1, "Alias"},
		{"jms switched from another type", "jms", map[string]any{"format": "logs", "iflows": []string{"x"}}, 2, "Broker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runQuery(t, ds, tc.queryType, tc.model, week)
			if r.Error != nil {
				t.Fatalf("error: %v", r.Error)
			}
			if len(r.Frames) != tc.frames || r.Frames[0].Fields[0].Name != tc.firstField {
				t.Fatalf("%d frames, first field %q", len(r.Frames), r.Frames[0].Fields[0].Name)
			}
		})
	}
}

func TestRuntimeQueryErrors(t *testing.T) {
	ds := newInstance(t, nil, nil)
	tests := []struct {
		name, queryType string
		model           map[string]any
		status          backend.Status
		wants           []string
	}{
		{"format no query type has", "certificates", map[string]any{"format": "pie"}, backend.StatusBadRequest, []string{`"pie"`, "table, numeric"}},
		{"option no query type has", "endpoints", map[string]any{"endpointname": "x"}, backend.StatusBadRequest, []string{`"endpointname"`, "endpointName"}},
		{"unknown keystore", "certificates", map[string]any{"keystoreName": "KeyHistory"}, backend.StatusBadRequest, []string{"unknown keystore", "backup_admin_system"}},
		{"unknown JMS metric", "jms", map[string]any{"format": "numeric", "jmsMetric": "all"}, backend.StatusBadRequest, []string{"queueStates"}},
		{"unknown drift", "inventory", map[string]any{"drift": "drifted"}, backend.StatusBadRequest, []string{"versionDrift"}},
		{"unknown package", "inventory", map[string]any{"packageId": "NoSuch"}, backend.StatusNotFound, []string{"NoSuch", "not found"}},
		{"control character", "endpoints", map[string]any{"endpointName": "a\u0000b"}, backend.StatusBadRequest, []string{"control character"}},
		{"not JSON", "jms", map[string]any{"format": 3}, backend.StatusBadRequest, []string{"jms query is not valid JSON"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runQuery(t, ds, tc.queryType, tc.model, backend.TimeRange{From: simNow.Add(-time.Hour), To: simNow})
			if r.Error == nil || r.Status != tc.status {
				t.Fatalf("status %d, error %v", r.Status, r.Error)
			}
			for _, w := range tc.wants {
				if !strings.Contains(r.Error.Error(), w) {
					t.Errorf("error %q lacks %q", r.Error, w)
				}
			}
		})
	}
}

func TestRuntimeVariables(t *testing.T) {
	ds := newInstance(t, nil, nil)
	tests := []struct {
		path      string
		min, max  int
		wantValue string
	}{
		{"variables/designPackages", 9, 9, "ZBankCommunication"},
		{"variables/designPackages?filter=bank", 1, 1, "ZBankCommunication"},
		{"variables/certificateAliases", 8, 8, "bank_sftp_hostkey"},
		{"variables/certificateAliases?filter=backup_admin_system", 3, 3, "salesforce_jwt_signing"},
		{"variables/certificateAliases?filter=KeyRenewal", 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			status, body := callResource(t, ds, tc.path)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			var vals []models.VariableValue
			if err := json.Unmarshal([]byte(body), &vals); err != nil || len(vals) < tc.min || len(vals) > tc.max {
				t.Fatalf("%d values (%v): %s", len(vals), err, body)
			}
			found := tc.wantValue == ""
			for i, v := range vals {
				found = found || v.Value == tc.wantValue
				if i > 0 && strings.ToLower(vals[i-1].Text) > strings.ToLower(v.Text) {
					t.Fatalf("not sorted: %q before %q", vals[i-1].Text, v.Text)
				}
			}
			if !found {
				t.Fatalf("%s missing in %s", tc.wantValue, body)
			}
		})
	}
	status, body := callResource(t, ds, "variables/certificateAliases?filter=nope")
	if status != http.StatusBadGateway || !strings.Contains(body, "unknown keystore") {
		t.Fatalf("bad keystore: %d %s", status, body)
	}
}

// The annotation query follows the query's time range: a narrower range gives fewer deployments.
func TestArtifactAnnotationsFollowTheRange(t *testing.T) {
	ds := newInstance(t, nil, nil)
	count := func(from time.Time) int {
		r := runQuery(t, ds, "artifacts", map[string]any{"format": "annotations"}, backend.TimeRange{From: from, To: simNow})
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		n, _ := r.Frames[0].RowLen()
		if r.Frames[0].Fields[0].Type() != data.FieldTypeTime {
			t.Fatalf("first field %s", r.Frames[0].Fields[0].Type())
		}
		return n
	}
	day, month := count(simNow.Add(-24*time.Hour)), count(simNow.Add(-30*24*time.Hour))
	if day < 1 || month <= day {
		t.Fatalf("%d deployments in a day, %d in a month", day, month)
	}
}

// Whether the tenant serves the design-time collection is learnt per data source instance: another data
// source on the same tenant (other credentials), or this one after an update, asks the collection again.
func TestInventoryModeBelongsToTheInstance(t *testing.T) {
	var refuse atomic.Bool
	var collection atomic.Int32
	srv := newSimulated(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v1/IntegrationDesigntimeArtifacts" {
				collection.Add(1)
				if refuse.Load() {
					http.Error(w, `{"error":{"code":"Bad Request","message":{"lang":"en","value":"not supported"}}}`, http.StatusBadRequest)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	week := backend.TimeRange{From: simNow.Add(-7 * 24 * time.Hour), To: simNow}
	inventoryOK := func(ds *Datasource) {
		t.Helper()
		if r := runQuery(t, ds, "inventory", map[string]any{}, week); r.Error != nil {
			t.Fatalf("inventory: %v", r.Error)
		}
	}

	refuse.Store(true)
	first := newInstanceOf(t, srv, nil, nil)
	inventoryOK(first)
	inventoryOK(first)
	if n := collection.Load(); n != 1 {
		t.Fatalf("the refusing tenant was asked the collection %d times by one instance, want 1", n)
	}

	refuse.Store(false)
	second := newInstanceOf(t, srv, map[string]any{"tenantLabel": "other credentials"}, nil)
	inventoryOK(second)
	if n := collection.Load(); n != 2 {
		t.Fatalf("a second instance on the same tenant asked the collection %d times in all, want 2: it inherited the first one's mode", n)
	}
}
