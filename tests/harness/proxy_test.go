package harness

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/proxy"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/internal/socks5test"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// The plugin process gets Grafana's Secure SOCKS proxy settings the way Grafana passes them (in the
// configuration sent with every call). With the data source's switch on, the health check's requests to
// the tenant, its token endpoint, Cloud ALM and the audit log all go through the proxy; with it off,
// none does.
func TestSecureSocksProxyThroughThePlugin(t *testing.T) {
	h := startPlugin(t)
	for _, enabled := range []bool{true, false} {
		t.Run(map[bool]string{true: "switch on", false: "switch off"}[enabled], func(t *testing.T) {
			socks := socks5test.Start(t)
			c := clientOf(t)
			h.addSecrets(c.Secret)
			sim := simulator.New(simulator.Config{Seed: 41, MessagesPerDay: 500, IFlows: 12, Clients: []simulator.Client{c}})
			type hostLog struct {
				mu             sync.Mutex
				total, carried int
			}
			hosts := map[string]*hostLog{}
			urls := map[string]string{}
			for _, name := range []string{"api", "token", "calm", "audit"} {
				hl := &hostLog{}
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					hl.mu.Lock()
					hl.total++
					if socks.Carried(r.RemoteAddr) {
						hl.carried++
					}
					hl.mu.Unlock()
					sim.ServeHTTP(w, r)
				}))
				t.Cleanup(srv.Close)
				hosts[name], urls[name] = hl, srv.URL
			}
			ds := oauthDataSource("PRD", urls["api"], urls["token"]+"/oauth/token", c.ID, c.Secret, map[string]any{
				"calmApiUrl": urls["calm"] + "/api", "calmTokenUrl": urls["calm"], "calmClientId": c.ID,
				"auditLogUrl": urls["audit"], "auditLogTokenUrl": urls["audit"] + "/oauth/token", "auditLogClientId": c.ID,
				"enableSecureSocksProxy": enabled,
			})
			ds.Secure["calmClientSecret"], ds.Secure["auditLogClientSecret"] = c.Secret, c.Secret
			ds.GrafanaConfig = map[string]string{
				proxy.PluginSecureSocksProxyEnabled:       "true",
				proxy.PluginSecureSocksProxyProxyAddress:  socks.Addr,
				proxy.PluginSecureSocksProxyAllowInsecure: "true",
			}
			res := h.checkHealth(t, ds)
			if res.Status != pluginv2.CheckHealthResponse_OK || !strings.Contains(res.Message, "Cloud ALM: OK") || !strings.Contains(res.Message, "Audit log: OK") {
				t.Fatalf("health %v: %s", res.Status, res.Message)
			}
			for name, hl := range hosts {
				hl.mu.Lock()
				total, carried := hl.total, hl.carried
				hl.mu.Unlock()
				switch {
				case total == 0:
					t.Errorf("%s host: no request", name)
				case enabled && carried != total:
					t.Errorf("%s host: %d of %d requests bypassed the proxy", name, total-carried, total)
				case !enabled && carried != 0:
					t.Errorf("%s host: %d of %d requests went through the proxy although the switch is off", name, carried, total)
				}
			}
			if tunnels := socks.Tunnels(); enabled == (len(tunnels) == 0) {
				t.Errorf("%d tunnels with the switch %v", len(tunnels), enabled)
			}
		})
	}
}
