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
