package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type tokenReq struct {
	name       string
	basicID    string
	basicPass  string
	form       url.Values
	wantStatus int
	wantError  string
}

func postToken(t *testing.T, base string, tc tokenReq) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(tc.form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tc.basicID != "" {
		req.SetBasicAuth(tc.basicID, tc.basicPass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body, string(raw)
}

func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t, Config{TokenLifetime: 2 * time.Hour})
	cc := url.Values{"grant_type": {"client_credentials"}}
	cases := []tokenReq{
		{name: "basic client auth", basicID: DefaultClientID, basicPass: DefaultClientSecret, form: cc, wantStatus: 200},
		{name: "form client auth", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}, wantStatus: 200},
		{name: "wrong secret", basicID: DefaultClientID, basicPass: "nope", form: cc, wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"x"}, "client_secret": {"y"}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "no client", form: cc, wantStatus: 401, wantError: "invalid_client"},
		{name: "password grant", basicID: DefaultClientID, basicPass: DefaultClientSecret, form: url.Values{"grant_type": {"password"}}, wantStatus: 400, wantError: "unsupported_grant_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, body, raw := postToken(t, e.srv.URL, tc)
			if st != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", st, tc.wantStatus, raw)
			}
			if strings.Contains(raw, DefaultClientSecret) || strings.Contains(raw, "nope") {
				t.Fatalf("token response echoes a secret: %s", raw)
			}
			if tc.wantError != "" {
				if body["error"] != tc.wantError {
					t.Fatalf("error %v, want %s", body["error"], tc.wantError)
				}
				if tc.wantStatus == 401 && body["error_description"] != "Bad credentials" {
					t.Fatalf("error_description %v", body["error_description"])
				}
				return
			}
			if body["token_type"] != "bearer" || body["access_token"] == "" {
				t.Fatalf("bad token body %v", body)
			}
			if exp, _ := body["expires_in"].(float64); exp < 7100 || exp > 7200 {
				t.Fatalf("expires_in %v for a 2h lifetime", body["expires_in"])
			}
		})
	}
	// Neo's token path answers the same way.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/api/v1/token?grant_type=client_credentials", nil)
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	neoResp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	neoResp.Body.Close()
	if neoResp.StatusCode != 200 {
		t.Fatalf("Neo token path: %d", neoResp.StatusCode)
	}
	resp, err := http.Get(e.srv.URL + "/oauth/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /oauth/token: %d", resp.StatusCode)
	}
}

