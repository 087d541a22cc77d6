package main

// The dashboard benchmark: the bundled dashboards and alert rules sent to the plugin the way Grafana sends
// them (one QueryData per panel and per annotation, all at once; the panel's width on a 1600 px wide
// dashboard as max data points and Grafana's rounded interval), against a simulated tenant whose clock
// the benchmark moves (cold load, reload 5 s later, refresh 60 s later; 3 dashboards and 10 alert rules
// every minute for 10 minutes) instead of waiting.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"go.yaml.in/yaml/v3"

	"github.com/seed/sapcpi-datasource/pkg/plugin"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// dashboardWidth is the width in pixels of the dashboard Grafana lays out.
const dashboardWidth = 1600

// panelRequest is one QueryData request Grafana sends for a panel or an annotation.
type panelRequest struct {
	title   string
	queries []map[string]any
	width   int // pixels (max data points)
	from    time.Duration
	to      time.Duration // before now
}

// clock is the simulated tenant's and the plugin's time.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// tenantServer is a simulated tenant behind httptest with SAP's per-user limits, the injected latency,
// a counter of API calls and the time the simulator spent answering them.
type tenantServer struct {
	sim   *simulator.Tenant
	srv   *httptest.Server
	calls atomic.Int64
	simNs atomic.Int64 // time the simulator spent answering, injected latency excluded
	lat   time.Duration
}

// newTenantServer starts a tenant on clk: two tenants of one config and one clock hold the same messages.
func newTenantServer(cfg config, clk *clock) *tenantServer {
	t := &tenantServer{lat: cfg.latency}
	t.sim = simulator.New(simulator.Config{Seed: cfg.seed, MessagesPerDay: cfg.perDay, IFlows: cfg.iflows, Now: clk.now, PerUserRateLimit: true,
		BasicUsers: []simulator.Client{{ID: "bench-direct", Secret: "bench-direct", Roles: simulator.AllRoles}}})
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/") {
			t.calls.Add(1)
			if os.Getenv("CPI_BENCH_TRACE") != "" {
				fmt.Fprintln(os.Stderr, "TRACE", clk.now().Format("15:04:05"), r.URL.RequestURI())
			}
			start := time.Now()
			defer func() { t.simNs.Add(int64(time.Since(start))) }()
			if t.lat > 0 {
				time.Sleep(t.lat)
				t.simNs.Add(-int64(t.lat))
			}
		}
		t.sim.ServeHTTP(w, r)
	}))
	return t
}

// dashEnv is a simulated tenant with a movable clock and a plugin instance.
type dashEnv struct {
	clk *clock
	*tenantServer
	ds *plugin.Datasource
}

func newDashEnv(ctx context.Context, cfg config, clk *clock) (*dashEnv, error) {
	e := &dashEnv{clk: clk, tenantServer: newTenantServer(cfg, clk)}
	jd, _ := json.Marshal(map[string]any{"apiUrl": e.srv.URL, "environment": "cloudFoundry", "tenantLabel": "SIM",
		"authType": "oauth2ClientCredentials", "tokenUrl": e.srv.URL + "/oauth/token", "clientId": simulator.DefaultClientID,
		"timeoutSeconds": 60})
	ds, err := plugin.NewDatasourceAt(ctx, backend.DataSourceInstanceSettings{UID: "sim", JSONData: jd,
		DecryptedSecureJSONData: map[string]string{"clientSecret": simulator.DefaultClientSecret}}, e.clk.now)
	if err != nil {
		e.srv.Close()
		return nil, err
	}
	e.ds = ds
	return e, nil
}

