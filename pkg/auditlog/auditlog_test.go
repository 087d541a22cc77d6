package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// masked replaces the test server's random address in the request log, so goldens are stable.
func masked(r Result, base string) Result {
	r.Requests = simtest.Mask(r.Requests, base, "https://auditlog-management.example")
	return r
}

func TestGoldenFramesCloudFoundry(t *testing.T) {
	c, _, base := newSimulated(t, cpi.WithRateLimit(cpi.AreaOther, 0))
	from, to := fixedNow.Add(-3*time.Hour), fixedNow
	tests := []struct {
		name   string
		query  models.AuditLogsQuery
		framer func(Result, string) *data.Frame
	}{
		{"cf_table", models.AuditLogsQuery{}, tableFrame},
		{"cf_logs", models.AuditLogsQuery{Format: models.FormatLogs}, logsFrame},
		{"cf_table_configuration", models.AuditLogsQuery{Category: "audit.configuration"}, tableFrame},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), c, Options{From: from, To: to, Query: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) == 0 {
				t.Fatal("no records: the golden would prove nothing")
			}
			simtest.Golden(t, tc.name, data.Frames{tc.framer(masked(res, base), "SIM")})
		})
	}
}

// The time range and category reach the API in SAP's format, and what comes back is within them.
func TestRangeAndCategoryOnTheWire(t *testing.T) {
	c, rec, _ := newSimulated(t, cpi.WithRateLimit(cpi.AreaOther, 0))
	from := time.Date(2026, 11, 21, 9, 30, 15, 500e6, time.UTC)
	to := time.Date(2026, 11, 21, 11, 0, 0, 250e6, time.UTC)
	res, err := Fetch(context.Background(), c, Options{From: from, To: to, Query: models.AuditLogsQuery{Category: "audit.security-events, audit.data-access"}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests for a small range, want 1", len(reqs))
	}
	q := reqs[0].URL.Query()
	if reqs[0].URL.Path != "/"+CFPath || q.Get("time_from") != "2026-11-21T09:30:15" || q.Get("time_to") != "2026-11-21T11:00:01" ||
		q.Get("category") != "audit.security-events,audit.data-access" {
		t.Fatalf("request %s", reqs[0].URL)
	}
	if len(res.Records) == 0 {
		t.Fatal("no records")
	}
	for _, r := range res.Records {
		if r.Time.Before(from) || r.Time.After(to) {
			t.Errorf("record at %s outside the range", r.Time)
		}
		if r.Category != "audit.security-events" && r.Category != "audit.data-access" {
			t.Errorf("record of category %s", r.Category)
		}
	}
	for i := 1; i < len(res.Records); i++ {
		if res.Records[i].Time.After(res.Records[i-1].Time) {
			t.Fatalf("records not newest first at %d", i)
		}
	}
}

// Paging: pages of 500 are followed through the "Paging: handle=" header, each further request carries
// only the handle, and the number of requests is exactly what the record count needs.
func TestPagingCountsRequests(t *testing.T) {
	c, rec, _ := newSimulated(t, cpi.WithRateLimit(cpi.AreaOther, 0))
	from, to := fixedNow.Add(-20*24*time.Hour), fixedNow
	res, err := Fetch(context.Background(), c, Options{From: from, To: to, Query: models.AuditLogsQuery{CPIOnly: boolPtr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read <= 2*cfPageSize {
		t.Fatalf("only %d records in 20 days: the test needs several pages", res.Read)
	}
	wantPages := int(math.Ceil(float64(res.Read) / cfPageSize))
	reqs := rec.requests()
	if len(reqs) != wantPages || len(res.Requests) != wantPages || res.Pages != wantPages {
		t.Fatalf("%d records: %d requests (%d logged, %d pages), want %d", res.Read, len(reqs), len(res.Requests), res.Pages, wantPages)
	}
	for i, r := range reqs {
		q := r.URL.Query()
		if i == 0 {
			if q.Get("handle") != "" || q.Get("time_from") == "" {
				t.Fatalf("first request %s", r.URL)
			}
			continue
		}
		if q.Get("handle") == "" || q.Has("time_from") || len(q) != 1 {
			t.Fatalf("request %d should carry only the handle: %s", i, r.URL)
		}
	}
	if len(res.Notices) != 0 {
		t.Fatalf("unexpected notices %v", res.Notices)
	}
	seen := map[string]bool{}
	for _, r := range res.Records {
		if seen[r.ID] {
			t.Fatalf("record %s read twice", r.ID)
		}
		seen[r.ID] = true
	}

	// The same range with a bound of 1000 records stops after two pages and says so.
	rec2 := len(rec.requests())
	capped, err := Fetch(context.Background(), c, Options{From: from, To: to, MaxRecords: 1000, Query: models.AuditLogsQuery{CPIOnly: boolPtr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rec.requests()) - rec2; n != 2 || capped.Read != 1000 {
		t.Fatalf("capped fetch made %d requests and read %d records, want 2 and 1000", n, capped.Read)
	}
	if len(capped.Notices) != 1 || !strings.Contains(capped.Notices[0].Text, "only the first 1000") {
		t.Fatalf("notices %v", capped.Notices)
	}
	if len(tableFrame(capped, "SIM").Meta.Notices) != 1 {
		t.Fatal("the cap notice is not in the frame meta")
	}
}

// The audit log's own rate limit (4 requests per one-second window) holds while paging: no calendar
// second sees more than 4 requests, and 10 pages take two further windows of 1.05 s.
func TestRateLimit(t *testing.T) {
	pages := 10
	clock := &steppingClock{t: fixedNow.Add(700 * time.Millisecond)}
	var at []time.Time
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at = append(at, clock.now())
		n := 0
		if h := r.URL.Query().Get("handle"); h != "" {
			_, _ = fmt.Sscanf(h, "p%d", &n)
		}
		if n+1 < pages {
			w.Header().Set("Paging", fmt.Sprintf("handle=p%d", n+1))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `[{"message_uuid":"id-%d","time":"2026-11-21T11:00:00Z","user":"u","category":"audit.configuration","message":{"data":"{}"}}]`, n)
	})
	// newFake disables the limit; restore the default the client is built with.
	c, rec, _ := newFake(t, settings.EnvironmentCloudFoundry, handler, cpi.WithRateLimit(cpi.AreaOther, DefaultRate),
		cpi.WithLimitClock(clock.now, clock.sleep))
	res, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-2 * time.Hour), To: fixedNow, Query: models.AuditLogsQuery{CPIOnly: boolPtr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != pages || len(rec.requests()) != pages || len(at) != pages {
		t.Fatalf("read %d records in %d requests, want %d", res.Read, len(rec.requests()), pages)
	}
	perSecond := map[int64]int{}
	for _, a := range at {
		perSecond[a.Unix()]++
	}
	for sec, n := range perSecond {
		if n > 4 {
			t.Errorf("%d requests in the second starting %s", n, time.Unix(sec, 0).UTC())
		}
	}
	if took := at[len(at)-1].Sub(at[0]); took != 2100*time.Millisecond {
		t.Errorf("10 pages took %s, want 2.1s (4 at once, 4 after 1.05 s, 2 after 2.1 s)", took)
	}
}

// steppingClock is the limiter's clock for one goroutine: a sleep advances it.
type steppingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *steppingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *steppingClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func TestCategoryFallbackOn501(t *testing.T) {
	calls := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Has("category") {
			w.WriteHeader(http.StatusNotImplemented)
			_, _ = w.Write([]byte(`{"error":{"code":"filter_category_not_supported","message":"Filtering by category not available for custom retention periods. Remove categories to proceed."}}`))
			return
		}
		_, _ = w.Write([]byte(`[
{"message_uuid":"a","time":"2026-11-21T11:00:00Z","user":"u","category":"audit.configuration","message":{"data":"{\"action\":\"Deploy_of_Artifact_Completed\",\"objectType\":\"IntegrationFlow\",\"objectId\":\"F1\",\"attributes\":{},\"changedAttributes\":{}}"}},
{"message_uuid":"b","time":"2026-11-21T11:01:00Z","user":"u","category":"audit.data-access","message":{"data":"{\"action\":\"Read\",\"objectType\":\"MPL Attachment\",\"objectId\":\"M1\",\"attributes\":{},\"changedAttributes\":{}}"}}]`))
	})
	c, _, _ := newFake(t, settings.EnvironmentCloudFoundry, handler)
	res, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-2 * time.Hour), To: fixedNow, Query: models.AuditLogsQuery{Category: "audit.configuration"}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || len(res.Requests) != 2 {
		t.Fatalf("%d calls, want the refused one and one without category", calls)
	}
	if len(res.Records) != 1 || res.Records[0].ObjectName != "F1" {
		t.Fatalf("records %+v, want only the configuration event", res.Records)
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "cannot filter by category") {
		t.Fatalf("notices %v", res.Notices)
	}
}

// A handle that repeats must not page forever.
func TestRepeatingHandleStops(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Paging", "handle=2018-06-14T10:11:18.968<4f932695-8616-4e1f-ac9a-1cdfb758f01d<2018-06-14T10:11:00.000")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"message_uuid":"x","time":"2026-11-21T11:00:00Z","category":"audit.configuration","message":{"data":"not json"}}]`))
	})
	c, rec, _ := newFake(t, settings.EnvironmentCloudFoundry, handler)
	res, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.AuditLogsQuery{CPIOnly: boolPtr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2 (the second returned the same handle)", len(reqs))
	}
	// SAP's handle contains '<' and ':': it must arrive intact.
	if got := reqs[1].URL.Query().Get("handle"); got != "2018-06-14T10:11:18.968<4f932695-8616-4e1f-ac9a-1cdfb758f01d<2018-06-14T10:11:00.000" {
		t.Fatalf("handle arrived as %q", got)
	}
	if len(res.Notices) != 1 || res.Read != 2 {
		t.Fatalf("notices %v, read %d", res.Notices, res.Read)
	}
	if res.Records[0].Message != "not json" {
		t.Fatalf("a non-JSON payload should be the message: %+v", res.Records[0])
	}
}

