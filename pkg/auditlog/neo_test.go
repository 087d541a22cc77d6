package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// neoFake is a test-only Neo audit log retrieval API (pkg/simulator has none): OData v4 JSON, server
// pages of pageSize with an @odata.nextLink whose host is an internal one (as in SAP's own example),
// $filter on Time (yyyy-mm-ddThh.MM.ss) and Category.
type neoFake struct {
	records  []NeoRecord
	pageSize int
}

// neoRecords generates n records, one per minute back from fixedNow, alternating Cloud Integration
// events (application …iflmap) and events of another application.
func neoRecords(n int) []NeoRecord {
	out := make([]NeoRecord, n)
	cats := []string{"audit.configuration", "audit.security-events", "audit.data-access"}
	for i := range out {
		ts := fixedNow.Add(-time.Duration(i+1) * time.Minute)
		r := NeoRecord{UUID: fmt.Sprintf("3b8a8b-%06d", i), Category: cats[i%3], User: fmt.Sprintf("P%06d", i%5), Tenant: "t", Account: "abc123",
			Time: ts.Format("2006-01-02T15.04.05.000-0700"), FormatVersion: "2.2"}
		if i%2 == 0 {
			r.Application = "abc123iflmap"
			r.Message = fmt.Sprintf(`Configuration change message. {"action":"Deploy_of_Artifact_Completed","objectType":"IntegrationFlow","objectId":"Flow_%d","attributes":{},"changedAttributes":{}} by user P%06d`, i, i%5)
		} else {
			r.Application = "hrapp"
			r.Message = `Read data access message. "%void"The accessed data belongs to {"type":"account"} by user null`
		}
		out[i] = r
	}
	return out
}

