package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/proxy"
	"github.com/grafana/grafana-plugin-sdk-go/config"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/seed/sapcpi-datasource/internal/socks5test"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// hostSeen is one server of the proxy test: the requests it received and whether each came through the
// proxy (its client address is one of the proxy's outgoing connections).
type hostSeen struct {
	mu       sync.Mutex
	requests []string
	direct   []string
}

// proxiedLandscape serves one simulated tenant under four hosts: the tenant API, its token endpoint, Cloud
// ALM and the audit log, so the test can tell which connection reached which host and how.
func proxiedLandscape(t *testing.T, socks *socks5test.Server) (map[string]string, map[string]*hostSeen) {
	t.Helper()
	sim := simulator.New(simulator.Config{Seed: 5, IFlows: 6, MessagesPerDay: 4000, Now: func() time.Time { return calmNow }})
	urls, seen := map[string]string{}, map[string]*hostSeen{}
	for _, name := range []string{"api", "token", "calm", "audit"} {
		hs := &hostSeen{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hs.mu.Lock()
			hs.requests = append(hs.requests, r.Method+" "+r.URL.Path)
			if !socks.Carried(r.RemoteAddr) {
				hs.direct = append(hs.direct, r.Method+" "+r.URL.Path)
			}
			hs.mu.Unlock()
			sim.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		urls[name], seen[name] = srv.URL, hs
	}
	return urls, seen
}

// grafanaProxyConfig is what Grafana passes a plugin when its Secure SOCKS proxy is on (here in the
// insecure mode, without TLS to the proxy).
func grafanaProxyConfig(addr string) map[string]string {
	return map[string]string{
		proxy.PluginSecureSocksProxyEnabled:       "true",
		proxy.PluginSecureSocksProxyProxyAddress:  addr,
		proxy.PluginSecureSocksProxyAllowInsecure: "true",
	}
}

// With the data source's proxy switch on, every request (token, API, Cloud ALM, audit log) goes through
// Grafana's Secure SOCKS proxy; with it off, none does.
func TestSecureSocksProxy(t *testing.T) {
	for _, enabled := range []bool{true, false} {
		name := map[bool]string{true: "proxy on", false: "proxy off"}[enabled]
		t.Run(name, func(t *testing.T) {
			socks := socks5test.Start(t)
			urls, seen := proxiedLandscape(t, socks)
			jd := map[string]any{"apiUrl": urls["api"], "tokenUrl": urls["token"] + "/oauth/token", "clientId": simulator.DefaultClientID,
				"tenantLabel": "SIM", "calmApiUrl": urls["calm"] + "/api", "calmTokenUrl": urls["calm"], "calmClientId": simulator.DefaultClientID,
				"auditLogUrl": urls["audit"], "auditLogTokenUrl": urls["audit"] + "/oauth/token", "auditLogClientId": simulator.DefaultClientID,
				"enableSecureSocksProxy": enabled}
			raw, _ := json.Marshal(jd)
			ctx := config.WithGrafanaConfig(context.Background(), config.NewGrafanaCfg(grafanaProxyConfig(socks.Addr)))
			inst, err := NewDatasource(ctx, backend.DataSourceInstanceSettings{UID: "cpi-prd", Name: "SAP CPI PRD", Type: ID, JSONData: raw,
				DecryptedSecureJSONData: map[string]string{"clientSecret": simulator.DefaultClientSecret,
					"calmClientSecret": simulator.DefaultClientSecret, "auditLogClientSecret": simulator.DefaultClientSecret}})
			if err != nil {
				t.Fatal(err)
			}
			ds := inst.(*Datasource)
			t.Cleanup(ds.Dispose)

			res, err := ds.CheckHealth(ctx, nil)
			if err != nil || res.Status != backend.HealthStatusOk {
				t.Fatalf("health: %v %v", err, res)
			}
			q, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{
				calmQuery("A", time.Minute, presetModel()),
				{RefID: "B", QueryType: "auditLogs", JSON: []byte(`{"queryType":"auditLogs"}`), TimeRange: backend.TimeRange{From: calmNow.Add(-time.Hour), To: calmNow}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			for ref, r := range q.Responses {
				if r.Error != nil {
					t.Fatalf("%s: %v", ref, r.Error)
				}
			}

			for host, hs := range seen {
				hs.mu.Lock()
				requests, direct := len(hs.requests), hs.direct
				hs.mu.Unlock()
				if requests == 0 {
					t.Errorf("%s host: no request at all", host)
				}
				switch {
				case enabled && len(direct) > 0:
					t.Errorf("%s host: %d of %d requests bypassed the proxy: %v", host, len(direct), requests, direct)
				case !enabled && len(direct) != requests:
					t.Errorf("%s host: %d of %d requests went through the proxy although it is off", host, requests-len(direct), requests)
				}
			}
			tunnels := socks.Tunnels()
			if !enabled {
				if len(tunnels) != 0 {
					t.Errorf("the proxy opened %d tunnels although it is off", len(tunnels))
				}
				return
			}
			for _, tn := range tunnels {
				// The SDK authenticates to the proxy with the data source UID.
				if tn.Username != "cpi-prd" {
					t.Errorf("tunnel to %s authenticated as %q, want the data source UID", tn.Target, tn.Username)
				}
			}
			if got := requestCount(t, "seedsapcpidatasource", "true"); got == 0 {
				t.Error("the SDK's request metric has no sample labelled with the plugin's type and the proxy on")
			}
		})
	}
}

// requestCount sums plugins_datasource_request_total for a data source type and proxy state: the SDK's
// metrics middleware counts only requests of clients built with the data source's labels.
func requestCount(t *testing.T, dsType, proxied string) float64 {
	t.Helper()
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != "plugins_datasource_request_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if label(m, "datasource_type") == dsType && label(m, "secure_socks_ds_proxy_enabled") == proxied {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// Without the data source's labels the SDK's request metrics stay empty: a data source built the way
// Grafana builds it is counted under its type, with the proxy off.
func TestRequestMetricsCarryTheDataSourceLabels(t *testing.T) {
	before := requestCount(t, "seedsapcpidatasource", "false")
	srv := newSimulated(t, nil)
	raw, _ := json.Marshal(map[string]any{"apiUrl": srv.URL, "tokenUrl": srv.URL + "/oauth/token", "clientId": simulator.DefaultClientID})
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "cpi-dev", Name: "SAP CPI DEV", Type: ID,
		JSONData: raw, DecryptedSecureJSONData: map[string]string{"clientSecret": simulator.DefaultClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	t.Cleanup(ds.Dispose)
	if res, err := ds.CheckHealth(context.Background(), nil); err != nil || res.Status != backend.HealthStatusOk {
		t.Fatalf("health: %v %v", err, res)
	}
	// The health check makes a token request and at least two API calls.
	if got := requestCount(t, "seedsapcpidatasource", "false") - before; got < 3 {
		t.Fatalf("%v requests counted under the data source's type, want at least 3", got)
	}
}

// A jsonData key the SDK reads with a type assertion (here url) holding another type is a configuration
// error of the data source, not a crash of the plugin.
func TestHostileSDKKeysAreAConfigurationError(t *testing.T) {
	raw, _ := json.Marshal(map[string]any{"apiUrl": "https://tenant.example", "tokenUrl": "https://auth.example/oauth/token",
		"clientId": "c", "url": 42})
	inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "x", Type: ID, JSONData: raw,
		DecryptedSecureJSONData: map[string]string{"clientSecret": "s3cr3t-value"}})
	if err != nil {
		t.Fatal(err)
	}
	ds := inst.(*Datasource)
	res, err := ds.CheckHealth(context.Background(), nil)
	if err != nil || res.Status != backend.HealthStatusError || !strings.Contains(res.Message, "unexpected type") {
		t.Fatalf("health: %v %+v", err, res)
	}
}

// Grafana builds a new instance on every settings change and disposes the old one. Dispose must close
// the old instance's connections (tenant, token, Cloud ALM, audit log) at once: keep-alive connections
// left to the transport's idle timeout (90 s) cost goroutines on both ends.
func TestDisposeReleasesConnections(t *testing.T) {
	socks := socks5test.Start(t)
	urls, _ := proxiedLandscape(t, socks)
	secure := map[string]string{"clientSecret": simulator.DefaultClientSecret,
		"calmClientSecret": simulator.DefaultClientSecret, "auditLogClientSecret": simulator.DefaultClientSecret}
	cycle := func(i int) {
		raw, _ := json.Marshal(map[string]any{"apiUrl": urls["api"], "tokenUrl": urls["token"] + "/oauth/token",
			"clientId": simulator.DefaultClientID, "tenantLabel": "SIM",
			"calmApiUrl": urls["calm"] + "/api", "calmTokenUrl": urls["calm"], "calmClientId": simulator.DefaultClientID,
			"auditLogUrl": urls["audit"], "auditLogTokenUrl": urls["audit"] + "/oauth/token", "auditLogClientId": simulator.DefaultClientID})
		inst, err := NewDatasource(context.Background(), backend.DataSourceInstanceSettings{UID: "cpi", Type: ID, JSONData: raw,
			DecryptedSecureJSONData: secure, Updated: time.Unix(int64(i), 0)})
		if err != nil {
			t.Fatal(err)
		}
		ds := inst.(*Datasource)
		if res, err := ds.CheckHealth(context.Background(), nil); err != nil || res.Status != backend.HealthStatusOk {
			t.Fatalf("cycle %d: %v %v", i, err, res)
		}
		ds.Dispose()
	}
	cycle(0) // the first cycle starts what lives as long as the process (SDK metrics, timers)
	baseline := runtime.NumGoroutine()
	const cycles = 40
	for i := 1; i <= cycles; i++ {
		cycle(i)
	}
	// Each cycle opened 4 connections (about 3 goroutines each on client and server side). Wait for
	// their goroutines to end; closing is asynchronous, so poll until the count is back near the baseline.
	const slack = 8
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > baseline+slack {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after %d instance cycles, %d before: Dispose left connections open", runtime.NumGoroutine(), cycles, baseline)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}
