package simulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHostileEchoRequest(t *testing.T) {
	for _, on := range []bool{false, true} {
		cfg := Config{Seed: 1}
		if on {
			cfg.Hostile = []string{HostileEchoRequest}
		}
		tn := New(cfg)

		// Token endpoint, wrong secret: error_description repeats the Basic header and the form body.
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("sim-client", "wrong-secret")
		rec := httptest.NewRecorder()
		tn.ServeHTTP(rec, req)
		// base64("sim-client:wrong-secret")
		const header = "c2ltLWNsaWVudDp3cm9uZy1zZWNyZXQ="
		if got := strings.Contains(rec.Body.String(), header); got != on {
			t.Errorf("hostile=%v: token error repeats the header: %v (%s)", on, got, rec.Body)
		}

		// API with a foreign token: the 401 body repeats it; an OData 404 repeats it too.
		for _, path := range []string{"/api/v1/MessageProcessingLogs", "/api/v1/Nonsense"} {
			req = httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer canary-token-123")
			req.Header.Set("Accept", "application/json")
			if path == "/api/v1/Nonsense" {
				req.SetBasicAuth("nobody", "canary-password")
			}
			rec = httptest.NewRecorder()
			tn.ServeHTTP(rec, req)
			if got := strings.Contains(rec.Body.String(), req.Header.Get("Authorization")); got != on {
				t.Errorf("hostile=%v: %s answer (%d) repeats the Authorization header: %v (%s)", on, path, rec.Code, got, rec.Body)
			}
		}
	}
}

func TestHostileScriptLinks(t *testing.T) {
	e := newEnv(t, Config{Hostile: []string{HostileScriptLinks}})
	e.fetchToken()
	get := func(path string) string {
		status, _, body := e.get(path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		return string(body)
	}
	mpl := get("/api/v1/MessageProcessingLogs?$top=20&$select=MessageGuid,AlternateWebLink&$format=json")
	if !strings.Contains(mpl, `"AlternateWebLink":"javascript:alert(1)"`) || !strings.Contains(mpl, `"AlternateWebLink":"http`) {
		t.Errorf("messages do not mix script and web links: %.600s", mpl)
	}
	ep := get("/api/v1/ServiceEndpoints?$expand=EntryPoints,ApiDefinitions&$format=json")
	if !strings.Contains(ep, `"Url":"javascript:alert(1)"`) || !strings.Contains(ep, `"Url":"data:text/html`) {
		t.Errorf("endpoints carry no script links: %.600s", ep)
	}
}
