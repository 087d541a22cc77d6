package messages

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// frameData is what a user sees of a frame: its name, its fields' values, its notices and its message
// count, with the test server's address masked (links hold it).
func frameData(t *testing.T, frames data.Frames, base string) string {
	t.Helper()
	var out []string
	for _, f := range maskFrames(frames, base) {
		b, err := data.FrameToJSON(f, data.IncludeDataOnly)
		if err != nil {
			t.Fatal(err)
		}
		var notices []string
		var messages any
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				notices = append(notices, fmt.Sprintf("%v: %s", n.Severity, n.Text))
			}
			if c, ok := f.Meta.Custom.(map[string]any); ok {
				messages = c["messages"]
			}
		}
		names := make([]string, len(f.Fields))
		for i, fld := range f.Fields {
			names[i] = fld.Name
		}
		out = append(out, fmt.Sprintf("%s %v rows=%d messages=%v notices=%q\n%s", f.Name, names, f.Rows(), messages, notices, b))
	}
	return strings.Join(out, "\n")
}

// listRequests are the listings (not error texts) among the requests the tenant received.
func listRequests(tn *tenant) []string {
	var out []string
	for _, u := range tn.requests() {
		if strings.HasPrefix(u, "/api/v1/MessageProcessingLogs?") {
			out = append(out, u)
		}
	}
	return out
}

// failedRaw is one message of the tenant's own listing.
type failedRaw struct{ guid, status, appID, corr, custom string }

