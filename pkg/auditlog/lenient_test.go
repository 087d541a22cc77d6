package auditlog

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// Records other services write in shapes the documentation does not show: each is read field by field,
// or left out and named; none fails the others, none is dated in year 1.
func TestOddRecordsAreReadOrNamed(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[
{"message_uuid":"ok-1","time":"2026-11-21T11:00:00Z","user":"u","category":"audit.configuration","message":{"data":"{\"action\":\"Deploy_of_Artifact_Completed\",\"objectType\":\"IntegrationFlow\",\"objectId\":\"F1\"}"}},
{"message_uuid":"number-message","time":"2026-11-21T11:01:00Z","user":"u","category":"audit.security-events","message":42},
{"message_uuid":"text-message","time":"2026-11-21T11:02:00Z","user":"u","category":"audit.security-events","message":"user logged on"},
{"message_uuid":"numeric-fields","time":"2026-11-21T11:03:00Z","user":7,"category":"audit.security-events","message":{"ip":10,"data":{"message":"nested object"}}},
{"message_uuid":"bad-time","time":"yesterday","user":"u","category":"audit.security-events","message":{"data":"x"}},
{"message_uuid":"numeric-time","time":1764000000000,"user":"u","category":"audit.security-events","message":{"data":"x"}},
{"message_uuid":"year-one","time":"0001-01-01T00:00:00Z","user":"u","category":"audit.security-events","message":{"data":"x"}},
17,
"a string"]`))
	})
	c, _, _ := newFake(t, settings.EnvironmentCloudFoundry, handler)
	no := false
	res, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-2 * time.Hour), To: fixedNow, Query: models.AuditLogsQuery{CPIOnly: &no}})
	if err != nil {
		t.Fatalf("one odd record failed the query: %v", err)
	}
	got := map[string]Record{}
	for _, r := range res.Records {
		got[r.ID] = r
		if r.Time.Year() != 2026 {
			t.Errorf("%s dated %s", r.ID, r.Time)
		}
	}
	for _, id := range []string{"ok-1", "number-message", "text-message", "numeric-fields"} {
		if _, ok := got[id]; !ok {
			t.Errorf("record %s was lost; kept %v", id, res.Records)
		}
	}
	if len(res.Records) != 4 {
		t.Errorf("%d records kept, want 4", len(res.Records))
	}
	if r := got["number-message"]; r.Raw != "42" {
		t.Errorf("a numeric message reads %q, want 42", r.Raw)
	}
	if r := got["numeric-fields"]; r.User != "7" || r.SourceIP != "10" || !strings.Contains(r.Raw, "nested object") {
		t.Errorf("numeric fields read as %+v", r)
	}
	var texts []string
	for _, n := range res.Notices {
		texts = append(texts, n.Text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"3 audit records were left out because their time is not a timestamp", "bad-time", `"yesterday"`, "numeric-time", "year-one",
		"2 audit records were left out because they are not a JSON object", "page 1, record 8", "page 1, record 9"} {
		if !strings.Contains(all, want) {
			t.Errorf("notices do not say %q:\n%s", want, all)
		}
	}
	for _, goType := range []string{"Go struct", "auditlog.", "json: cannot"} {
		if strings.Contains(all, goType) {
			t.Errorf("notices name Go internals (%q): %s", goType, all)
		}
	}
}
