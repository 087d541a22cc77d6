package harness

// CheckHealth through the real binary: one subtest per failure mode the health check names. Each
// asserts the key words of the actionable message, and that neither the message, the JSON details nor
// the plugin's log contain any secret of the test (client secret, password, private key, tokens).

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// healthCase is what a subtest's setup produces.
type healthCase struct {
	ds      dataSource
	wantOK  bool
	want    []string // key words of the message; "a|b" accepts either
	secrets []string
	tenants []*tenant // every token they issued is a secret as well
	// maxDuration bounds the call: a mode that should fail fast must not wait for a far-away timeout.
	maxDuration time.Duration
}

// clientOf is a simulator OAuth client with a plain client ID; the XSUAA form of IDs (with '!' and '|')
// has its own subtest, so that an encoding problem fails one test instead of hiding every other mode.
func clientOf(t *testing.T, roles ...string) simulator.Client {
	if len(roles) == 0 {
		roles = simulator.AllRoles
	}
	return simulator.Client{ID: "harness-client-" + randomSecret(t, "id")[len("harness-id-"):][:8], Secret: randomSecret(t, "secret"), Roles: roles}
}

// xsuaaClientID has the shape of a real service key's clientid: "sb-<uuid>!b<n>|it!b<n>". The OAuth
// library URL-encodes it in the Basic header, and XSUAA decodes it when X-CF-ENCODED-CREDENTIALS is set.
func xsuaaClientID(t *testing.T) string {
	return "sb-" + randomSecret(t, "id")[len("harness-id-"):][:8] + "-4b1e-9c1d-harness!b184942|it!b117912"
}

// exemptToken keeps the token endpoint healthy while a "*" fault breaks every API route: a
// route-specific fault wins over "*", and an empty Fault changes nothing.
func exemptToken(tn *tenant) { tn.sim.SetFault("token", simulator.Fault{}) }