func TestAPIAuth(t *testing.T) {
	var clock atomic.Int64
	clock.Store(testNow.UnixNano())
	e := newEnv(t, Config{
		Now:           func() time.Time { return time.Unix(0, clock.Load()).UTC() },
		TokenLifetime: time.Hour,
		Clients: []Client{
			{ID: "mon", Secret: "mon-secret", Roles: []string{RoleMonitoringDataRead}},
			{ID: "design", Secret: "design-secret", Roles: []string{RoleWorkspacePackagesRead}},
		},
		BasicUsers: []Client{{ID: "tech-user", Secret: "pw-1", Roles: []string{RoleMonitoringDataRead}}},
	})
	token := func(id, secret string) string {
		_, body, raw := postToken(t, e.srv.URL, tokenReq{basicID: id, basicPass: secret, form: url.Values{"grant_type": {"client_credentials"}}})
		tok, _ := body["access_token"].(string)
		if tok == "" {
			t.Fatalf("no token: %s", raw)
		}
		return tok
	}
	mon, design := token("mon", "mon-secret"), token("design", "design-secret")
	do := func(path, auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		req.Header.Set("Accept", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	basic := func(u, p string) string {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(u, p)
		return r.Header.Get("Authorization")
	}
	cases := []struct {
		name, path, auth string
		want             int
		bodyHas          string
	}{
		{"no credentials", "/api/v1/IntegrationRuntimeArtifacts", "", 401, ""},
		{"garbage token", "/api/v1/IntegrationRuntimeArtifacts", "Bearer nope", 401, ""},
		{"valid token", "/api/v1/IntegrationRuntimeArtifacts", "Bearer " + mon, 200, `"results"`},
		{"basic user", "/api/v1/IntegrationRuntimeArtifacts", basic("tech-user", "pw-1"), 200, `"results"`},
		{"basic wrong password", "/api/v1/IntegrationRuntimeArtifacts", basic("tech-user", "pw-2"), 401, ""},
		{"client secret is not a basic user", "/api/v1/IntegrationRuntimeArtifacts", basic("mon", "mon-secret"), 401, ""},
		{"missing role", "/api/v1/IntegrationRuntimeArtifacts", "Bearer " + design, 403, `"code":"Forbidden"`},
		{"missing payload role for attachments", "/api/v1/MessageProcessingLogs('AAAAAAAAAAAAAAAAAAAAAAAAAAAA')/Attachments", "Bearer " + mon, 403, "MessagePayloadsRead"},
		{"unknown entity set", "/api/v1/NoSuchThing", "Bearer " + mon, 404, `"error"`},
		{"LogFiles on Cloud Foundry", "/api/v1/LogFiles", "Bearer " + mon, 404, `"error"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, body := do(tc.path, tc.auth)
			if st != tc.want || !strings.Contains(body, tc.bodyHas) {
				t.Fatalf("status %d (want %d), body %.300s", st, tc.want, body)
			}
			for _, secret := range []string{"mon-secret", "pw-1", "design-secret"} {
				if strings.Contains(body, secret) {
					t.Fatalf("body leaks a secret: %s", body)
				}
			}
		})
	}
	t.Run("token expires after its lifetime", func(t *testing.T) {
		clock.Add(int64(59 * time.Minute))
		if st, _ := do("/api/v1/IntegrationRuntimeArtifacts", "Bearer "+mon); st != 200 {
			t.Fatalf("before expiry: %d", st)
		}
		clock.Add(int64(2 * time.Minute))
		if st, _ := do("/api/v1/IntegrationRuntimeArtifacts", "Bearer "+mon); st != 401 {
			t.Fatalf("after expiry: %d", st)
		}
		fresh := token("mon", "mon-secret")
		if st, _ := do("/api/v1/IntegrationRuntimeArtifacts", "Bearer "+fresh); st != 200 {
			t.Fatalf("fresh token: %d", st)
		}
	})
}

func TestLoginPageAndNegotiation(t *testing.T) {
	e := newEnv(t, Config{})
	for _, p := range []string{"/", "/itspaces", "/shell/monitoring/Messages"} {
		resp, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<html") {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	// Without Accept: application/json the API answers Atom XML; $format=json forces JSON.
	st, h, b := e.get("/api/v1/IntegrationRuntimeArtifacts", "Accept", "")
	if st != 200 || !strings.Contains(h.Get("Content-Type"), "atom+xml") || !strings.Contains(string(b), "<feed") {
		t.Fatalf("atom: %d %s %.200s", st, h.Get("Content-Type"), b)
	}
	st, h, _ = e.get("/api/v1/IntegrationRuntimeArtifacts?$format=json", "Accept", "")
	if st != 200 || !strings.Contains(h.Get("Content-Type"), "application/json") {
		t.Fatalf("$format=json: %d %s", st, h.Get("Content-Type"))
	}
}

// XSUAA client IDs contain '!' and '|'; clients that form-encode them in the Basic header (RFC 6749
// §2.3.1, Go's oauth2) send X-CF-ENCODED-CREDENTIALS: true and are decoded, as the real token service does.
func TestTokenEncodedCredentials(t *testing.T) {
	id, secret := "sb-cpi!b1234|it!b5678", "p+w/d=$&"
	e := newEnv(t, Config{Clients: []Client{{ID: id, Secret: secret, Roles: AllRoles}}})
	post := func(user, pass string, encodedHeader bool) int {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(user, pass)
		if encodedHeader {
			req.Header.Set("X-CF-ENCODED-CREDENTIALS", "true")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(url.QueryEscape(id), url.QueryEscape(secret), true); got != 200 {
		t.Fatalf("encoded credentials with the header: %d", got)
	}
	if got := post(id, secret, false); got != 200 {
		t.Fatalf("plain credentials: %d", got)
	}
	if got := post(url.QueryEscape(id), url.QueryEscape(secret), false); got != 401 {
		t.Fatalf("encoded credentials without the header must not match: %d", got)
	}
	if got := post("%zz", "x", true); got != 401 {
		t.Fatalf("undecodable credentials: %d", got)
	}
}
