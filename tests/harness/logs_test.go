package harness

// The logs family through the real binary: auditLogs as a table and as log lines from the simulated
// Cloud Foundry audit log service (its own OAuth client), the answer when the audit log connection is not
// configured, and logFiles on Neo and on Cloud Foundry.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// logsNow is the simulated tenants' clock: their data is then the same on every run.
var logsNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

var auditColumns = []string{"Time", "User", "Action", "Object type", "Object name", "Source IP", "Outcome", "Category", "Message", "tenant"}

// queryAt sends queries with an explicit time range (queryData uses the wall clock).
func (h *pluginHost) queryAt(t *testing.T, ds dataSource, from, to time.Time, queries ...query) *pluginv2.QueryDataResponse {
	t.Helper()
	req := &pluginv2.QueryDataRequest{PluginContext: h.pluginContext(t, ds)}
	for _, q := range queries {
		model := map[string]any{"refId": q.RefID, "queryType": q.QueryType,
			"datasource": map[string]string{"type": pluginID, "uid": req.PluginContext.DataSourceInstanceSettings.Uid}}
		for k, v := range q.JSON {
			model[k] = v
		}
		raw, err := json.Marshal(model)
		if err != nil {
			t.Fatal(err)
		}
		req.Queries = append(req.Queries, &pluginv2.DataQuery{RefId: q.RefID, QueryType: q.QueryType, Json: raw, MaxDataPoints: 1000,
			IntervalMS: 60000, TimeRange: &pluginv2.TimeRange{FromEpochMS: from.UnixMilli(), ToEpochMS: to.UnixMilli()}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := h.data.QueryData(ctx, req)
	if err != nil {
		t.Fatalf("QueryData returned a gRPC error instead of per-query responses: %v", err)
	}
	return res
}

// auditRecordsDirect reads the simulator's audit log without the plugin: every page of the range.
func (d *direct) auditRecordsDirect(t *testing.T, from, to time.Time) []map[string]any {
	t.Helper()
	q := url.Values{"time_from": {from.UTC().Format("2006-01-02T15:04:05")}, "time_to": {to.UTC().Format("2006-01-02T15:04:05")}}
	var out []map[string]any
	for {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, d.tn.url()+"/auditlog/v2/auditlogrecords?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+d.token)
		resp, err := d.tn.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page []map[string]any
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("direct audit log call: HTTP %d, %v", resp.StatusCode, err)
		}
		out = append(out, page...)
		h := resp.Header.Get("Paging")
		if h == "" {
			return out
		}
		q = url.Values{"handle": {strings.TrimPrefix(h, "handle=")}}
	}
}

// isCPIRecord tells Cloud Integration's records of the simulated audit log apart, independently of the
// plugin: its events have the {action, objectType, objectId} shape, and its OAuth client (xsappname
// "it!b…") appears in the XSUAA events about it.
func isCPIRecord(t *testing.T, r map[string]any) bool {
	t.Helper()
	msg, _ := r["message"].(map[string]any)
	var ev map[string]any
	if err := json.Unmarshal([]byte(fmt.Sprint(msg["data"])), &ev); err != nil {
		t.Fatalf("record data is not JSON: %v", msg["data"])
	}
	if _, ok := ev["action"]; ok {
		return true
	}
	return strings.Contains(fmt.Sprint(ev["message"]), "|it!b")
}

func withAuditLog(ds dataSource, tn *tenant, c simulator.Client) dataSource {
	ds.JSONData["auditLogUrl"] = tn.url()
	ds.JSONData["auditLogTokenUrl"] = tn.tokenURL()
	ds.JSONData["auditLogClientId"] = c.ID
	ds.Secure = map[string]string{"clientSecret": ds.Secure["clientSecret"], "auditLogClientSecret": c.Secret}
	return ds
}

func stringColumn(t *testing.T, f *data.Frame, name string) []string {
	t.Helper()
	fld := fieldByName(t, f, name)
	out := make([]string, fld.Len())
	for i := range out {
		out[i] = cell(fld, i)
	}
	return out
}

func TestLogsQueries(t *testing.T) {
	h := startPlugin(t)

	t.Run("auditLogs table and logs from the audit log service", func(t *testing.T) {
		t.Parallel()
		cpiClient, auditClient := clientOf(t), clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 51, Now: func() time.Time { return logsNow }, Clients: []simulator.Client{cpiClient, auditClient}}})
		h.addSecrets(cpiClient.Secret, auditClient.Secret)
		ds := withAuditLog(oauthDataSource("PRD EU", tn.url(), tn.tokenURL(), cpiClient.ID, cpiClient.Secret, nil), tn, auditClient)
		from, to := logsNow.Add(-6*time.Hour), logsNow
		want := tn.direct(t, auditClient.ID, auditClient.Secret).auditRecordsDirect(t, from, to)
		if len(want) < 10 {
			t.Fatalf("the simulator has only %d audit records in 6 hours; the test needs more", len(want))
		}

		res := h.queryAt(t, ds, from, to,
			query{RefID: "T", QueryType: "auditLogs", JSON: map[string]any{"format": "table"}},
			query{RefID: "A", QueryType: "auditLogs", JSON: map[string]any{"format": "table", "cpiOnly": false}},
			query{RefID: "L", QueryType: "auditLogs", JSON: map[string]any{"format": "logs", "category": "audit.configuration"}})
		tables := map[string]*data.Frame{}
		for _, ref := range []string{"T", "A"} {
			tr := res.Responses[ref]
			if tr == nil || tr.Error != "" {
				t.Fatalf("table query %s failed: %s", ref, summary(tr))
			}
			frames := decodeFrames(t, ref, tr)
			if len(frames) != 1 {
				t.Fatalf("%s: %d frames, want 1", ref, len(frames))
			}
			var names []string
			for _, fld := range frames[0].Fields {
				names = append(names, fld.Name)
			}
			if !slices.Equal(names, auditColumns) {
				t.Fatalf("%s: columns %q, want %q", ref, names, auditColumns)
			}
			tables[ref] = frames[0]
		}
		f := tables["T"]
		// The subaccount's audit log also holds other writers' events (XSUAA logins and clients, cockpit
		// changes): the default filter keeps Cloud Integration's own (its event shape or its OAuth client),
		// cpiOnly=false keeps every record.
		var wantAll, wantCPI []string
		for _, r := range want {
			wantAll = append(wantAll, fmt.Sprint(r["user"]))
			if isCPIRecord(t, r) {
				wantCPI = append(wantCPI, fmt.Sprint(r["user"]))
			}
		}
		if len(wantCPI) == 0 || len(wantCPI) == len(want) {
			t.Fatalf("%d of %d records are Cloud Integration's: the test needs both kinds", len(wantCPI), len(want))
		}
		for ref, wantUsers := range map[string][]string{"T": wantCPI, "A": wantAll} {
			gotUsers := stringColumn(t, tables[ref], "User")
			slices.Sort(wantUsers)
			slices.Sort(gotUsers)
			if !slices.Equal(gotUsers, wantUsers) {
				t.Errorf("%s: %d rows with users %q, want %d: %q", ref, len(gotUsers), gotUsers, len(wantUsers), wantUsers)
			}
		}
		for i, tenant := range stringColumn(t, f, "tenant") {
			if tenant != "PRD EU" {
				t.Fatalf("row %d: tenant %q", i, tenant)
			}
		}
		for i, o := range stringColumn(t, f, "Outcome") {
			if o != "success" && o != "failure" {
				t.Fatalf("row %d: outcome %q", i, o)
			}
		}
		if f.Meta == nil || !strings.Contains(f.Meta.ExecutedQueryString, "/auditlog/v2/auditlogrecords?time_from=2026-11-21T06:00:00") {
			t.Errorf("executed query %q", f.Meta.ExecutedQueryString)
		}

		lr := res.Responses["L"]
		if lr == nil || lr.Error != "" {
			t.Fatalf("logs query failed: %s", summary(lr))
		}
		lf := decodeFrames(t, "L", lr)
		if len(lf) != 1 || lf[0].Meta == nil || lf[0].Meta.Type != data.FrameTypeLogLines {
			t.Fatalf("logs query: %d frames, meta %+v", len(lf), lf[0].Meta)
		}
		configuration := 0
		for _, r := range want {
			if r["category"] == "audit.configuration" && isCPIRecord(t, r) {
				configuration++
			}
		}
		if n, _ := lf[0].RowLen(); n != configuration || n == 0 {
			t.Fatalf("logs query: %d lines, want the %d configuration records of Cloud Integration", n, configuration)
		}
		labels := fieldByName(t, lf[0], "labels")
		for i := 0; i < labels.Len(); i++ {
			var l map[string]string
			if err := json.Unmarshal(labels.At(i).(json.RawMessage), &l); err != nil || l["tenant"] != "PRD EU" || l["category"] != "audit.configuration" {
				t.Fatalf("line %d labels %v (%v)", i, l, err)
			}
		}
		assertNoSecretsInResponse(t, h, res, append([]string{cpiClient.Secret, auditClient.Secret}, tn.issuedTokens()...))
	})

	t.Run("auditLogs without the audit log connection says how to configure it", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 52, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		ds := oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
		res := h.queryData(t, ds, nil,
			query{RefID: "A", QueryType: "auditLogs", JSON: map[string]any{}},
			query{RefID: "B", QueryType: "artifacts", JSON: map[string]any{}})
		a := res.Responses["A"]
		if a == nil || a.Error == "" {
			t.Fatalf("no error: %s", summary(a))
		}
		assertContainsAll(t, "not configured error", a.Error, []string{"not configured", "auditlog-management", "plan default", "service key"})
		if a.Status != http.StatusBadRequest || a.ErrorSource != "downstream" {
			t.Errorf("status %d, source %q", a.Status, a.ErrorSource)
		}
		if b := res.Responses["B"]; b == nil || b.Error != "" {
			t.Fatalf("the other query failed too: %s", summary(b))
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
	})

	t.Run("logFiles on Neo: list and the lines of one file", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 53, Environment: "neo", Now: func() time.Time { return logsNow }, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		ds := oauthDataSource("NEO", tn.url(), tn.tokenURL(), c.ID, c.Secret, map[string]any{"environment": "neo"})
		from, to := logsNow.Add(-2*time.Hour), logsNow
		res := h.queryAt(t, ds, from, to, query{RefID: "A", QueryType: "logFiles", JSON: map[string]any{"logFileType": "http"}})
		a := res.Responses["A"]
		if a == nil || a.Error != "" {
			t.Fatalf("list failed: %s", summary(a))
		}
		list := decodeFrames(t, "A", a)[0]
		names := stringColumn(t, list, "Name")
		if len(names) != 1 || !strings.HasPrefix(names[0], "http_access_") || !strings.HasSuffix(names[0], "_2026-11-21.log") {
			t.Fatalf("files %q, want today's http access log", names)
		}

		res = h.queryAt(t, ds, from, to, query{RefID: "B", QueryType: "logFiles", JSON: map[string]any{"fileName": names[0]}})
		b := res.Responses["B"]
		if b == nil || b.Error != "" {
			t.Fatalf("lines failed: %s", summary(b))
		}
		lines := decodeFrames(t, "B", b)[0]
		// The simulated access log has a line every 3.6 minutes: 33 or 34 in two hours.
		if n, _ := lines.RowLen(); n < 33 || n > 34 {
			t.Fatalf("%d lines in two hours", n)
		}
		for i, m := range stringColumn(t, lines, "Method") {
			if m != "POST" {
				t.Fatalf("line %d: method %q", i, m)
			}
		}
		if _, idx := lines.FieldByName("Status"); idx < 0 {
			t.Fatal("no Status column")
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
	})

	t.Run("logFiles on Cloud Foundry explains that SAP offers it on Neo only", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 54, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		ds := oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
		res := h.queryData(t, ds, nil, query{RefID: "A", QueryType: "logFiles", JSON: map[string]any{}})
		a := res.Responses["A"]
		if a == nil || a.Error == "" {
			t.Fatalf("no error: %s", summary(a))
		}
		assertContainsAll(t, "Cloud Foundry error", a.Error, []string{"Neo", "Cloud Logging"})
	})
}
