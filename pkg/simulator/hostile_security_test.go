package simulator

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
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

func TestHostileDayExpiry(t *testing.T) {
	e := newEnv(t, Config{Hostile: []string{HostileDayExpiry}})
	want := map[string]time.Time{ // testNow is 2026-03-10 14:30 UTC
		"salesforce_jwt_signing": time.Date(2026, 4, 4, 0, 0, 1, 0, time.UTC),
		"edi_dhl_as2_partner":    time.Date(2026, 2, 28, 0, 0, 1, 0, time.UTC),
	}
	for _, r := range results(t, e.getJSON("/api/v1/KeystoreEntries?keystoreName=system")) {
		w, ok := want[r["Alias"].(string)]
		if !ok {
			continue
		}
		if got := r["ValidNotAfter"]; got != fmt.Sprintf("/Date(%d)/", w.UnixMilli()) {
			t.Errorf("%s valid to %v, want %s", r["Alias"], got, w)
		}
		delete(want, r["Alias"].(string))
	}
	if len(want) != 0 {
		t.Errorf("entries missing: %v", want)
	}
}

func TestHostileChainErrors(t *testing.T) {
	e := newEnv(t, Config{Hostile: []string{HostileChainErrors}})
	for alias, status := range map[string]int{"salesforce_jwt_signing": 500, "bank_sftp_hostkey": 200} {
		st, _, body := e.get("/api/v1/KeystoreEntries('" + strings.ToUpper(hex.EncodeToString([]byte(alias))) + "')/ChainCertificates")
		if st != status {
			t.Errorf("%s: chain answered %d, want %d: %.200s", alias, st, status, body)
		}
	}
}

func TestHostileNeoLogLines(t *testing.T) {
	e := newEnv(t, Config{Environment: "neo", Hostile: []string{HostileNeoLogLines}})
	text := map[string]string{}
	for _, f := range e.tenant.logFileNames(testNow) {
		text[f.typ] = e.tenant.logFileText(f.name, testNow)
	}
	access := strings.SplitN(text["http"], "\n", 2)[0]
	if !regexp.MustCompile(`^10\.117\.\d+\.\d+ \(203\.0\.113\.\d+\) - CN=\S+, OU=Integration, O=Example AG, C=DE \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] POST /cxf/\S+ HTTP/1\.1 \d{3} \d+ \d+ -$`).MatchString(access) {
		t.Errorf("access line %q is not in the Neo tenants' shape", access)
	}
	trace := strings.SplitN(text["trace"], "\n", 2)[0]
	if strings.Count(trace, "#") != 9 || !strings.HasSuffix(trace, "|") {
		t.Errorf("trace record %q does not have every column and the closing |", trace)
	}
}

func TestHostileOddAuditRecords(t *testing.T) {
	e := newEnv(t, Config{Hostile: []string{HostileOddAuditRecords}})
	q := "?time_from=" + testNow.Add(-6*time.Hour).Format("2006-01-02T15:04:05") + "&time_to=" + testNow.Format("2006-01-02T15:04:05")
	st, _, body := e.get("/auditlog/v2/auditlogrecords" + q)
	if st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	var recs []map[string]any
	if err := json.Unmarshal(body, &recs); err != nil {
		t.Fatal(err)
	}
	found := map[string]any{}
	for _, r := range recs {
		if id, _ := r["message_uuid"].(string); id == OddAuditBadTime || id == OddAuditNumberMessage {
			found[id] = r
		}
	}
	if bad, _ := found[OddAuditBadTime].(map[string]any); bad == nil || bad["time"] != "not-a-time" {
		t.Errorf("no record with a bad time: %v", found)
	}
	if num, _ := found[OddAuditNumberMessage].(map[string]any); num == nil || num["message"] != float64(12345) {
		t.Errorf("no record with a numeric message: %v", found)
	}
}

func TestHostileCutErrorText(t *testing.T) {
	e := newEnv(t, Config{Hostile: []string{HostileCutErrorText}})
	failed := results(t, e.getJSON("/api/v1/MessageProcessingLogs?$filter=Status%20eq%20'FAILED'&$top=1&$select=MessageGuid"))
	if len(failed) == 0 {
		t.Fatal("no failed message")
	}
	e.fetchToken()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/MessageProcessingLogs('"+failed[0]["MessageGuid"].(string)+"')/ErrorInformation/$value", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) || resp.ContentLength <= int64(len(b)) || len(b) == 0 {
		t.Errorf("read %d of %d announced bytes, err %v; want a cut body", len(b), resp.ContentLength, err)
	}
}