func TestHostileInputs(t *testing.T) {
	c, rec, _ := newSimulated(t, cpi.WithRateLimit(cpi.AreaOther, 0))
	for _, q := range []models.AuditLogsQuery{
		{Category: "audit.configuration&handle=x"},
		{Category: "audit.configuration' or '1'='1"},
		{Category: "security"},
		{Category: "audit.configuration\n"},
		{UserContains: strings.Repeat("x", 5000)},
		{UserContains: "bob\x00"},
		{UserContains: "\xff\xfe"},
	} {
		if _, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: q}); err == nil {
			t.Errorf("hostile query accepted: %.40q", fmt.Sprintf("%+v", q))
		}
	}
	if _, err := Fetch(context.Background(), c, Options{From: fixedNow, To: fixedNow.Add(-time.Hour)}); err == nil {
		t.Error("reversed time range accepted")
	}
	if n := len(rec.requests()); n != 0 {
		t.Fatalf("%d requests sent for refused queries", n)
	}
	// A quote in the user filter is just text: it filters locally and matches nothing.
	res, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.AuditLogsQuery{UserContains: "x' or 'a'='a"}})
	if err != nil || len(res.Records) != 0 || res.Read == 0 {
		t.Fatalf("user filter with quotes: %d of %d records, %v", len(res.Records), res.Read, err)
	}
}

