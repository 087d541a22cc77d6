package harness

// Canaries for credentials through the real binary: the tenant (or a bare server) repeats every request's
// Authorization header and form body in its error answers, and no text the plugin hands back (query
// errors and notices, the health message and details, resource answers, its log) may hold any form of
// any credential of the test: raw, URL-encoded, in a Basic header, as a token, as a PEM line.

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// credentialForms is every form in which id/secret travel: the secret raw and form-encoded, and the
// Basic header values base64(id:secret) and base64(urlencode(id):urlencode(secret)) (RFC 6749 §2.3.1).
func credentialForms(id, secret string) []string {
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	forms := []string{secret, url.QueryEscape(secret), enc(id + ":" + secret), enc(url.QueryEscape(id) + ":" + url.QueryEscape(secret))}
	for _, f := range forms[2:] {
		forms = append(forms, strings.ReplaceAll(f, "/", `\/`))
	}
	return forms
}

// canarySecret has the characters that differ between the encodings ('+', '/', '=', '$').
func canarySecret(t *testing.T, kind string) string {
	return randomSecret(t, kind) + "+/=$x"
}

// canaryClient is an XSUAA-shaped client ('!' and '|' in the id) with a canary secret.
func canaryClient(t *testing.T, roles ...string) simulator.Client {
	c := clientOf(t, roles...)
	c.ID = xsuaaClientID(t)
	c.Secret = canarySecret(t, "secret")
	return c
}

// echoTenant is a small simulated tenant whose error answers repeat the request (hostile echo-request).
func echoTenant(t *testing.T, o tenantOptions) *tenant {
	o.cfg.MessagesPerDay = 200
	o.cfg.Hostile = []string{simulator.HostileEchoRequest}
	return newTenant(t, o)
}

// callResource calls a resource path of the plugin (with an encoded query, or "") as Grafana's resource
// API does and returns the status and the whole body.
func (h *pluginHost) callResource(t *testing.T, ds dataSource, path, rawQuery string) (int32, []byte) {
	t.Helper()
	rpc, err := h.client.Client()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := rpc.Dispense("resource")
	if err != nil {
		t.Fatal(err)
	}
	rc, ok := raw.(grpcplugin.ResourceClient)
	if !ok {
		t.Fatalf("resource client has type %T", raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	pc := h.pluginContext(t, ds)
	full := path
	if rawQuery != "" {
		full += "?" + rawQuery
	}
	stream, err := rc.CallResource(ctx, &pluginv2.CallResourceRequest{PluginContext: pc, Path: path, Method: http.MethodGet,
		Url: "/api/datasources/uid/" + pc.DataSourceInstanceSettings.Uid + "/resources/" + full})
	if err != nil {
		t.Fatalf("CallResource %s: %v", path, err)
	}
	var status int32
	var body []byte
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("CallResource %s: %v", path, err)
		}
		if msg.Code != 0 {
			status = msg.Code
		}
		body = append(body, msg.Body...)
	}
	return status, body
}

// everythingOut runs a health check, queries of several families and a resource call for ds, and
// returns every text the plugin handed back, each named.
func everythingOut(t *testing.T, h *pluginHost, ds dataSource) map[string]string {
	t.Helper()
	out := map[string]string{}
	res := h.checkHealth(t, ds)
	out["health message"] = res.Message
	out["health details"] = string(res.JsonDetails)
	qr := h.queryData(t, ds, nil,
		query{RefID: "A", QueryType: "artifacts", JSON: map[string]any{"format": "table"}},
		query{RefID: "B", QueryType: "messageCounts", JSON: map[string]any{}},
		query{RefID: "C", QueryType: "auditLogs", JSON: map[string]any{}},
		query{RefID: "D", QueryType: "jms", JSON: map[string]any{}})
	for ref, r := range qr.Responses {
		out["query "+ref+" error"] = r.Error
		for _, f := range decodeFrames(t, ref, r) {
			if f.Meta != nil {
				b, _ := json.Marshal(f.Meta.Notices)
				out["query "+ref+" notices"] += string(b)
			}
		}
	}
	status, body := h.callResource(t, ds, "variables/artifacts", "")
	out[fmt.Sprintf("resource answer (HTTP %d)", status)] = string(body)
	return out
}