// busiestIFlow is the iFlow the iFlow dashboard shows ($iflow): the one of the newest message.
func (e *dashEnv) busiestIFlow(ctx context.Context) (string, error) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/MessageProcessingLogs?$top=1&$orderby=LogEnd%20desc&$select=IntegrationArtifact", nil)
	req.SetBasicAuth("bench-direct", "bench-direct")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	e.sim.ServeHTTP(rec, req)
	var doc struct {
		D struct {
			Results []struct {
				IntegrationArtifact struct {
					ID string `json:"Id"`
				}
			} `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		return "", fmt.Errorf("reading the newest message: %w", err)
	}
	if len(doc.D.Results) == 0 {
		return "", fmt.Errorf("no message to pick an iFlow from")
	}
	return doc.D.Results[0].IntegrationArtifact.ID, nil
}

func (e *dashEnv) close() {
	e.ds.Dispose()
	e.srv.Close()
}

// load sends every request at once, as Grafana does, and returns the calls, the wall time and the
// responses that failed.
func (e *dashEnv) load(ctx context.Context, reqs []panelRequest) (int64, time.Duration, []string) {
	before := e.calls.Load()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	now := e.clk.now()
	for _, p := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := backend.TimeRange{From: now.Add(-p.from), To: now.Add(-p.to)}
			iv := grafanaInterval(rng.To.Sub(rng.From), p.width)
			var qs []backend.DataQuery
			for i, q := range p.queries {
				model := map[string]any{}
				for k, v := range q {
					model[k] = v
				}
				raw, _ := json.Marshal(model)
				qt, _ := q["queryType"].(string)
				qs = append(qs, backend.DataQuery{RefID: fmt.Sprint("R", i), QueryType: qt, JSON: raw, TimeRange: rng,
					Interval: iv, MaxDataPoints: int64(p.width)})
			}
			resp, err := e.ds.QueryData(ctx, &backend.QueryDataRequest{Queries: qs})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, p.title+": "+err.Error())
				return
			}
			for _, r := range resp.Responses {
				if r.Error != nil {
					failed = append(failed, p.title+": "+r.Error.Error())
				}
			}
		}()
	}
	wg.Wait()
	return e.calls.Load() - before, time.Since(start), failed
}

// grafanaInterval is Grafana's interval for a range drawn on width pixels: range / width, rounded to
// the nearest of Grafana's steps.
func grafanaInterval(span time.Duration, width int) time.Duration {
	raw := span / time.Duration(max(width, 1))
	steps := []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute, 30 * time.Minute,
		time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}
	best := steps[0]
	for _, s := range steps {
		if s <= raw*3/2 {
			best = s
		}
	}
	return best
}

// dashboardRequests reads a bundled dashboard: one request per panel with this data source's targets,
// one per annotation of this data source.
func dashboardRequests(root, name string, rangeFrom time.Duration) ([]panelRequest, error) {
	raw, err := os.ReadFile(filepath.Join(root, "src", "dashboards", name)) //nolint:gosec // a bundled dashboard named in this file
	if err != nil {
		return nil, err
	}
	var d struct {
		Panels []struct {
			Title   string           `json:"title"`
			GridPos struct{ W int }  `json:"gridPos"`
			Targets []map[string]any `json:"targets"`
			Panels  []json.RawMessage
		} `json:"panels"`
		Annotations struct {
			List []struct {
				Name       string         `json:"name"`
				Datasource map[string]any `json:"datasource"`
				Target     map[string]any `json:"target"`
			} `json:"list"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []panelRequest
	for _, p := range d.Panels {
		var qs []map[string]any
		for _, t := range p.Targets {
			if qt, _ := t["queryType"].(string); qt != "" {
				qs = append(qs, clean(t))
			}
		}
		if len(qs) > 0 {
			out = append(out, panelRequest{title: p.Title, queries: qs, width: max(p.GridPos.W, 1) * dashboardWidth / 24, from: rangeFrom})
		}
	}
	for _, a := range d.Annotations.List {
		if a.Target == nil || a.Datasource["type"] != "seed-sapcpi-datasource" {
			continue
		}
		out = append(out, panelRequest{title: "annotation " + a.Name, queries: []map[string]any{clean(a.Target)}, width: dashboardWidth, from: rangeFrom})
	}
	return out, nil
}

func clean(t map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range t {
		if k != "datasource" && k != "refId" {
			out[k] = v
		}
	}
	return out
}

// alertRequests reads the provisioned alert rules: one request per rule with its data source queries.
func alertRequests(root string) ([]panelRequest, error) {
	raw, err := os.ReadFile(filepath.Join(root, "provisioning", "alerting", "sapcpi-rules.yaml")) //nolint:gosec // the bundled rules
	if err != nil {
		return nil, err
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				UID  string `yaml:"uid"`
				Data []struct {
					DatasourceUID     string                   `yaml:"datasourceUid"`
					RelativeTimeRange struct{ From, To int64 } `yaml:"relativeTimeRange"`
					Model             map[string]any           `yaml:"model"`
				} `yaml:"data"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	var out []panelRequest
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			for _, q := range r.Data {
				if q.DatasourceUID == "__expr__" || q.Model["queryType"] == nil {
					continue
				}
				// Grafana sends each query of a rule with its own time range.
				out = append(out, panelRequest{title: "rule " + r.UID, queries: []map[string]any{clean(q.Model)}, width: 43200,
					from: time.Duration(q.RelativeTimeRange.From) * time.Second, to: time.Duration(q.RelativeTimeRange.To) * time.Second})
			}
		}
	}
	return out, nil
}

// repoRootDir finds the repository root (the directory with go.mod) from the working directory.
func repoRootDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
