package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// messagesSimNow is the "now" of newInstance's simulated tenant.
var messagesSimNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func fixMessagesClock(t *testing.T) {
	t.Helper()
	prev := messagesNow
	messagesNow = func() time.Time { return messagesSimNow }
	t.Cleanup(func() { messagesNow = prev })
}

func TestMessageQueriesFailOneByOne(t *testing.T) {
	fixMessagesClock(t)
	ds := newInstance(t, nil, nil)
	tr := backend.TimeRange{From: messagesSimNow.Add(-time.Hour), To: messagesSimNow}
	q := func(refID, queryType, model string) backend.DataQuery {
		return backend.DataQuery{RefID: refID, QueryType: queryType, JSON: json.RawMessage(model), TimeRange: tr,
			Interval: time.Minute, MaxDataPoints: 500}
	}
	res, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		q("counts", "messageCounts", `{"groupBy":"iflow","format":"numeric","statuses":["FAILED"]}`),
		q("typo", "messages", `{"iflow":["x"]}`),
		q("badvalue", "errorGroups", `{"maxErrorTexts":100000}`),
		q("badgroup", "messageCounts", `{"groupBy":"planet"}`),
		q("stuck", "stuckMessages", `{"format":"table","stuckMinutes":30}`),
		q("list", "messages", `{"maxRows":5,"format":"logs"}`),
		q("durations", "messageDurations", `{"format":"table"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"counts", "stuck", "list", "durations"} {
		r := res.Responses[ok]
		if r.Error != nil || len(r.Frames) == 0 {
			t.Errorf("%s: error %v, %d frames", ok, r.Error, len(r.Frames))
		}
	}
	for ref, want := range map[string][]string{
		"typo":     {`"iflow"`, "iflows"},
		"badvalue": {"maxErrorTexts", "5000"},
		"badgroup": {"planet", "iflowStatus"},
	} {
		r := res.Responses[ref]
		if r.Error == nil {
			t.Errorf("%s: no error", ref)
			continue
		}
		if r.Status != backend.StatusBadRequest || r.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s: status %d source %q", ref, r.Status, r.ErrorSource)
		}
		for _, w := range want {
			if !strings.Contains(r.Error.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", ref, r.Error, w)
			}
		}
	}
	counts := res.Responses["counts"].Frames
	if counts[0].Meta.Type != data.FrameTypeNumericMulti || len(counts) < 10 {
		t.Errorf("counts: %d frames of type %s", len(counts), counts[0].Meta.Type)
	}
	if f := res.Responses["list"].Frames[0]; f.Meta.PreferredVisualization != data.VisTypeLogs || f.Rows() != 5 {
		t.Errorf("list: %s with %d rows", f.Meta.PreferredVisualization, f.Rows())
	}
}

func TestMessageVariables(t *testing.T) {
	fixMessagesClock(t)
	ds := newInstance(t, nil, nil)
	get := func(path string) []models.VariableValue {
		t.Helper()
		status, body := callResource(t, ds, path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, status, body)
		}
		var out []models.VariableValue
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	statuses := get("variables/statuses")
	if len(statuses) != 8 || !slices.ContainsFunc(statuses, func(v models.VariableValue) bool { return v.Value == "FAILED" }) {
		t.Errorf("statuses %v", statuses)
	}
	iflows := get("variables/iflows")
	if len(iflows) < 20 {
		t.Fatalf("%d iflows", len(iflows))
	}
	for i := 1; i < len(iflows); i++ {
		if iflows[i-1].Text > iflows[i].Text {
			t.Fatalf("iflows not sorted by name")
		}
	}
	if !slices.ContainsFunc(iflows, func(v models.VariableValue) bool { return v.Value == "Payment_Files_S4_to_Bank" && v.Text != v.Value }) {
		t.Errorf("iflows lack Payment_Files_S4_to_Bank with its name: %v", iflows[:3])
	}
	bank := get("variables/iflows?filter=ZBankCommunication")
	if len(bank) == 0 || len(bank) >= len(iflows) {
		t.Fatalf("%d of %d iflows in ZBankCommunication", len(bank), len(iflows))
	}
	for _, v := range bank {
		if !strings.Contains(v.Value, "Bank") {
			t.Errorf("iFlow %s listed for the bank package", v.Value)
		}
	}
	packages := get("variables/packages")
	if !slices.ContainsFunc(packages, func(v models.VariableValue) bool {
		return v.Value == "ZBankCommunication" && v.Text == "Bank Communication"
	}) {
		t.Errorf("packages %v", packages)
	}
	senders, receivers := get("variables/senders"), get("variables/receivers")
	if !slices.ContainsFunc(senders, func(v models.VariableValue) bool { return v.Value == "S4HANA_PRD" }) ||
		!slices.ContainsFunc(receivers, func(v models.VariableValue) bool { return v.Value == "Salesforce" }) {
		t.Errorf("senders %v receivers %v", senders, receivers)
	}
	if some := get("variables/receivers?filter=sales"); len(some) != 1 || some[0].Value != "Salesforce" {
		t.Errorf("receivers matching 'sales': %v", some)
	}
	status, body := callResource(t, ds, "variables/senders?filter="+strings.Repeat("x", 5000))
	if status == http.StatusOK || !strings.Contains(body, "filter") {
		t.Errorf("a 5000-character filter: %d %s", status, body)
	}
}
