package simulator

import (
	"strings"
	"testing"
	"time"
)

func TestHostilePagingCases(t *testing.T) {
	window := lit(testNow.Add(-2*time.Hour)) + " and LogEnd lt " + lit(testNow)
	mpl := "/api/v1/MessageProcessingLogs" + q("$filter", "LogEnd ge "+window, "$inlinecount", "allpages", "$orderby", "LogEnd")
	later := "/api/v1/MessageProcessingLogs" + q("$filter", "LogEnd ge "+window, "$skip", "1000", "$top", "1000", "$orderby", "LogEnd")
	plain := newEnv(t, Config{MessagesPerDay: 50000})
	normalFirst := plain.getJSON(mpl)["d"].(map[string]any)
	normalLater := results(t, plain.getJSON(later))

	t.Run("huge-count", func(t *testing.T) {
		d := newEnv(t, Config{MessagesPerDay: 50000, Hostile: []string{"huge-count"}}).getJSON(mpl)["d"].(map[string]any)
		if d["__count"] != HugeCount || len(d["results"].([]any)) != len(normalFirst["results"].([]any)) {
			t.Fatalf("__count %v with %d rows", d["__count"], len(d["results"].([]any)))
		}
	})
	t.Run("no-inlinecount", func(t *testing.T) {
		d := newEnv(t, Config{MessagesPerDay: 50000, Hostile: []string{"no-inlinecount"}}).getJSON(mpl)["d"].(map[string]any)
		next, _ := d["__next"].(string)
		if _, has := d["__count"]; has || !strings.HasPrefix(next, "MessageProcessingLogs?") {
			t.Fatalf("__count %v, __next %q", d["__count"], next)
		}
	})
	t.Run("ignore-skip", func(t *testing.T) {
		rows := results(t, newEnv(t, Config{MessagesPerDay: 50000, Hostile: []string{"ignore-skip"}}).getJSON(later))
		first := normalFirst["results"].([]any)[0].(map[string]any)
		if rows[0]["MessageGuid"] != first["MessageGuid"] || rows[0]["MessageGuid"] == normalLater[0]["MessageGuid"] {
			t.Fatalf("page at $skip=1000 starts with %v", rows[0]["MessageGuid"])
		}
	})
	t.Run("malformed-dates", func(t *testing.T) {
		e := newEnv(t, Config{MessagesPerDay: 50000, Hostile: []string{"malformed-dates"}})
		if rows := results(t, e.getJSON(mpl)); !strings.HasPrefix(rows[0]["LogEnd"].(string), "/Date(") || strings.Contains(rows[0]["LogEnd"].(string), "/Date()/") {
			t.Fatalf("the first page is altered: %v", rows[0]["LogEnd"])
		}
		rows := results(t, e.getJSON(later))
		if rows[0]["LogEnd"] != MalformedDates[0] || rows[0]["LogStart"] != MalformedDates[0] || rows[1]["LogEnd"] != normalLater[1]["LogEnd"] {
			t.Fatalf("later page rows: %v %v / %v", rows[0]["LogEnd"], rows[0]["LogStart"], rows[1]["LogEnd"])
		}
	})
	t.Run("huge-pages", func(t *testing.T) {
		_, _, b := newEnv(t, Config{MessagesPerDay: 50000, Hostile: []string{"huge-pages"}}).get(later)
		if len(b) < 1000*HugePagePadding {
			t.Fatalf("a page of 1000 rows is %d bytes", len(b))
		}
	})
	t.Run("many-artifacts", func(t *testing.T) {
		e := newEnv(t, Config{Hostile: []string{"many-artifacts"}})
		_, _, n := e.get("/api/v1/IntegrationRuntimeArtifacts/$count")
		d := e.getJSON("/api/v1/IntegrationRuntimeArtifacts")["d"].(map[string]any)
		if string(n) != "1105" || len(d["results"].([]any)) != 1000 || d["__next"] == nil {
			t.Fatalf("$count %s, first page %d rows, __next %v", n, len(d["results"].([]any)), d["__next"])
		}
	})
}