// tenantList lists, straight from the tenant, the messages with LogEnd in [from, to) (whole seconds)
// and one of the statuses, newest first.
func tenantList(t *testing.T, tn *tenant, from, to time.Time, statuses ...string) []failedRaw {
	t.Helper()
	var terms []string
	for _, s := range statuses {
		terms = append(terms, "Status eq '"+s+"'")
	}
	filter := "(" + strings.Join(terms, " or ") + ") and LogEnd ge datetime'" + from.UTC().Format("2006-01-02T15:04:05") +
		"' and LogEnd lt datetime'" + to.UTC().Format("2006-01-02T15:04:05") + "'"
	body := tn.direct(t, "MessageProcessingLogs", url.Values{"$filter": {filter}, "$orderby": {"LogEnd desc"},
		"$select": {"MessageGuid,Status,ApplicationMessageId,CorrelationId,CustomStatus"}, "$top": {"1000"}})
	var doc struct {
		D struct {
			Results []struct{ MessageGuid, Status, ApplicationMessageId, CorrelationId, CustomStatus string } `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.D.Results) == 1000 {
		t.Fatal("more than a page: narrow the test's window")
	}
	var out []failedRaw
	for _, r := range doc.D.Results {
		out = append(out, failedRaw{r.MessageGuid, r.Status, r.ApplicationMessageId, r.CorrelationId, r.CustomStatus})
	}
	return out
}

// TestListFromStoreEqualsDirect: with the store warm (a dashboard's counts read the range), a list of
// statuses other than COMPLETED is answered from the store, asks the tenant for no listing, and equals,
// value for value and notice for notice, the list of a tenant without a store, in both formats, with an
// iFlow filter (in the URL and too long for it) and capped by maxRows, for a dashboard's range, a range
// that ended, and a range off whole seconds near now. Its rows are the tenant's own listing of those
// statuses, newest first.
func TestListFromStoreEqualsDirect(t *testing.T) {
	withStore := newTestTenant(t, tenantOpts{perDay: 100_000})
	direct := newTestTenant(t, tenantOpts{perDay: 100_000, store: []StoreOption{WithStoreBytes(0)}})
	ctx := context.Background()
	if _, err := Counts(ctx, withStore.st, rangeOf(2*time.Hour, time.Minute), models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatTable}, "SIM"); err != nil {
		t.Fatal(err)
	}
	offSeconds := func(rg Range, from, to time.Duration) Range {
		rg.From, rg.To = rg.From.Add(from), rg.To.Add(to)
		return rg
	}
	ended := offSeconds(rangeOf(time.Hour, time.Minute), -20*time.Minute+17*time.Second+300*time.Millisecond, -20*time.Minute-23*time.Second-600*time.Millisecond)
	nearNow := offSeconds(rangeOf(time.Hour, time.Minute), 17*time.Second+300*time.Millisecond, -23*time.Second-600*time.Millisecond)
	ids := withStore.deployedIDs(t)
	failed := models.MessageFilters{Statuses: []string{"FAILED"}}
	tests := []struct {
		name string
		q    models.MessagesQuery
		// want: the tenant's own listing of these statuses (nil: not checked against it)
		want []string
		// capped: maxRows cuts the list (the notice says so)
		capped bool
	}{
		{"failed", models.MessagesQuery{MessageFilters: failed}, []string{"FAILED"}, false},
		{"failed logs", models.MessagesQuery{Format: models.FormatLogs, MessageFilters: models.MessageFilters{Statuses: []string{"failed"}}}, nil, false},
		{"retry and escalated", models.MessagesQuery{MessageFilters: models.MessageFilters{Statuses: []string{"RETRY", "ESCALATED"}}}, []string{"RETRY", "ESCALATED"}, false},
		{"every status but completed", models.MessagesQuery{MessageFilters: models.MessageFilters{Statuses: []string{"PROCESSING", "RETRY", "ESCALATED", "FAILED", "CANCELLED", "DISCARDED", "ABANDONED"}}}, nil, false},
		{"failed of three iFlows", models.MessagesQuery{MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}, IFlows: ids[:3]}}, nil, false},
		{"failed of all but one iFlow (filtered locally)", models.MessagesQuery{MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}, IFlows: ids[1:]}}, nil, false},
		{"failed capped", models.MessagesQuery{MaxRows: intp(7), MessageFilters: failed}, nil, true},
		{"failed capped, logs", models.MessagesQuery{MaxRows: intp(7), Format: models.FormatLogs, MessageFilters: failed}, nil, true},
		{"failed of three iFlows capped", models.MessagesQuery{MaxRows: intp(3), MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}, IFlows: ids[:3]}}, nil, true},
	}
	for _, rc := range []struct {
		name string
		rg   Range
	}{{"dashboard", rangeOf(time.Hour, time.Minute)}, {"ended", ended}, {"near now", nearNow}} {
		for _, tc := range tests {
			t.Run(rc.name+"/"+tc.name, func(t *testing.T) {
				rg := rc.rg
				withStore.reset()
				a, err := List(ctx, withStore.st, rg, tc.q, "SIM")
				if err != nil {
					t.Fatal(err)
				}
				b, err := List(ctx, direct.st, rg, tc.q, "SIM")
				if err != nil {
					t.Fatal(err)
				}
				if s := strategyOf(a); s != StrategyStore {
					t.Errorf("strategy %q, want %q", s, StrategyStore)
				}
				if l := listRequests(withStore); len(l) > 0 {
					t.Errorf("%d listings from a warm store: %v", len(l), l)
				}
				fa, fb := frameData(t, a, withStore.srv.URL), frameData(t, b, direct.srv.URL)
				if fa != fb {
					t.Errorf("store\n%s\ndirect\n%s", fa, fb)
				}
				if a[0].Rows() == 0 {
					t.Fatal("no rows: nothing compared")
				}
				if tc.capped && !strings.Contains(fa, fmt.Sprintf("Showing the newest %d of", *tc.q.MaxRows)) {
					t.Errorf("capped without the notice:\n%s", fa)
				}
				if tc.want == nil {
					return
				}
				raw := tenantList(t, withStore, rg.From, rg.To, tc.want...)
				f := a[0]
				if f.Rows() != len(raw) {
					t.Fatalf("%d rows, the tenant lists %d", f.Rows(), len(raw))
				}
				cols := []string{"message id", "status", "application id", "correlation id", "custom status"}
				for i, r := range raw {
					want := []string{r.guid, r.status, r.appID, r.corr, r.custom}
					for k, name := range cols {
						fld, _ := f.FieldByName(name)
						if got := fld.At(i).(string); got != want[k] {
							t.Fatalf("row %d %s %q, the tenant's %q", i, name, got, want[k])
						}
					}
				}
			})
		}
	}
}

// TestCappedListNearNowIsExact: capped, a list from the store over a range that starts and ends off whole
// minutes, shortly before now, shows the tenant's newest maxRows messages of the range and counts every
// message of the range, as the tenant lists them.
func TestCappedListNearNowIsExact(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000})
	ctx := context.Background()
	if _, err := Counts(ctx, tn.st, rangeOf(2*time.Hour, time.Minute), models.MessageCountsQuery{}, "SIM"); err != nil {
		t.Fatal(err)
	}
	rg := rangeOf(time.Hour, time.Minute)
	// A FAILED message ends between the range's end and now (the simulated tenant, seed 7).
	rg.From, rg.To = rg.From.Add(17*time.Second+300*time.Millisecond), rg.To.Add(-23*time.Second-600*time.Millisecond)
	f, err := List(ctx, tn.st, rg, models.MessagesQuery{MaxRows: intp(7), WithErrorText: new(bool),
		MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if s := strategyOf(f); s != StrategyStore {
		t.Errorf("strategy %q", s)
	}
	if after := tenantList(t, tn, rg.To, fixedNow, "FAILED"); len(after) == 0 {
		t.Fatal("no FAILED message after the range: the case is not tested")
	}
	raw := tenantList(t, tn, rg.From, rg.To, "FAILED")
	ids, _ := f[0].FieldByName("message id")
	if ids.Len() != 7 || len(raw) <= 7 {
		t.Fatalf("%d rows of the tenant's %d", ids.Len(), len(raw))
	}
	for i := 0; i < 7; i++ {
		if ids.At(i).(string) != raw[i].guid {
			t.Fatalf("row %d is %s, the tenant's %s", i, ids.At(i), raw[i].guid)
		}
	}
	if got := f[0].Meta.Custom.(map[string]any)["messages"]; fmt.Sprint(got) != fmt.Sprint(len(raw)) {
		t.Errorf("messages %v, the tenant lists %d", got, len(raw))
	}
	want := fmt.Sprintf("Showing the newest 7 of %d messages (maxRows 7)", len(raw))
	if n := f[0].Meta.Notices; len(n) != 1 || !strings.HasPrefix(n[0].Text, want) {
		t.Errorf("notices %v, want %q", n, want)
	}
}

// TestListWithCompletedGoesDirect: a list that may show COMPLETED messages (no status filter, "All",
// or COMPLETED among the statuses) asks the tenant even when the store holds the range.
func TestListWithCompletedGoesDirect(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000})
	ctx := context.Background()
	rg := rangeOf(time.Hour, time.Minute)
	if _, err := Counts(ctx, tn.st, rangeOf(2*time.Hour, time.Minute), models.MessageCountsQuery{}, "SIM"); err != nil {
		t.Fatal(err)
	}
	for i, statuses := range [][]string{nil, {"$__all"}, {"FAILED", "COMPLETED"}, {"completed"}} {
		tn.reset()
		// maxRows differs, so that no answer comes from the response cache.
		f, err := List(ctx, tn.st, rg, models.MessagesQuery{MaxRows: intp(50 + i), MessageFilters: models.MessageFilters{Statuses: statuses}}, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		if s := strategyOf(f); s != "" {
			t.Errorf("statuses %v: strategy %q", statuses, s)
		}
		if len(listRequests(tn)) == 0 {
			t.Errorf("statuses %v: answered without a listing", statuses)
		}
	}
}

// TestFailedListRefreshes: a FAILED list on a cold store asks the tenant with its own filter and leaves
// the store empty (reading the whole tenant for one narrow list does not pay); once a dashboard's counts
// hold the range, the list costs no listing, nor does a reload seconds later, and a refresh a minute
// later reads only the minutes at the edge, unfiltered (for every panel), and still shows what the
// tenant lists.
func TestFailedListRefreshes(t *testing.T) {
	var now atomic.Int64
	now.Store(fixedNow.UnixMilli())
	tn := liveTenant(t, 100_000, &now)
	ctx := context.Background()
	q := models.MessagesQuery{WithErrorText: new(bool), MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}}
	// at is the range of the hour before fixedNow+d; the tenant's clock is at fixedNow+tenant.
	at := func(d, tenant time.Duration) Range {
		now.Store(fixedNow.Add(tenant).UnixMilli())
		n := fixedNow.Add(d)
		return Range{From: n.Add(-time.Hour), To: n, Interval: time.Minute, MaxDataPoints: 1000, Now: n}
	}
	list := func(rg Range) data.Frames {
		t.Helper()
		tn.reset()
		f, err := List(ctx, tn.st, rg, q, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	rg := at(0, 0)
	f := list(rg)
	if s := strategyOf(f); s != "" {
		t.Errorf("cold: strategy %q", s)
	}
	for _, u := range listRequests(tn) {
		if !strings.Contains(u, "FAILED") {
			t.Errorf("cold: a listing without the status filter: %s", u)
		}
	}
	if b, rows := tn.st.rows.usage(); rows != 0 {
		t.Errorf("cold: the list read %d rows (%d bytes) into the store", rows, b)
	}
	if _, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{}, "SIM"); err != nil {
		t.Fatal(err)
	}
	check := func(step string, rg Range, f data.Frames) {
		t.Helper()
		if s := strategyOf(f); s != StrategyStore {
			t.Errorf("%s: strategy %q", step, s)
		}
		raw := tenantList(t, tn, rg.From, rg.To, "FAILED")
		ids, _ := f[0].FieldByName("message id")
		if ids.Len() != len(raw) || len(raw) == 0 {
			t.Fatalf("%s: %d rows, the tenant lists %d", step, ids.Len(), len(raw))
		}
		for i, r := range raw {
			if ids.At(i).(string) != r.guid {
				t.Fatalf("%s: row %d is %s, the tenant's %s", step, i, ids.At(i), r.guid)
			}
		}
	}
	f = list(rg)
	check("warm", rg, f)
	if l := listRequests(tn); len(l) != 0 {
		t.Errorf("warm: %d listings: %v", len(l), l)
	}
	// Nothing new at the tenant: a reload within edgeFresh reuses the minutes read.
	rg = at(10*time.Second, 0)
	f = list(rg)
	check("reload after 10 s", rg, f)
	if l := listRequests(tn); len(l) != 0 {
		t.Errorf("reload after 10 s: %d listings: %v", len(l), l)
	}
	rg = at(70*time.Second, 70*time.Second)
	f = list(rg)
	check("refresh after 70 s", rg, f)
	l := listRequests(tn)
	if len(l) == 0 || len(l) > 6 {
		t.Errorf("refresh after 70 s: %d listings: %v", len(l), l)
	}
	for _, u := range l {
		if strings.Contains(u, "FAILED") {
			t.Errorf("refresh after 70 s: a filtered listing: %s", u)
		}
	}
}

// TestStoreKeepsListFields: a message that is not COMPLETED comes back from the store with every field
// the list shows, its strings counted in the store's bytes; a COMPLETED one costs its 32-byte row only.
// Messages that end at the same millisecond come newest start first, as the tenant lists them.
func TestStoreKeepsListFields(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rs := newRowStore(DefaultStoreBytes)
	m0 := minuteOf(t0)
	end := t0.Add(30 * time.Second)
	failed := msg("G1", "FAILED", end)
	failed.LogStart = odata.Time{Time: end.Add(-5 * time.Second)}
	failed.AlternateWebLink = "https://t.example/G1"                                  // 20 bytes
	failed.CorrelationID, failed.ApplicationMessageID = "C-1", "APP-0001"             // 3 + 8
	failed.ApplicationMessageType, failed.CustomStatus = "ORDERS05", "BUSINESS_ERROR" // 8 + 14
	retry := msg("G2", "RETRY", end)                                                  // starts 2 s before its end
	later := msg("G3", "FAILED", end.Add(time.Millisecond))                           // the newest
	done := msg("G4", "COMPLETED", end.Add(2*time.Millisecond))                       // no extra
	f := rs.newFiller(m0, m0+1, t0.Add(10*time.Minute))
	if err := f.add([]mplRow{failed, retry}); err != nil {
		t.Fatal(err)
	}
	if err := f.add([]mplRow{later, done}); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(t0.Add(10 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	blocks, nm := rs.snapshot(m0, m0+1)
	if unsafe.Sizeof(storedRow{}) != 32 || unsafe.Sizeof(rowExtra{}) != 64 {
		t.Fatalf("a row takes %d bytes, an extra %d: the store's bound counts 32 and 64", unsafe.Sizeof(storedRow{}), unsafe.Sizeof(rowExtra{}))
	}
	// Four rows of 32 bytes; three extras of 64 bytes (three string headers and the cuts of the third)
	// and their strings: G1 2+20+3+8+8+14, G2 and G3 2 each.
	if want := int64(4*32 + 3*64 + 55 + 2 + 2); blocks[0].bytes != want {
		t.Errorf("%d bytes accounted, want %d", blocks[0].bytes, want)
	}
	var got []string
	s := scanSpec{filters: &filterSet{statuses: []string{"FAILED", "RETRY"}}, timeField: "LogEnd", desc: true, maxRows: 10,
		w: window{from: t0, to: t0.Add(time.Minute)}}
	_, err := newRun(&Store{}, t0.Add(10*time.Minute)).deliver(s, blocks, nm, func(rows []mplRow) error {
		for _, m := range rows {
			got = append(got, strings.Join([]string{m.MessageGuid, m.Status, m.LogStart.UTC().Format("05.000"), m.AlternateWebLink,
				m.CorrelationID, m.ApplicationMessageID, m.ApplicationMessageType, m.CustomStatus}, "|"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"G3|FAILED|28.001|||||",
		"G2|RETRY|28.000|||||",
		"G1|FAILED|25.000|https://t.example/G1|C-1|APP-0001|ORDERS05|BUSINESS_ERROR",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFailedListRefreshLoopIsExact: a list of FAILED and RETRY messages beside a dashboard's counts,
// refreshed every 30 s for 10 minutes of a busy tenant, shows each time exactly the tenant's listing —
// new failures, retries that move and retries that end in place (FAILED at the same LogEnd) included.
func TestFailedListRefreshLoopIsExact(t *testing.T) {
	var now atomic.Int64
	tn := liveTenant(t, 200_000, &now)
	ctx := context.Background()
	q := models.MessagesQuery{WithErrorText: new(bool), MessageFilters: models.MessageFilters{Statuses: []string{"FAILED", "RETRY"}}}
	for k := 0; k < 20; k++ {
		at := fixedNow.Add(time.Duration(k) * 30 * time.Second)
		now.Store(at.UnixMilli())
		rg := Range{From: at.Add(-30 * time.Minute), To: at, Interval: time.Minute, MaxDataPoints: 1000, Now: at}
		if _, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{}, "SIM"); err != nil {
			t.Fatal(err)
		}
		f, err := List(ctx, tn.st, rg, q, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		if s := strategyOf(f); s != StrategyStore {
			t.Fatalf("refresh %d: strategy %q", k, s)
		}
		checkListIsTenants(t, fmt.Sprintf("refresh %d", k), f, tenantList(t, tn, rg.From, rg.To, "FAILED", "RETRY"))
	}
}

// checkListIsTenants fails when the list's ids and statuses, in order, are not the tenant's own listing.
func checkListIsTenants(t *testing.T, what string, f data.Frames, raw []failedRaw) {
	t.Helper()
	ids, _ := f[0].FieldByName("message id")
	statuses, _ := f[0].FieldByName("status")
	if ids.Len() != len(raw) {
		t.Fatalf("%s: %d rows, the tenant lists %d", what, ids.Len(), len(raw))
	}
	for i, r := range raw {
		if ids.At(i).(string) != r.guid || statuses.At(i).(string) != r.status {
			t.Fatalf("%s: row %d is %s %s, the tenant's %s %s", what, i, ids.At(i), statuses.At(i), r.guid, r.status)
		}
	}
}

// TestCappedDirectListNearNowIsExact: a capped list that may show COMPLETED messages (read from the
// tenant, from the start's minute to the end of the current minute) over a range that starts off whole
// minutes shows the tenant's newest maxRows messages of the range and counts the tenant's messages of
// the range — when it ends shortly before now (messages after it), and when it ends now (the messages
// between the start's minute and the start are counted from a store that holds that minute, else with
// one $count).
func TestCappedDirectListNearNowIsExact(t *testing.T) {
	warm := newTestTenant(t, tenantOpts{perDay: 100_000})
	cold := newTestTenant(t, tenantOpts{perDay: 100_000, store: []StoreOption{WithStoreBytes(0)}})
	ctx := context.Background()
	if _, err := Counts(ctx, warm.st, rangeOf(2*time.Hour, time.Minute), models.MessageCountsQuery{}, "SIM"); err != nil {
		t.Fatal(err)
	}
	const maxRows = 7
	stamp := func(t time.Time) string { return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'" }
	for _, rc := range []struct {
		name   string
		to     time.Duration // before now
		counts map[string]int
	}{
		{"ends before now", 23*time.Second + 600*time.Millisecond, nil},
		{"ends now", 0, map[string]int{"warm store": 0, "no store": 1}},
	} {
		rg := rangeOf(time.Hour, time.Minute)
		rg.From, rg.To = rg.From.Add(17*time.Second+300*time.Millisecond), rg.To.Add(-rc.to)
		// The tenant's own answer: its newest maxRows messages of the range and its count of them.
		body := warm.direct(t, "MessageProcessingLogs", url.Values{"$filter": {"LogEnd ge " + stamp(rg.From) + " and LogEnd lt " + stamp(rg.To)},
			"$orderby": {"LogEnd desc"}, "$select": {"MessageGuid"}, "$top": {strconv.Itoa(maxRows)}, "$inlinecount": {"allpages"}})
		var doc struct {
			D struct {
				Count   string                         `json:"__count"`
				Results []struct{ MessageGuid string } `json:"results"`
			} `json:"d"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.D.Results) != maxRows {
			t.Fatalf("the tenant's listing: %v, %d rows", err, len(doc.D.Results))
		}
		if rc.to > 0 {
			if n := warm.direct(t, "MessageProcessingLogs/$count", url.Values{"$filter": {"LogEnd ge " + stamp(rg.To)}}); strings.TrimSpace(string(n)) == "0" {
				t.Fatal("no message after the range: the case is not tested")
			}
		}
		for _, tc := range []struct {
			name string
			tn   *tenant
		}{{"warm store", warm}, {"no store", cold}} {
			t.Run(rc.name+"/"+tc.name, func(t *testing.T) {
				tc.tn.reset()
				f, err := List(ctx, tc.tn.st, rg, models.MessagesQuery{MaxRows: intp(maxRows), WithErrorText: new(bool)}, "SIM")
				if err != nil {
					t.Fatal(err)
				}
				ids, _ := f[0].FieldByName("message id")
				if ids.Len() != maxRows {
					t.Fatalf("%d rows, want %d", ids.Len(), maxRows)
				}
				for i, r := range doc.D.Results {
					if ids.At(i).(string) != r.MessageGuid {
						t.Fatalf("row %d is %s, the tenant's %s", i, ids.At(i), r.MessageGuid)
					}
				}
				if got := f[0].Meta.Custom.(map[string]any)["messages"]; fmt.Sprint(got) != doc.D.Count {
					t.Errorf("messages %v, the tenant counts %s", got, doc.D.Count)
				}
				counts := 0
				for _, u := range tc.tn.requests() {
					if strings.Contains(u, "/$count") {
						counts++
					}
				}
				if want, ok := rc.counts[tc.name]; ok && counts != want {
					t.Errorf("%d $count requests, want %d", counts, want)
				}
			})
		}
	}
}