func TestUserFilter(t *testing.T) {
	c, _, _ := newSimulated(t, cpi.WithRateLimit(cpi.AreaOther, 0))
	opts := Options{From: fixedNow.Add(-6 * time.Hour), To: fixedNow}
	all, err := Fetch(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	var user string
	for _, r := range all.Records {
		if !strings.HasPrefix(r.User, "sb-") {
			user = r.User
			break
		}
	}
	if user == "" {
		t.Fatal("no named user in 6 hours")
	}
	opts.Query.UserContains = strings.ToUpper(user[1:4])
	some, err := Fetch(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(some.Records) == 0 || len(some.Records) == len(all.Records) {
		t.Fatalf("user filter kept %d of %d", len(some.Records), len(all.Records))
	}
	for _, r := range some.Records {
		if !strings.Contains(strings.ToLower(r.User), strings.ToLower(user[1:4])) {
			t.Fatalf("user %q does not match", r.User)
		}
	}
}

func TestErrorsExplainTheAuditLogService(t *testing.T) {
	tests := []struct {
		name   string
		env    settings.Environment
		status int
		body   string
		want   []string
	}{
		{"403 cf", settings.EnvironmentCloudFoundry, 403, `{"error":"forbidden"}`, []string{"HTTP 403", "auditlog-management", "plan default"}},
		{"403 neo", settings.EnvironmentNeo, 403, `{"error":{"code":"403","message":"Forbidden"}}`, []string{"HTTP 403", "Read Audit Logs"}},
		{"404 cf", settings.EnvironmentCloudFoundry, 404, `Not Found`, []string{"No audit log retrieval API", "auditlog-management.cfapps"}},
		{"404 neo", settings.EnvironmentNeo, 404, `Not Found`, []string{"No audit log retrieval API", "/auditlog/v1/accounts/"}},
		{"400", settings.EnvironmentCloudFoundry, 400, `{"error":"invalid_time_from"}`, []string{"HTTP 400", "invalid_time_from"}},
		{"429", settings.EnvironmentCloudFoundry, 429, `{"error":"too_many_requests"}`, []string{"HTTP 429", "4 requests/s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c, _, _ := newFake(t, tc.env, handler)
			_, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Neo: tc.env == settings.EnvironmentNeo})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			e, ok := cpi.AsError(err)
			if !ok || e.Status != tc.status || !backend.IsDownstreamError(err) {
				t.Fatalf("error lost its status or source: %#v", err)
			}
		})
	}
}

