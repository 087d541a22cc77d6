package harness

// The CPI overview's message panels against each hostile tenant, through the real binary, on a cold load
// and on the refresh after it (the row store then answers from what the first load read): every panel
// either shows the tenant's own numbers or fails with an error, or a notice, that names the problem. The
// truth is read from the simulated tenant directly ($count, raw rows, error texts), never from the plugin.

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// panelTruth is what the tenant holds in a window (LogEnd in [from, to), stuck by LogStart).
type panelTruth struct {
	total     int
	byStatus  map[string]int
	byIFlow   map[string]map[string]int // iFlow id → status → messages
	failedIDs map[string]bool
	stuck     int
	// durations (ms) of the messages in a final status per iFlow; nil when a row's dates are unreadable.
	durations map[string][]int64
	texts     func(id string) string // the tenant's error text of a message
}

var finalStatuses = []string{"COMPLETED", "ESCALATED", "FAILED", "CANCELLED", "DISCARDED", "ABANDONED"}

func (fx hostileFixture) countWhere(t *testing.T, filter string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(string(fx.d.get(t, "MessageProcessingLogs/$count?$filter="+directEscape(filter)))), &n); err != nil {
		t.Fatalf("$count of %s: %v", filter, err)
	}
	return n
}

// rawDate reads /Date(ms)/ as the tenant sends it; false for anything else.
func rawDate(v any) (int64, bool) {
	s, _ := v.(string)
	if !strings.HasPrefix(s, "/Date(") || !strings.HasSuffix(s, ")/") {
		return 0, false
	}
	var ms int64
	digits := strings.TrimSuffix(strings.TrimPrefix(s, "/Date("), ")/")
	if _, err := fmt.Sscanf(digits, "%d", &ms); err != nil || fmt.Sprint(ms) != digits {
		return 0, false
	}
	return ms, true
}

func (fx hostileFixture) truth(t *testing.T, from, to time.Time, texts *direct) panelTruth {
	t.Helper()
	window := fmt.Sprintf("LogEnd ge %s and LogEnd lt %s", directDateTime(from), directDateTime(to))
	tr := panelTruth{byStatus: map[string]int{}, byIFlow: map[string]map[string]int{}, failedIDs: map[string]bool{}, durations: map[string][]int64{}}
	tr.total = fx.count(t, from, to)
	for _, s := range []string{"COMPLETED", "FAILED", "RETRY", "ESCALATED", "PROCESSING", "CANCELLED", "DISCARDED", "ABANDONED"} {
		tr.byStatus[s] = fx.countWhere(t, window+" and Status eq '"+s+"'")
	}
	rows := fx.d.mplEntries(t, window)
	if len(rows) != tr.total {
		t.Fatalf("the tenant lists %d messages of the window and counts %d", len(rows), tr.total)
	}
	for _, e := range rows {
		st, _ := e["Status"].(string)
		id := mplIFlow(e)
		if tr.byIFlow[id] == nil {
			tr.byIFlow[id] = map[string]int{}
		}
		tr.byIFlow[id][st]++
		if st == "FAILED" {
			tr.failedIDs[e["MessageGuid"].(string)] = true
		}
		if !slices.Contains(finalStatuses, st) || tr.durations == nil {
			continue
		}
		start, ok1 := rawDate(e["LogStart"])
		end, ok2 := rawDate(e["LogEnd"])
		if !ok1 || !ok2 {
			tr.durations = nil // a malformed date: no duration is known
			continue
		}
		tr.durations[id] = append(tr.durations[id], end-start)
	}
	tr.stuck = fx.d.stuckCount(t, from, to)
	tr.texts = func(id string) string {
		lit := "'" + strings.ReplaceAll(id, "'", "''") + "'"
		return strings.TrimSpace(string(texts.get(t, "MessageProcessingLogs("+url.PathEscape(lit)+")/ErrorInformation/$value")))
	}
	return tr
}

// overviewMessageQueries are the overview dashboard's message panels and annotations with every variable
// at All, and a messageDurations table.
func overviewMessageQueries(t *testing.T) []query {
	t.Helper()
	var board *dashboardJSON
	for _, b := range loadDashboards(t) {
		if b.file == "overview.json" {
			board = &b.dash
		}
	}
	if board == nil {
		t.Fatal("no overview.json among the dashboards")
	}
	all := frontendAllValue(t)
	vals := map[string][]string{"package": {all}, "iflow": {all}}
	interpolated := frontendInterpolatedOptions(t)
	var out []query
	for i, q := range dashboardQueries(*board) {
		model := applyTemplateVariables(q.model, vals, interpolated, all)
		qt, _ := model["queryType"].(string)
		if !slices.Contains([]string{"messageCounts", "errorGroups", "stuckMessages", "messages"}, qt) {
			continue
		}
		ref := fmt.Sprintf("%02d %s", i, q.where)
		delete(model, "refId")
		delete(model, "queryType")
		delete(model, "datasource")
		out = append(out, query{RefID: ref, QueryType: qt, JSON: model})
	}
	out = append(out, query{RefID: "durations", QueryType: "messageDurations", JSON: map[string]any{"format": "table", "groupBy": "iflow"}})
	return out
}