// TestDirectListFitsUnderTheCap: a list over a range that starts off a whole minute and ends now, whose
// messages fit under maxRows but not together with those between the start's minute and the start
// (read with it and dropped), shows every message of the range, counts them, and says nothing was cut.
func TestDirectListFitsUnderTheCap(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000, store: []StoreOption{WithStoreBytes(0)}})
	rg := rangeOf(10*time.Minute, time.Minute)
	rg.From = rg.From.Add(37 * time.Second)
	stamp := func(t time.Time) string { return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'" }
	inRange := tn.directCount(t, "LogEnd ge "+stamp(rg.From)+" and LogEnd lt "+stamp(rg.To))
	before := tn.directCount(t, "LogEnd ge "+stamp(rg.From.Truncate(time.Minute))+" and LogEnd lt "+stamp(rg.From))
	if before < 4 {
		t.Fatalf("%d messages between the start's minute and the start: the case is not tested", before)
	}
	maxRows := int(inRange) + 2
	f, err := List(context.Background(), tn.st, rg, models.MessagesQuery{MaxRows: intp(maxRows), WithErrorText: new(bool)}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if n := f[0].Rows(); int64(n) != inRange {
		t.Errorf("%d rows, the tenant has %d in the range", n, inRange)
	}
	if got := f[0].Meta.Custom.(map[string]any)["messages"]; fmt.Sprint(got) != fmt.Sprint(inRange) {
		t.Errorf("messages %v, the tenant counts %d", got, inRange)
	}
	for _, n := range f[0].Meta.Notices {
		if strings.Contains(n.Text, "maxRows") {
			t.Errorf("notice %q: every message of the range is shown (%d of maxRows %d)", n.Text, inRange, maxRows)
		}
	}
}

// overcountingTenant multiplies every __count the tenant sends by 10^6: a tenant whose counts are wrong.
func overcountingTenant(next http.Handler) http.Handler {
	count := regexp.MustCompile(`"__count":"(\d+)"`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := count.ReplaceAllFunc(rec.Body.Bytes(), func(m []byte) []byte {
			return []byte(`"__count":"` + string(count.FindSubmatch(m)[1]) + `000000"`)
		})
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestCappedListWithWrongCount: a capped list never shows a total the tenant's pages disprove. Read in
// one page (maxRows 200) the count is checked by asking for its last row; read in slices (maxRows 1500)
// the slices' counts disprove it without a request more. The rows are the tenant's newest either way.
func TestCappedListWithWrongCount(t *testing.T) {
	rg := rangeOf(30*time.Minute, time.Minute)
	for _, tc := range []struct {
		maxRows   int
		wantCheck bool // the count is checked with a request of its own
	}{{200, true}, {1500, false}} {
		t.Run(strconv.Itoa(tc.maxRows), func(t *testing.T) {
			honest := newTestTenant(t, tenantOpts{perDay: 200_000, store: []StoreOption{WithStoreBytes(0)}})
			tn := newTestTenant(t, tenantOpts{perDay: 200_000, store: []StoreOption{WithStoreBytes(0)}, wrap: overcountingTenant})
			q := models.MessagesQuery{MaxRows: intp(tc.maxRows), WithErrorText: new(bool)}
			want, err := List(context.Background(), honest.st, rg, q, "SIM")
			if err != nil {
				t.Fatal(err)
			}
			f, err := List(context.Background(), tn.st, rg, q, "SIM")
			if err != nil {
				t.Fatal(err)
			}
			// The same tenant that counts right (same seed) is the oracle of the rows.
			ids := func(f data.Frames) []string {
				fld, _ := f[0].FieldByName("message id")
				out := make([]string, fld.Len())
				for i := range out {
					out[i] = fld.At(i).(string)
				}
				return out
			}
			if got, w := ids(f), ids(want); !slices.Equal(got, w) || len(got) != tc.maxRows {
				t.Errorf("%d rows, not the %d newest the tenant lists", len(got), len(w))
			}
			if custom, _ := f[0].Meta.Custom.(map[string]any); custom["messages"] != nil {
				got := custom["messages"]
				t.Errorf("messages %v: a total the tenant's pages disprove", got)
			}
			var notices []string
			for _, n := range f[0].Meta.Notices {
				notices = append(notices, n.Text)
			}
			all := strings.Join(notices, " | ")
			if !strings.Contains(all, "counted more messages than its pages held") || !strings.Contains(all, fmt.Sprintf("Showing the newest %d messages", tc.maxRows)) {
				t.Errorf("notices %q", all)
			}
			checked := slices.ContainsFunc(tn.requests(), func(u string) bool { return strings.Contains(u, "skip=") && strings.HasSuffix(u, "top=1") })
			if checked != tc.wantCheck {
				t.Errorf("count checked with a request: %v, want %v: %v", checked, tc.wantCheck, tn.requests())
			}
		})
	}
}