func TestCheckHealth(t *testing.T) {
	h := startPlugin(t)

	cases := []struct {
		name  string
		setup func(t *testing.T) healthCase
	}{
		{"OK", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 11, Clients: []simulator.Client{c}}})
			n := tn.direct(t, c.ID, c.Secret).artifactCount(t)
			return healthCase{
				ds:      oauthDataSource("PRD EU", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil),
				wantOK:  true,
				want:    []string{"Connected to", tn.hostPort(), "PRD EU", fmtCount(n), "message logs readable"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"OK with service-key URLs (/api/v1 suffix, token host only)", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 12, Clients: []simulator.Client{c}}})
			n := tn.direct(t, c.ID, c.Secret).artifactCount(t)
			return healthCase{
				ds:      oauthDataSource("QAS", tn.url()+"/api/v1/", tn.url(), c.ID, c.Secret, nil),
				wantOK:  true,
				want:    []string{"Connected to", "QAS", fmtCount(n), "message logs readable"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"OK with an XSUAA client ID (! and |)", func(t *testing.T) healthCase {
			c := clientOf(t)
			c.ID = xsuaaClientID(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 10, Clients: []simulator.Client{c}}})
			n := tn.direct(t, c.ID, c.Secret).artifactCount(t)
			return healthCase{
				ds:      oauthDataSource("PRD XSUAA", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil),
				wantOK:  true,
				want:    []string{"Connected to", "PRD XSUAA", fmtCount(n), "message logs readable"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"wrong client secret", func(t *testing.T) healthCase {
			c := clientOf(t)
			wrong := randomSecret(t, "wrong")
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 13, Clients: []simulator.Client{c}}})
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, wrong, nil),
				want:    []string{"client", "secret"},
				secrets: []string{c.Secret, wrong}, tenants: []*tenant{tn},
			}
		}},
		{"missing role MonitoringDataRead", func(t *testing.T) healthCase {
			c := clientOf(t, simulator.RoleWorkspacePackagesRead)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 14, Clients: []simulator.Client{c}}})
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"MonitoringDataRead", "role"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"HTML login page with status 200", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 15, Clients: []simulator.Client{c}}})
			tn.sim.SetFault("*", simulator.Fault{LoginPage: true})
			exemptToken(tn)
			return healthCase{
				ds: oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil),
				// It must say that this is not the API host and which host to use instead.
				want:    []string{"login", "API host", "plan api"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"Integration Suite UI URL (login page)", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 16, Clients: []simulator.Client{c}}})
			// The address bar of the web UI, pasted as API URL: the simulator answers the login page there.
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url()+"/itspaces/shell/monitoring", tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"Integration Suite|web UI|UI host", "plan api"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"token URL answers 404", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 17, Clients: []simulator.Client{c}}})
			nf := notFoundServer(t)
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), nf.URL+"/oauth/token", c.ID, c.Secret, nil),
				want:    []string{"token URL", "404", "tokenurl|/oauth/token"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"token URL answers an HTML page", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 18, Clients: []simulator.Client{c}}})
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), tn.url()+"/uaa/login", c.ID, c.Secret, nil),
				want:    []string{"token URL", "HTML", "tokenurl|/oauth/token"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"API 401 Basic wrong password", func(t *testing.T) healthCase {
			pw, wrong := randomSecret(t, "password"), randomSecret(t, "wrongpw")
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 19,
				BasicUsers: []simulator.Client{{ID: "TECH_MONITOR", Secret: pw, Roles: simulator.AllRoles}}}})
			return healthCase{
				ds: dataSource{Name: "DEV basic", JSONData: map[string]any{
					"apiUrl": tn.url(), "tenantLabel": "DEV", "authType": "basic", "basicUser": "TECH_MONITOR", "timeoutSeconds": 10,
				}, Secure: map[string]string{"basicPassword": wrong}},
				want:    []string{"401", "password", "TECH_MONITOR"},
				secrets: []string{pw, wrong}, tenants: []*tenant{tn},
			}
		}},
		{"API 401 token from another tenant", func(t *testing.T) healthCase {
			c := clientOf(t)
			tokens := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 20, Clients: []simulator.Client{c}}})
			api := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 21, Clients: []simulator.Client{c}}})
			// Token URL and API URL copied from two different service keys: every token is foreign to the
			// API host, also the refreshed one.
			return healthCase{
				ds:      oauthDataSource("DEV", api.url(), tokens.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"401", "token", "service key|subaccount"},
				secrets: []string{c.Secret}, tenants: []*tenant{tokens, api},
			}
		}},
		{"404 on /api/v1", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 22, Clients: []simulator.Client{c}}})
			nf := notFoundServer(t)
			return healthCase{
				ds:      oauthDataSource("DEV", nf.URL, tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"404", "API URL|API host"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"429 after the retries", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 23, Clients: []simulator.Client{c}}})
			// More 429 answers than the client retries (it tries each request a few times).
			tn.sim.SetFault("*", simulator.Fault{Status: 429, Count: 100})
			exemptToken(tn)
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"429", "rate limit"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
				maxDuration: 12 * time.Second,
			}
		}},
		{"timeout", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 24, Clients: []simulator.Client{c}}})
			tn.sim.SetFault("*", simulator.Fault{Latency: 8 * time.Second})
			exemptToken(tn)
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, map[string]any{"timeoutSeconds": 1}),
				want:    []string{"timeout|timed out", "1s|1 s|1 second"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
				// The plugin must give up after its 1 s timeout, not wait for the 8 s answer.
				maxDuration: 6 * time.Second,
			}
		}},
		{"DNS failure", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 25, Clients: []simulator.Client{c}}})
			return healthCase{
				ds:      oauthDataSource("DEV", "https://cpi.invalid", tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"cpi.invalid", "resolve|DNS"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"connection refused", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 26, Clients: []simulator.Client{c}}})
			addr := closedPort(t)
			return healthCase{
				ds:      oauthDataSource("DEV", "http://"+addr, tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"refused", addr},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"TLS unknown CA", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{tls: true, cfg: simulator.Config{Seed: 27, Clients: []simulator.Client{c}}})
			return healthCase{
				ds:      oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"certificate", "unknown authority|custom CA|CA certificate"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"TLS trusted via custom CA", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{tls: true, cfg: simulator.Config{Seed: 28, Clients: []simulator.Client{c}}})
			n := tn.direct(t, c.ID, c.Secret).artifactCount(t)
			ds := oauthDataSource("PRD TLS", tn.url(), tn.tokenURL(), c.ID, c.Secret, map[string]any{"tlsAuthWithCACert": true})
			ds.Secure["tlsCACert"] = tn.caPEM()
			return healthCase{
				ds: ds, wantOK: true,
				want:    []string{"Connected to", "PRD TLS", fmtCount(n), "message logs readable"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"OAuth2 with X.509 certificate", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{tls: true, requestClientCert: true, cfg: simulator.Config{Seed: 29, Clients: []simulator.Client{c}}})
			n := tn.direct(t, c.ID, c.Secret).artifactCount(t)
			certPEM, keyPEM := clientCertPEM(t, c.ID)
			ds := dataSource{Name: "PRD X.509", JSONData: map[string]any{
				"apiUrl": tn.url(), "tenantLabel": "PRD X.509", "authType": "oauth2Certificate", "tokenUrl": tn.tokenURL(),
				"clientId": c.ID, "tlsAuthWithCACert": true, "timeoutSeconds": 10,
			}, Secure: map[string]string{"clientCertificate": certPEM, "clientKey": keyPEM, "tlsCACert": tn.caPEM()}}
			return healthCase{
				ds: ds, wantOK: true,
				want:    []string{"Connected to", "PRD X.509", fmtCount(n), "message logs readable"},
				secrets: []string{c.Secret, keyPEM}, tenants: []*tenant{tn},
			}
		}},
		{"config error: empty API URL", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 30, Clients: []simulator.Client{c}}})
			return healthCase{
				ds:      oauthDataSource("DEV", "", tn.tokenURL(), c.ID, c.Secret, nil),
				want:    []string{"API URL", "missing|empty|required"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
		{"config error: missing client secret", func(t *testing.T) healthCase {
			c := clientOf(t)
			tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 31, Clients: []simulator.Client{c}}})
			ds := oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, "", nil)
			ds.Secure = nil // Grafana sends no secureJsonData at all when nothing was ever saved
			return healthCase{
				ds:      ds,
				want:    []string{"secret", "missing|empty|required"},
				secrets: []string{c.Secret}, tenants: []*tenant{tn},
			}
		}},
	}

	t.Run("modes", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				hc := tc.setup(t)
				h.addSecrets(hc.secrets...)
				start := time.Now()
				res := h.checkHealth(t, hc.ds)
				elapsed := time.Since(start)
				t.Logf("%s in %s: %s", res.Status, elapsed.Round(time.Millisecond), res.Message)

				wantStatus := pluginv2.CheckHealthResponse_ERROR
				if hc.wantOK {
					wantStatus = pluginv2.CheckHealthResponse_OK
				}
				if res.Status != wantStatus {
					t.Errorf("status %s, want %s (message: %s)", res.Status, wantStatus, res.Message)
				}
				if strings.TrimSpace(res.Message) == "" {
					t.Errorf("empty health message")
				}
				assertContainsAll(t, "health message", res.Message, hc.want)
				if len(res.JsonDetails) > 0 && !json.Valid(res.JsonDetails) {
					t.Errorf("JSONDetails are not valid JSON (Grafana parses them): %q", res.JsonDetails)
				}
				maxDur := hc.maxDuration
				if maxDur == 0 {
					maxDur = 8 * time.Second
				}
				if elapsed > maxDur {
					t.Errorf("the health check took %s, want at most %s", elapsed, maxDur)
				}

				secrets := hc.secrets
				for _, tn := range hc.tenants {
					secrets = append(secrets, tn.issuedTokens()...)
				}
				h.addSecrets(secrets...)
				assertNoSecrets(t, "health message", res.Message, secrets)
				assertNoSecrets(t, "health JSONDetails", string(res.JsonDetails), secrets)
				assertNoSecrets(t, "plugin log", h.logs(), secrets)
			})
		}
	})

	// Every failure mode above must have been a result, not a crash: the same process still serves.
	t.Run("process survives every mode", func(t *testing.T) {
		if h.client.Exited() {
			t.Fatalf("the plugin process exited during the health checks")
		}
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 32, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		res := h.checkHealth(t, oauthDataSource("AFTER", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil))
		if res.Status != pluginv2.CheckHealthResponse_OK {
			t.Errorf("status %s after the failure modes: %s", res.Status, res.Message)
		}
		h.addSecrets(tn.issuedTokens()...)
	})

	// A revoked or expired token (tenant restart, key rotation) is replaced once, transparently: the
	// second check of the same saved data source reuses the cached token, gets 401 and must refresh.
	t.Run("expired token is refreshed", func(t *testing.T) {
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 33, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		ds := oauthDataSource("REFRESH", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil).saved()
		if res := h.checkHealth(t, ds); res.Status != pluginv2.CheckHealthResponse_OK {
			t.Fatalf("first check: %s: %s", res.Status, res.Message)
		}
		issued := len(tn.issuedTokens())
		tn.sim.SetFault("IntegrationRuntimeArtifacts", simulator.Fault{ExpireTokens: true, Count: 1})
		res := h.checkHealth(t, ds)
		if res.Status != pluginv2.CheckHealthResponse_OK {
			t.Errorf("after the tokens expired: %s: %s", res.Status, res.Message)
		}
		if got := len(tn.issuedTokens()); got != issued+1 {
			t.Errorf("the plugin fetched %d new token(s) after the expiry, want exactly 1 (one cached token, one refresh)", got-issued)
		}
		h.addSecrets(tn.issuedTokens()...)
		assertNoSecrets(t, "health message", res.Message, tn.issuedTokens())
	})
}