func TestHostileOverviewMessagePanels(t *testing.T) {
	queries := overviewMessageQueries(t)
	cases := []struct {
		hostile string
		perDay  int
		lo, hi  int // messages in the window: above 1000 so that the reads page
	}{
		{"malformed-dates", 20_000, 1100, 1900},
		{"huge-count", 20_000, 1100, 1900},
		{"no-inlinecount", 20_000, 1100, 1900},
		{"huge-pages", 20_000, 1100, 1400},
		{"ignore-skip", 20_000, 1100, 1900},
		{"many-artifacts", 20_000, 1100, 1900},
		{simulator.HostileCutErrorText, 20_000, 1100, 1900},
		{simulator.HostileScriptLinks, 20_000, 1100, 1900},
		// More failures than the failed-messages panel shows (200), and than the error-text budget.
		{"huge-count", 60_000, 9000, 12_000},
		{"no-inlinecount", 60_000, 9000, 12_000},
		{"ignore-skip", 60_000, 9000, 12_000},
		{simulator.HostileCutErrorText, 60_000, 9000, 12_000},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d", tc.hostile, tc.lo), func(t *testing.T) {
			t.Parallel()
			fx := newHostileFixture(t, tc.perDay, tc.hostile)
			texts := fx.d
			if tc.hostile == simulator.HostileCutErrorText {
				// The same tenant without the cut: the whole texts.
				c := clientOf(t)
				twin := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 71, MessagesPerDay: tc.perDay, IFlows: 12, Clients: []simulator.Client{c}}})
				texts = twin.direct(t, c.ID, c.Secret)
			}
			from, to, _ := fx.window(t, tc.lo, tc.hi)
			tr := fx.truth(t, from, to, texts)
			for load := range 2 {
				res := fx.h.queryAt(t, fx.ds, from, to, queries...)
				for _, q := range queries {
					checkPanel(t, fmt.Sprintf("load %d, %s", load+1, q.RefID), q, res.Responses[q.RefID], tr)
				}
				fx.assertAlive(t)
			}
		})
	}
}