func TestEchoedCredentialsNeverLeave(t *testing.T) {
	h := startPlugin(t)
	cases := []struct {
		name  string
		setup func(t *testing.T) (dataSource, []string, []*tenant)
		// want is a word every health message must contain: the canary must have reached the failure.
		want string
	}{
		{"OAuth client secret rejected by the token endpoint", func(t *testing.T) (dataSource, []string, []*tenant) {
			c := canaryClient(t)
			wrong := canarySecret(t, "wrong")
			tn := echoTenant(t, tenantOptions{cfg: simulator.Config{Seed: 61, Clients: []simulator.Client{c}}})
			return oauthDataSource("ECHO", tn.url(), tn.tokenURL(), c.ID, wrong, nil),
				append(credentialForms(c.ID, c.Secret), credentialForms(c.ID, wrong)...), []*tenant{tn}
		}, "client"},
		{"OAuth client secret, API and audit log echo the token", func(t *testing.T) (dataSource, []string, []*tenant) {
			c := canaryClient(t, simulator.RoleWorkspacePackagesRead) // no MonitoringDataRead: every monitoring call is a 403
			al := canaryClient(t)
			wrongAL := canarySecret(t, "wrong-auditlog")
			tn := echoTenant(t, tenantOptions{cfg: simulator.Config{Seed: 62, Clients: []simulator.Client{c, al}}})
			ds := withAuditLog(oauthDataSource("ECHO", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil), tn, al)
			ds.Secure["auditLogClientSecret"] = wrongAL
			secrets := append(credentialForms(c.ID, c.Secret), credentialForms(al.ID, al.Secret)...)
			return ds, append(secrets, credentialForms(al.ID, wrongAL)...), []*tenant{tn}
		}, "MonitoringDataRead"},
		{"OAuth with X.509 certificate", func(t *testing.T) (dataSource, []string, []*tenant) {
			c := clientOf(t, simulator.RoleWorkspacePackagesRead)
			tn := echoTenant(t, tenantOptions{tls: true, requestClientCert: true, cfg: simulator.Config{Seed: 63, Clients: []simulator.Client{c}}})
			certPEM, keyPEM := clientCertPEM(t, c.ID)
			return dataSource{Name: "ECHO X.509", JSONData: map[string]any{
				"apiUrl": tn.url(), "tenantLabel": "ECHO", "authType": "oauth2Certificate", "tokenUrl": tn.tokenURL(),
				"clientId": c.ID, "tlsAuthWithCACert": true, "timeoutSeconds": 10,
			}, Secure: map[string]string{"clientCertificate": certPEM, "clientKey": keyPEM, "tlsCACert": tn.caPEM()}}, []string{keyPEM, c.Secret}, []*tenant{tn}
		}, "MonitoringDataRead"},
		{"Basic, wrong password", func(t *testing.T) (dataSource, []string, []*tenant) {
			pw, wrong := canarySecret(t, "password"), canarySecret(t, "wrongpw")
			tn := echoTenant(t, tenantOptions{cfg: simulator.Config{Seed: 64, BasicUsers: []simulator.Client{{ID: "TECH_MONITOR", Secret: pw, Roles: simulator.AllRoles}}}})
			return dataSource{Name: "ECHO basic", JSONData: map[string]any{
				"apiUrl": tn.url(), "tenantLabel": "ECHO", "authType": "basic", "basicUser": "TECH_MONITOR", "timeoutSeconds": 10,
			}, Secure: map[string]string{"basicPassword": wrong}}, append(credentialForms("TECH_MONITOR", pw), credentialForms("TECH_MONITOR", wrong)...), []*tenant{tn}
		}, "401"},
		{"Basic, right password, missing role", func(t *testing.T) (dataSource, []string, []*tenant) {
			pw := canarySecret(t, "password")
			tn := echoTenant(t, tenantOptions{cfg: simulator.Config{Seed: 65, BasicUsers: []simulator.Client{{ID: "TECH_MONITOR", Secret: pw, Roles: []string{simulator.RoleWorkspacePackagesRead}}}}})
			return dataSource{Name: "ECHO basic", JSONData: map[string]any{
				"apiUrl": tn.url(), "tenantLabel": "ECHO", "authType": "basic", "basicUser": "TECH_MONITOR", "timeoutSeconds": 10,
			}, Secure: map[string]string{"basicPassword": pw}}, credentialForms("TECH_MONITOR", pw), []*tenant{tn}
		}, "403"},
		{"client certificate (mTLS) against a server echoing headers and the TLS peer", func(t *testing.T) (dataSource, []string, []*tenant) {
			certPEM, keyPEM := clientCertPEM(t, "mtls-canary")
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var peer string
				if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
					peer = base64.StdEncoding.EncodeToString(r.TLS.PeerCertificates[0].Raw)
				}
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusForbidden)
				_, _ = fmt.Fprintf(w, "denied %v peer %s", r.Header, peer)
			}))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
			srv.StartTLS()
			t.Cleanup(srv.Close)
			ca := string(pemCert(srv.Certificate().Raw))
			return dataSource{Name: "ECHO mTLS", JSONData: map[string]any{
				"apiUrl": srv.URL, "tenantLabel": "ECHO", "authType": "clientCertificate", "tlsAuthWithCACert": true, "timeoutSeconds": 10,
			}, Secure: map[string]string{"clientCertificate": certPEM, "clientKey": keyPEM, "tlsCACert": ca}}, []string{keyPEM}, nil
		}, "403"},
		{"service key provisioning, rejected secret", func(t *testing.T) (dataSource, []string, []*tenant) {
			c := canaryClient(t)
			wrong := canarySecret(t, "sk-wrong")
			tn := echoTenant(t, tenantOptions{cfg: simulator.Config{Seed: 66, Clients: []simulator.Client{c}}})
			key, err := json.Marshal(map[string]string{"clientid": c.ID, "clientsecret": wrong, "url": tn.url(), "tokenurl": tn.tokenURL()})
			if err != nil {
				t.Fatal(err)
			}
			return dataSource{Name: "ECHO key", JSONData: map[string]any{"tenantLabel": "ECHO", "timeoutSeconds": 10},
				Secure: map[string]string{"serviceKey": string(key)}}, append(credentialForms(c.ID, c.Secret), credentialForms(c.ID, wrong)...), []*tenant{tn}
		}, "client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, secrets, tenants := tc.setup(t)
			h.addSecrets(secrets...)
			out := everythingOut(t, h, ds)
			assertContainsAll(t, "health message", out["health message"], []string{tc.want})
			for _, tn := range tenants {
				secrets = append(secrets, tn.issuedTokens()...)
			}
			h.addSecrets(secrets...)
			for where, text := range out {
				assertNoSecrets(t, where, text, secrets)
			}
			assertNoSecrets(t, "plugin log", h.logs(), secrets)
		})
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// A package id is a path value: one that could leave its key literal or path segment is refused with a
// 400 before any request, and nothing reaches another entity set.
func TestPathValuesStayInTheirSegment(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 71, Clients: []simulator.Client{c}, BasicUsers: []simulator.Client{{ID: "TECH", Secret: c.Secret, Roles: simulator.AllRoles}}}})
	h.addSecrets(c.Secret)
	ds := dataSource{Name: "PATH", JSONData: map[string]any{
		"apiUrl": tn.url(), "tenantLabel": "PATH", "authType": "basic", "basicUser": "TECH", "timeoutSeconds": 10,
	}, Secure: map[string]string{"basicPassword": c.Secret}}
	hostile := []string{"x')/../UserCredentials?a=", "ZBank#x", "ZBank%2F..%2FUserCredentials", `ZBank\..\UserCredentials`, "ZBank/../UserCredentials"}
	var qs []query
	for i, id := range hostile {
		qs = append(qs, query{RefID: fmt.Sprintf("H%d", i), QueryType: "inventory", JSON: map[string]any{"packageId": id}})
	}
	res := h.queryData(t, ds, nil, qs...)
	for i, id := range hostile {
		r := res.Responses[fmt.Sprintf("H%d", i)]
		if r == nil || r.Error == "" || r.Status != http.StatusBadRequest {
			t.Errorf("packageId %q: status %d, error %q; want a 400 refusal", id, r.GetStatus(), r.GetError())
			continue
		}
		assertContainsAll(t, "refusal", r.Error, []string{"package id", "SAP ids never contain"})
	}
	for _, uri := range tn.requestURIs() {
		if strings.Contains(uri, "UserCredentials") || strings.Contains(uri, "IntegrationPackages") {
			t.Errorf("a refused package id still reached the tenant: %s", uri)
		}
	}
}