func TestNotConfiguredAndIncomplete(t *testing.T) {
	s := auditSettings("", settings.EnvironmentCloudFoundry, "s3cret-value")
	_, err := NewClient(s)
	if err == nil || !strings.Contains(err.Error(), "auditlog-management") || !strings.Contains(err.Error(), "plan default") ||
		!strings.Contains(err.Error(), "uaa.clientsecret") {
		t.Fatalf("not configured (CF): %v", err)
	}
	s.Environment = settings.EnvironmentNeo
	if _, err := NewClient(s); err == nil || !strings.Contains(err.Error(), "Read Audit Logs") || !strings.Contains(err.Error(), "/auditlog/v1/accounts/") {
		t.Fatalf("not configured (Neo): %v", err)
	}
	s = auditSettings("https://auditlog-management.cfapps.eu10.hana.ondemand.com", settings.EnvironmentCloudFoundry, "")
	s.AuditLog.ClientID = ""
	if _, err := NewClient(s); err == nil || !strings.Contains(err.Error(), "client ID") || !strings.Contains(err.Error(), "client secret") {
		t.Fatalf("incomplete: %v", err)
	}
}

// A wrong secret is reported without the secret, and the token host is named.
func TestWrongSecretNeverEchoed(t *testing.T) {
	const secret = "audit-secret-must-not-leak-42"
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	_, _, base := newFake(t, settings.EnvironmentCloudFoundry, handler)
	c, err := NewClient(auditSettings(base, settings.EnvironmentCloudFoundry, secret))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow})
	if err == nil {
		t.Fatal("a wrong secret worked")
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "Audit log connection") {
		t.Fatalf("error %q", err)
	}
}

func TestServiceRoot(t *testing.T) {
	for in, want := range map[string]string{
		"https://auditlog-management.cfapps.eu10.hana.ondemand.com/":                             "https://auditlog-management.cfapps.eu10.hana.ondemand.com",
		"https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2/auditlogrecords":  "https://auditlog-management.cfapps.eu10.hana.ondemand.com",
		"https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/ab12cd34/AuditLogRecords":        "https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/ab12cd34",
		" https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/ab12cd34 ":                      "https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/ab12cd34",
		"https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2/auditlogrecords/": "https://auditlog-management.cfapps.eu10.hana.ondemand.com",
	} {
		if got := ServiceRoot(in); got != want {
			t.Errorf("ServiceRoot(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogsFrameShape(t *testing.T) {
	res := Result{Records: []Record{
		{ID: "1", Time: fixedNow, User: "alice", Action: "Deploy_of_Artifact_Completed", ObjectType: "IntegrationFlow", ObjectName: "F1", Outcome: OutcomeSuccess, Category: "audit.configuration"},
		{Time: fixedNow.Add(-time.Minute), User: "sb-x|it!b1", Action: "ClientAuthenticationFailure", Outcome: OutcomeFailure, Category: "audit.security-events", Message: "ClientAuthenticationFailure ('Bad credentials')", SourceIP: "10.0.0.1"},
	}}
	f := logsFrame(res, "PRD")
	if f.Meta.Type != data.FrameTypeLogLines {
		t.Fatalf("type %s", f.Meta.Type)
	}
	want := []struct {
		name string
		typ  data.FieldType
	}{{"timestamp", data.FieldTypeTime}, {"body", data.FieldTypeString}, {"severity", data.FieldTypeString}, {"id", data.FieldTypeString}, {"labels", data.FieldTypeJSON}}
	for i, w := range want {
		if f.Fields[i].Name != w.name || f.Fields[i].Type() != w.typ {
			t.Fatalf("field %d = %s %s, want %s %s", i, f.Fields[i].Name, f.Fields[i].Type(), w.name, w.typ)
		}
	}
	if f.Fields[2].At(1) != "error" || f.Fields[2].At(0) != "info" {
		t.Fatal("severity does not follow the outcome")
	}
	if id := f.Fields[3].At(1).(string); id == "" {
		t.Fatal("an event without id got no id")
	}
	var labels map[string]string
	if err := json.Unmarshal(f.Fields[4].At(0).(json.RawMessage), &labels); err != nil || labels["tenant"] != "PRD" || labels["objectType"] != "IntegrationFlow" {
		t.Fatalf("labels %v %v", labels, err)
	}
	if body := f.Fields[1].At(1).(string); !strings.Contains(body, "from 10.0.0.1") || !strings.Contains(body, "(failed)") {
		t.Fatalf("body %q", body)
	}
}