// checkPanel requires a panel's answer to be the tenant's truth, or an error naming the API, or (for a
// number that differs) a notice.
func checkPanel(t *testing.T, where string, q query, r *pluginv2.DataResponse, tr panelTruth) {
	t.Helper()
	if r == nil {
		t.Errorf("%s: no response", where)
		return
	}
	if r.Error != "" {
		if !strings.Contains(r.Error, "MessageProcessingLogs") || len(r.Error) > 600 || strings.Contains(r.Error, "runtime error") {
			t.Errorf("%s: an error that does not name the failing API shortly: status %d %q", where, r.Status, r.Error)
		} else {
			t.Logf("%s: error %q", where, r.Error)
		}
		return
	}
	frames := decodeFrames(t, where, r)
	note := notices(r, t, where)
	wrong := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if note == "" {
			t.Errorf("%s: %s, without a notice", where, msg)
		} else {
			t.Logf("%s: %s, notice %q", where, msg, note)
		}
	}
	statuses := stringsOf(q.JSON["statuses"])
	switch q.QueryType {
	case "messageCounts":
		want := map[string]int{} // group → messages
		groupBy, _ := q.JSON["groupBy"].(string)
		for iflow, byStatus := range tr.byIFlow {
			for st, n := range byStatus {
				if len(statuses) > 0 && !slices.Contains(statuses, st) {
					continue
				}
				if groupBy == "iflow" {
					want[iflow] += n
				} else {
					want[st] += n
				}
			}
		}
		got := countGroups(t, where, q.JSON["format"].(string), groupBy, frames)
		for _, k := range unionKeys(want, got) {
			if want[k] != got[k] {
				wrong("%s %s: %d, the tenant holds %d", groupBy, k, got[k], want[k])
			}
		}
	case "stuckMessages":
		got := 0
		if q.JSON["format"] == "numeric" {
			got = int(messageTotal(t, frames))
		} else {
			got, _ = frames[0].RowLen()
		}
		if got != tr.stuck {
			wrong("%d stuck messages, the tenant holds %d", got, tr.stuck)
		}
	case "errorGroups":
		failed := tr.byStatus["FAILED"]
		if q.JSON["format"] == "annotations" {
			// One event per group; the counts are in the table.
			return
		}
		f := frames[0]
		counts := fieldByName(t, f, "count")
		sum := 0
		for i := 0; i < counts.Len(); i++ {
			v, _ := counts.ConcreteAt(i)
			sum += int(sseFloat(v))
		}
		if sum != failed {
			wrong("error groups count %d failures, the tenant holds %d", sum, failed)
		}
		samples, errs := fieldByName(t, f, "sample message id"), fieldByName(t, f, "sample error")
		for i := 0; i < samples.Len(); i++ {
			id, text := cell(samples, i), cell(errs, i)
			if id == "" || text == "" {
				continue
			}
			if want := tr.texts(id); !sameErrorText(text, want) {
				wrong("sample error of %s is %q, the tenant's text is %q", id, clip(text), clip(want))
			}
		}
	case "messages":
		ids := listed(t, where, r)
		want := min(len(tr.failedIDs), 200)
		if len(ids) != want {
			wrong("%d failed messages listed, want %d of %d", len(ids), want, len(tr.failedIDs))
		}
		// A cut list says of how many: the tenant's number.
		if m := ofTotalRE.FindStringSubmatch(note); m != nil && m[1] != fmt.Sprint(len(tr.failedIDs)) {
			t.Errorf("%s: notice %q, the tenant holds %d failed messages", where, note, len(tr.failedIDs))
		}
		errs := fieldByName(t, frames[0], "error")
		for i, id := range ids {
			if !tr.failedIDs[id] {
				t.Errorf("%s: message %s is not a failed message of the window", where, id)
				continue
			}
			text := cell(errs, i)
			if text == "" {
				if note == "" {
					t.Errorf("%s: message %s without error text and no notice", where, id)
				}
				continue
			}
			if want := tr.texts(id); !sameErrorText(text, want) {
				wrong("error of %s is %q, the tenant's text is %q", id, clip(text), clip(want))
			}
		}
	case "messageDurations":
		if tr.durations == nil {
			wrong("durations over messages whose dates the tenant sent malformed")
			return
		}
		f := frames[0]
		ids, msgs, maxes := fieldByName(t, f, "iFlow id"), fieldByName(t, f, "messages"), fieldByName(t, f, "max")
		got := map[string][2]int64{}
		for i := 0; i < ids.Len(); i++ {
			n, _ := msgs.ConcreteAt(i)
			m, _ := maxes.ConcreteAt(i)
			got[cell(ids, i)] = [2]int64{int64(sseFloat(n)), int64(sseFloat(m))}
		}
		for iflow, ds := range tr.durations {
			want := [2]int64{int64(len(ds)), slices.Max(ds)}
			if got[iflow] != want {
				wrong("durations of %s: %d messages, max %d ms; the tenant: %d, %d", iflow, got[iflow][0], got[iflow][1], want[0], want[1])
			}
		}
	}
}

// countGroups reads a messageCounts answer as group → messages in any of its formats.
func countGroups(t *testing.T, where, format, groupBy string, frames data.Frames) map[string]int {
	t.Helper()
	out := map[string]int{}
	label := "status"
	if groupBy == "iflow" {
		label = "iflow"
	}
	switch format {
	case "table":
		col := "status"
		if groupBy == "iflow" {
			col = "iFlow id"
		}
		keys, n := fieldByName(t, frames[0], col), fieldByName(t, frames[0], "messages")
		for i := 0; i < keys.Len(); i++ {
			v, _ := n.ConcreteAt(i)
			out[cell(keys, i)] += int(sseFloat(v))
		}
	default:
		for _, f := range frames {
			for _, fld := range f.Fields {
				if !numeric(fld) {
					continue
				}
				for i := 0; i < fld.Len(); i++ {
					if v, ok := fld.ConcreteAt(i); ok {
						out[fld.Labels[label]] += int(sseFloat(v))
					}
				}
			}
		}
	}
	for k, v := range out {
		if v == 0 {
			delete(out, k) // zero-filled groups
		}
	}
	return out
}

var ofTotalRE = regexp.MustCompile(`newest \d+ of (\d+)`)

func stringsOf(v any) []string {
	var out []string
	switch x := v.(type) {
	case []string:
		out = x
	case []any:
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

func unionKeys(a, b map[string]int) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// sameErrorText: the text shown is the tenant's (trimmed; a very long one cut at 4000 characters).
func sameErrorText(shown, tenant string) bool {
	shown = strings.TrimSpace(shown)
	if shown == tenant {
		return true
	}
	if r := []rune(tenant); len(r) > 4000 {
		return strings.HasPrefix(strings.TrimSuffix(shown, "…"), string(r[:3990]))
	}
	return false
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