// Links a panel opens come from tenant data: javascript: and data: values never become links.
func TestTenantLinksAreWebLinksOnly(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 72, Clients: []simulator.Client{c}, Hostile: []string{simulator.HostileScriptLinks}}})
	h.addSecrets(c.Secret)
	ds := oauthDataSource("LINKS", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
	res := h.queryData(t, ds, nil,
		query{RefID: "M", QueryType: "messages", JSON: map[string]any{}},
		query{RefID: "S", QueryType: "stuckMessages", JSON: map[string]any{}},
		query{RefID: "G", QueryType: "errorGroups", JSON: map[string]any{"format": "table"}},
		query{RefID: "E", QueryType: "endpoints", JSON: map[string]any{}})
	h.addSecrets(tn.issuedTokens()...)
	counts := map[string]int{}
	for ref, r := range res.Responses {
		if r.Error != "" {
			t.Fatalf("query %s: %s", ref, r.Error)
		}
		for _, f := range decodeFrames(t, ref, r) {
			for _, fld := range f.Fields {
				if fld.Config == nil || len(fld.Config.Links) == 0 {
					continue
				}
				// The value a link opens: the field itself, or the field its URL names.
				target := fld
				for _, l := range fld.Config.Links {
					if strings.Contains(l.URL, `__data.fields["link"]`) {
						if lf, _ := f.FieldByName("link"); lf != nil {
							target = lf
						}
					}
				}
				for i := 0; i < target.Len(); i++ {
					v, _ := target.ConcreteAt(i)
					s, _ := v.(string)
					switch {
					case s == "":
						counts["empty"]++
					case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
						counts["web"]++
					default:
						t.Errorf("query %s: field %s row %d links to %q", ref, target.Name, i, s)
					}
				}
			}
		}
	}
	// The hostile case made some links scripts, and left others: both must have been seen.
	if counts["empty"] == 0 || counts["web"] == 0 {
		t.Errorf("links seen: %v; want dropped script links and kept web links", counts)
	}
}