func (f *neoFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer fake-token-1234567890" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if !strings.HasSuffix(r.URL.Path, "/auditlog/v1/accounts/abc123/AuditLogRecords") {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	filter := q.Get("$filter")
	var from, to time.Time
	var cats []string
	// A minimal $filter reader for exactly what the client sends: Time ge '…' and Time le '…' [and (Category eq '…' or …)].
	for _, term := range strings.Split(filter, " and ") {
		term = strings.Trim(term, "()")
		for _, or := range strings.Split(term, " or ") {
			or = strings.Trim(or, "()")
			field, rest, _ := strings.Cut(or, " ")
			op, lit, _ := strings.Cut(rest, " ")
			val := strings.ReplaceAll(strings.Trim(lit, "'"), "''", "'")
			switch {
			case field == "Time" && (op == "ge" || op == "le"):
				ts, err := time.Parse("2006-01-02T15.04.05", val)
				if err != nil {
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte(`{"error":{"code":"400","message":"Invalid time format"}}`))
					return
				}
				if op == "ge" {
					from = ts
				} else {
					to = ts
				}
			case field == "Category" && op == "eq":
				cats = append(cats, val)
			default:
				w.WriteHeader(http.StatusBadRequest)
				_, _ = fmt.Fprintf(w, `{"error":{"code":"400","message":"unsupported filter %q"}}`, or)
				return
			}
		}
	}
	if from.IsZero() || to.IsZero() {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var match []NeoRecord
	for _, rec := range f.records {
		ts := parseTime(rec.Time)
		if ts.Before(from) || ts.After(to.Add(time.Second)) {
			continue
		}
		if len(cats) > 0 && !contains(cats, rec.Category) {
			continue
		}
		match = append(match, rec)
	}
	skip, _ := strconv.Atoi(q.Get("$skiptoken"))
	end := min(skip+f.pageSize, len(match))
	page := struct {
		Context  string      `json:"@odata.context"`
		Value    []NeoRecord `json:"value"`
		NextLink string      `json:"@odata.nextLink,omitempty"`
	}{Context: "$metadata#AuditLogRecords", Value: match[min(skip, len(match)):end]}
	if end < len(match) {
		page.NextLink = "http://localhost:8001/auditlog/v1/accounts/abc123/AuditLogRecords?$filter=" + strings.ReplaceAll(filter, " ", "%20") +
			"&$skiptoken=" + strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(page)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestNeo(t *testing.T) {
	fake := &neoFake{records: neoRecords(250), pageSize: 100}
	mux := http.NewServeMux()
	mux.Handle("/auditlog/", fake)
	_, rec, base := newFake(t, settings.EnvironmentNeo, mux)
	// The client is pointed at the account as the data source configures it.
	s := auditSettings(base+"/auditlog/v1/accounts/abc123", settings.EnvironmentNeo, "sim-secret")
	s.AuditLog.TokenURL = base + "/oauth/token"
	c2, err := NewClient(s, cpi.WithRateLimit(cpi.AreaOther, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()

	from, to := fixedNow.Add(-4*time.Hour), fixedNow
	res, err := Fetch(context.Background(), c2, Options{From: from, To: to, Neo: true, Query: models.AuditLogsQuery{CPIOnly: boolPtr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	// 240 records in the 4 hours: three pages of 100 through the next links.
	reqs := rec.requests()
	if res.Read != 240 || len(reqs) != 3 || res.Pages != 3 {
		t.Fatalf("read %d records in %d requests (%d pages), want 240 in 3", res.Read, len(reqs), res.Pages)
	}
	for i, r := range reqs {
		// Every page is requested from the configured host, never from the next link's internal host.
		if r.Host != strings.TrimPrefix(base, "http://") {
			t.Fatalf("request %d went to %s", i, r.Host)
		}
		if want := "Time ge '2026-11-21T08.00.00' and Time le '2026-11-21T12.00.00'"; r.URL.Query().Get("$filter") != want {
			t.Fatalf("request %d $filter %q, want %q", i, r.URL.Query().Get("$filter"), want)
		}
		if i > 0 && r.URL.Query().Get("$skiptoken") != strconv.Itoa(i*100) {
			t.Fatalf("request %d does not continue the next link: %s", i, r.URL)
		}
	}

	// Cloud Integration only (the default): the events of the tenant's iflmap application.
	cpiOnly, err := Fetch(context.Background(), c2, Options{From: from, To: to, Neo: true, Query: models.AuditLogsQuery{Category: "audit.configuration"}})
	if err != nil {
		t.Fatal(err)
	}
	last := rec.requests()[len(rec.requests())-1]
	if !strings.Contains(last.URL.Query().Get("$filter"), "and Category eq 'audit.configuration'") {
		t.Fatalf("category not filtered on the server: %s", last.URL.Query().Get("$filter"))
	}
	if len(cpiOnly.Records) == 0 || len(cpiOnly.Records) >= cpiOnly.Read {
		t.Fatalf("CPI filter kept %d of %d", len(cpiOnly.Records), cpiOnly.Read)
	}
	for _, r := range cpiOnly.Records {
		if r.Application != "abc123iflmap" || r.Action != "Deploy_of_Artifact_Completed" || !strings.HasPrefix(r.ObjectName, "Flow_") || r.Category != "audit.configuration" {
			t.Fatalf("record %+v", r)
		}
	}
	simtest.Golden(t, "neo_table_configuration", data.Frames{tableFrame(masked(cpiOnly, base), "NEO")})

	// The record bound stops after the page that reaches it.
	capped, err := Fetch(context.Background(), c2, Options{From: from, To: to, Neo: true, MaxRecords: 150, Query: models.AuditLogsQuery{CPIOnly: boolPtr(false)}})
	if err != nil {
		t.Fatal(err)
	}
	if capped.Read != 200 || capped.Pages != 2 || len(capped.Notices) != 1 {
		t.Fatalf("capped: read %d in %d pages, notices %v", capped.Read, capped.Pages, capped.Notices)
	}

	// A hostile category is refused before any request; a quote is escaped by doubling.
	n := len(rec.requests())
	if _, err := Fetch(context.Background(), c2, Options{From: from, To: to, Neo: true, Query: models.AuditLogsQuery{Category: "audit.configuration' or Time ge '2000"}}); err == nil {
		t.Fatal("hostile category accepted")
	}
	if len(rec.requests()) != n {
		t.Fatal("a request was sent for a refused query")
	}
}
