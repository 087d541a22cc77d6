package messages

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// numericValues reads numeric (or time series) frames into label set → total, checking the alerting
// contract on the way: one numeric field per frame, the tenant label, unique label sets.
func numericValues(t *testing.T, frames data.Frames) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, f := range frames {
		if len(f.Fields) == 0 {
			continue
		}
		var nums []*data.Field
		for _, fld := range f.Fields {
			if fld.Type().Numeric() {
				nums = append(nums, fld)
			} else if fld.Type() != data.FieldTypeTime {
				t.Fatalf("frame %q has a %s field %q", f.Name, fld.Type(), fld.Name)
			}
		}
		if len(nums) != 1 {
			t.Fatalf("frame %q has %d numeric fields, want 1", f.Name, len(nums))
		}
		v := nums[0]
		if v.Labels["tenant"] != "SIM" {
			t.Fatalf("frame %q: labels %v without the tenant", f.Name, v.Labels)
		}
		key := v.Labels.String()
		if _, dup := out[key]; dup {
			t.Fatalf("label set %s twice", key)
		}
		total := 0.0
		for i := 0; i < v.Len(); i++ {
			if x, ok := v.ConcreteAt(i); ok {
				total += x.(float64)
			}
		}
		out[key] = total
	}
	return out
}

func window24h(from, to time.Time) string {
	return timeTerms("LogEnd", window{from, to})
}

func strategyOf(frames data.Frames) string {
	s, _ := frames[0].Meta.Custom.(map[string]any)["strategy"].(string)
	return s
}

// TestCountStrategies checks each counting strategy against the tenant's own $count, and the number of
// requests each one makes.
func TestCountStrategies(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		perDay   int
		rg       Range
		q        models.MessageCountsQuery
		strategy string
		// maxHits bounds the requests as a function of the window's messages and groups.
		maxHits func(messages int64, groups int) int64
	}{
		{"small window: the probe answers", 20_000, rangeOf(20*time.Minute, time.Minute),
			models.MessageCountsQuery{Format: models.FormatNumeric}, StrategyProbe,
			func(int64, int) int64 { return 1 }},
		{"one number per status: $count per status", 100_000, rangeOf(12*time.Hour, time.Minute),
			models.MessageCountsQuery{Format: models.FormatNumeric}, StrategyCount,
			func(_ int64, groups int) int64 { return 1 + int64(groups) }},
		{"one number per iFlow: $count per deployed iFlow", 100_000, rangeOf(12*time.Hour, time.Minute),
			models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatNumeric}, StrategyCount,
			func(_ int64, groups int) int64 { return 2 + int64(groups) }}, // probe, deployed list, one per iFlow
		{"fine time series: rows", 100_000, rangeOf(6*time.Hour, time.Minute),
			models.MessageCountsQuery{GroupBy: GroupIFlow}, StrategyRows,
			func(n int64, _ int) int64 { return 2 + (n+999)/1000 + (n+sliceRows-1)/sliceRows }},
		{"status time series over a busy day: counted and read", 200_000, rangeOf(24*time.Hour, 30*time.Minute),
			models.MessageCountsQuery{}, StrategyCountRows,
			func(n int64, groups int) int64 { return 1 + int64(groups) + 48*2 + n/1000/5 }},
		{"package table: rows", 100_000, rangeOf(3*time.Hour, time.Minute),
			models.MessageCountsQuery{GroupBy: GroupPackage, Format: models.FormatTable}, StrategyRows,
			func(n int64, _ int) int64 { return 1 + (n+999)/1000 + (n+sliceRows-1)/sliceRows }},
	}
	// Each case runs twice: asking the tenant directly (no row store), and through the row store, which
	// must give the same numbers at about the cost of reading the rows once.
	storeHits := func(n int64, _ int) int64 { return 5 + (n+999)/1000 + (n+sliceRows-1)/sliceRows }
	for _, tc := range tests {
		for _, viaStore := range []bool{false, true} {
			name, opts, strategy, maxHits := tc.name, []StoreOption{WithStoreBytes(0)}, tc.strategy, tc.maxHits
			if viaStore {
				name, opts, strategy, maxHits = tc.name+" (row store)", nil, StrategyStore, storeHits
			}
			t.Run(name, func(t *testing.T) {
				tn := newTestTenant(t, tenantOpts{perDay: tc.perDay, store: opts})
				frames, err := Counts(ctx, tn.st, tc.rg, tc.q, "SIM")
				if err != nil {
					t.Fatal(err)
				}
				if got := strategyOf(frames); got != strategy {
					t.Errorf("strategy %q, want %q", got, strategy)
				}
				w := tc.rg.window()
				if tc.q.Format == "" {
					w = makeBuckets(tc.rg).window()
				}
				total := tn.directCount(t, window24h(w.from, w.to))
				groupBy := tc.q.GroupBy
				if groupBy == "" {
					groupBy = GroupStatus
				}
				var got map[string]float64
				if tc.q.Format == models.FormatTable {
					got = map[string]float64{}
					f := frames[0]
					ids, _ := f.FieldByName("package id")
					counts, _ := f.FieldByName("messages")
					for i := 0; i < f.Rows(); i++ {
						got[ids.At(i).(string)] = counts.At(i).(float64)
					}
				} else {
					got = numericValues(t, frames)
				}
				sum := 0.0
				for _, v := range got {
					sum += v
				}
				if int64(sum) != total {
					t.Errorf("the groups add up to %v, the tenant counts %d", sum, total)
				}
				// Each group's count is the tenant's.
				for key, v := range got {
					var term string
					switch groupBy {
					case GroupStatus:
						term = odata.Eq("Status", labelValue(key, "status"))
					case GroupIFlow:
						term = odata.Eq("IntegrationArtifact/Id", labelValue(key, "iflow"))
					case GroupPackage:
						term = odata.Eq("IntegrationArtifact/PackageId", key)
					}
					if want := tn.directCount(t, odata.And(window24h(w.from, w.to), term)); int64(v) != want {
						t.Errorf("%s: %v, the tenant counts %d", key, v, want)
					}
					if len(got) > 12 {
						break // enough spot checks for many iFlows
					}
				}
				groups := len(Statuses)
				if groupBy == GroupIFlow {
					groups = tn.deployedCount(t)
					if len(got) < groups {
						t.Errorf("%d series for %d deployed iFlows: not zero-filled", len(got), groups)
					}
				}
				if hits, limit := tn.hits.Load(), maxHits(total, groups); hits > limit {
					t.Errorf("%d requests for %d messages in %d groups; at most %d expected", hits, total, groups, limit)
				}
				t.Logf("%d messages: %d requests (strategy %s)", total, tn.hits.Load(), strategyOf(frames))
			})
		}
	}
}

// labelValue reads one label from a Labels.String() key.
func labelValue(key, name string) string {
	for _, part := range strings.Split(strings.Trim(key, "{}"), ", ") {
		if k, v, ok := strings.Cut(part, "="); ok && k == name {
			return v
		}
	}
	return ""
}

// TestZeroFill: silence is 0 for every deployed iFlow and every status, not "no data".
func TestZeroFill(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	ctx := context.Background()
	rg := rangeOf(time.Minute, time.Minute)
	frames, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatNumeric,
		MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	got := numericValues(t, frames)
	if deployed := tn.deployedCount(t); len(got) != deployed {
		t.Fatalf("%d series, want one per deployed iFlow (%d)", len(got), deployed)
	}
	zeros := 0
	for _, v := range got {
		if v == 0 {
			zeros++
		}
	}
	if zeros < len(got)/2 {
		t.Fatalf("only %d of %d iFlows silent in one minute: the test window is too busy to prove zero-filling", zeros, len(got))
	}

	frames, err = Counts(ctx, tn.st, rangeOf(10*time.Minute, 5*time.Minute), models.MessageCountsQuery{}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	got = numericValues(t, frames)
	for _, s := range Statuses {
		if _, ok := got[data.Labels{"status": s, "tenant": "SIM"}.String()]; !ok {
			t.Errorf("no series for status %s", s)
		}
	}
	for _, f := range frames {
		if f.Fields[0].Len() != 2 || f.Fields[0].Type() != data.FieldTypeTime {
			t.Fatalf("frame %q: want a time field with 2 five-minute buckets", f.Name)
		}
	}
}

// TestHostileValues: quotes are escaped (the tenant answers and nothing matches), unicode passes, and
// values that cannot be sent are refused with the option's name before any request.
func TestHostileValues(t *testing.T) {
	ctx := context.Background()
	rg := rangeOf(30*time.Minute, time.Minute)
	t.Run("escaped", func(t *testing.T) {
		for _, f := range []models.MessageFilters{
			{IFlows: []string{"' or '1' eq '1"}},
			{Senders: []string{"x') or (Status eq 'FAILED"}},
			{CorrelationID: "' or 1 eq 1 or '"},
			{Receivers: []string{"Zürich→東京 \"quoted\" 😀"}},
			{CustomHeaderName: "Order'Id", CustomHeaderValue: "1' eq '1"},
		} {
			tn := newTestTenant(t, tenantOpts{perDay: 20_000})
			frames, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{Format: models.FormatNumeric, MessageFilters: f}, "SIM")
			if err != nil {
				t.Fatalf("%+v refused: %v", f, err)
			}
			for key, v := range numericValues(t, frames) {
				if v != 0 {
					t.Errorf("%+v matched %v messages (%s): the value was not escaped", f, v, key)
				}
			}
			reqs := strings.Join(tn.requests(), "\n")
			if strings.Contains(f.CorrelationID, "'") && !strings.Contains(reqs, "''%20or%201%20eq%201%20or%20''") {
				t.Errorf("quotes not doubled in %s", reqs)
			}
		}
	})
	t.Run("refused", func(t *testing.T) {
		tests := []struct {
			f    models.MessageFilters
			want []string
		}{
			{models.MessageFilters{MessageID: strings.Repeat("A", 10_000)}, []string{"messageId", "10000", "1024"}},
			{models.MessageFilters{IFlows: []string{"ok", strings.Repeat("é", 2000)}}, []string{"iflows", "2000"}},
			{models.MessageFilters{Senders: []string{"line\nbreak"}}, []string{"senders", "control character"}},
			{models.MessageFilters{CustomHeaderName: "Order\x00", CustomHeaderValue: "1"}, []string{"customHeaderName", "control character"}},
			{models.MessageFilters{IFlows: []string{"$iflow"}}, []string{"iflows", "$iflow", "template variable"}},
			{models.MessageFilters{Packages: []string{"${pkg}"}}, []string{"packages", "template variable"}},
			{models.MessageFilters{Statuses: []string{"FAILED", "BROKEN"}}, []string{"statuses", "BROKEN", "COMPLETED"}},
			{models.MessageFilters{CustomHeaderName: "OrderId"}, []string{"customHeaderValue"}},
			{models.MessageFilters{CustomHeaderValue: "42"}, []string{"customHeaderName"}},
			{models.MessageFilters{ApplicationMessageType: string([]byte{0xff, 0xfe})}, []string{"applicationMessageType", "UTF-8"}},
		}
		for _, tc := range tests {
			tn := newTestTenant(t, tenantOpts{perDay: 20_000})
			_, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{MessageFilters: tc.f}, "SIM")
			if err == nil {
				t.Fatalf("%.60q accepted", tc.f)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tn.hits.Load() != 0 {
				t.Errorf("%d requests made before refusing", tn.hits.Load())
			}
		}
	})
}

func TestStatusFilterIsCaseInsensitiveAndNarrowed(t *testing.T) {
	ctx := context.Background()
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	rg := rangeOf(6*time.Hour, time.Minute)
	if _, err := Stuck(ctx, tn.st, rg, models.StuckMessagesQuery{MessageFilters: models.MessageFilters{Statuses: []string{"failed"}}}, "SIM"); err == nil ||
		!strings.Contains(err.Error(), "PROCESSING and RETRY") {
		t.Errorf("stuckMessages with statuses=[failed]: %v", err)
	}
	frames, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{Format: models.FormatNumeric, MessageFilters: models.MessageFilters{Statuses: []string{"failed", "Retry"}}}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if got := numericValues(t, frames); len(got) != 2 {
		t.Errorf("series %v, want FAILED and RETRY", got)
	}
}

func TestRetentionNotice(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	for _, tc := range []struct {
		back time.Duration
		want bool
	}{{40 * 24 * time.Hour, true}, {29 * 24 * time.Hour, false}} {
		rg := Range{From: fixedNow.Add(-tc.back), To: fixedNow.Add(-tc.back + 10*time.Minute), Now: fixedNow, Interval: time.Minute}
		frames, err := List(context.Background(), tn.st, rg, models.MessagesQuery{}, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range frames[0].Meta.Notices {
			found = found || strings.Contains(n.Text, "30 days")
		}
		if found != tc.want {
			t.Errorf("range starting %s ago: retention notice %v, want %v", tc.back, found, tc.want)
		}
	}
}

// TestListNewestFirstCappedAndErrorTextsBounded: a list above its cap is the newest rows, each once,
// with at most 100 error-text requests; the same query again reads no text twice.
func TestListNewestFirstCappedAndErrorTextsBounded(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 200_000})
	ctx := context.Background()
	rg := rangeOf(2*time.Hour, time.Minute)
	q := models.MessagesQuery{MaxRows: intp(6000)}
	frames, err := List(ctx, tn.st, rg, q, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	if f.Rows() != 6000 {
		t.Fatalf("%d rows, want the cap 6000", f.Rows())
	}
	times, _ := f.FieldByName("time")
	ids, _ := f.FieldByName("message id")
	statuses, _ := f.FieldByName("status")
	errs, _ := f.FieldByName("error")
	seen := map[string]bool{}
	failed, withText := 0, 0
	for i := 0; i < f.Rows(); i++ {
		if i > 0 && times.At(i).(time.Time).After(times.At(i-1).(time.Time)) {
			t.Fatalf("row %d is newer than row %d: not newest first", i, i-1)
		}
		id := ids.At(i).(string)
		if seen[id] {
			t.Fatalf("message %s twice", id)
		}
		seen[id] = true
		if statuses.At(i) == "FAILED" {
			failed++
			if errs.At(i) != "" {
				withText++
			}
		} else if errs.At(i) != "" {
			t.Fatalf("row %d (%s) has an error text", i, statuses.At(i))
		}
	}
	newest := tn.direct(t, "MessageProcessingLogs", url.Values{"$filter": {window24h(rg.window().from, rg.window().to)}, "$orderby": {"LogEnd desc"}, "$top": {"1"}, "$select": {"MessageGuid"}})
	if !strings.Contains(string(newest), ids.At(0).(string)) {
		t.Errorf("first row %s is not the newest message", ids.At(0))
	}
	// The tenant's budget (60 texts at once) is below the list's own limit (100).
	budget := DefaultTextBurst
	if failed <= 2*budget || withText != budget {
		t.Fatalf("%d failed rows, %d with text; want more than %d failed and exactly %d texts", failed, withText, 2*budget, budget)
	}
	if got := f.Meta.Custom.(map[string]any)["errorTextsUnread"]; got != failed-budget {
		t.Errorf("errorTextsUnread %v, want %d", got, failed-budget)
	}
	textRequests := func() int {
		n := 0
		for _, u := range tn.requests() {
			if strings.Contains(u, "ErrorInformation") {
				n++
			}
		}
		return n
	}
	if n := textRequests(); n != budget {
		t.Errorf("%d error-text requests, want %d", n, budget)
	}
	pages := 0
	for _, u := range tn.requests() {
		if !strings.Contains(u, "ErrorInformation") {
			pages++
		}
	}
	if pages > 6000/1000+4 {
		t.Errorf("%d page requests for 6000 rows", pages)
	}
	notices := ""
	for _, n := range f.Meta.Notices {
		notices += n.Text
	}
	if !strings.Contains(notices, "newest 6000") || !strings.Contains(notices, "without one") {
		t.Errorf("notices %q", notices)
	}
	first := map[string]bool{}
	for _, u := range tn.requests() {
		first[u] = true
	}
	// A reload: the budget is spent, the texts read are kept.
	tn.reset()
	frames, err = List(ctx, tn.st, rg, q, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if n := textRequests(); n != 0 {
		t.Errorf("%d error-text requests on a reload within the minute", n)
	}
	if got := withTexts(frames[0]); got != budget {
		t.Errorf("%d rows with text on the reload, want %d", got, budget)
	}
	// A refresh once the budget is full again reads the next texts; none twice.
	next := rg
	next.Now = rg.Now.Add(time.Hour)
	frames, err = List(ctx, tn.st, next, q, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range tn.requests() {
		if strings.Contains(u, "ErrorInformation") && first[u] {
			t.Fatalf("error text requested again: %s", u)
		}
	}
	if n := textRequests(); n != budget {
		t.Errorf("%d new error-text requests on the next refresh, want %d", n, budget)
	}
	if got := withTexts(frames[0]); got != 2*budget {
		t.Errorf("%d rows with text after the refresh, want %d", got, 2*budget)
	}
}

func withTexts(f *data.Frame) int {
	errs, _ := f.FieldByName("error")
	n := 0
	for i := 0; i < errs.Len(); i++ {
		if errs.At(i) != "" {
			n++
		}
	}
	return n
}

// TestServerIgnoringSkip: a tenant that ignores $skip still gives the right counts (the listing follows
// __next instead).
func TestServerIgnoringSkip(t *testing.T) {
	strip := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Has("$skip") {
				q.Del("$skip")
				r.URL.RawQuery = q.Encode()
			}
			h.ServeHTTP(w, r)
		})
	}
	tn := newTestTenant(t, tenantOpts{perDay: 100_000, wrap: strip})
	rg := rangeOf(2*time.Hour, time.Minute)
	frames, err := Counts(context.Background(), tn.st, rg, models.MessageCountsQuery{GroupBy: GroupPackage, Format: models.FormatNumeric}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, v := range numericValues(t, frames) {
		sum += v
	}
	w := rg.window()
	if want := tn.directCount(t, window24h(w.from, w.to)); int64(sum) != want {
		t.Errorf("counted %v, the tenant has %d", sum, want)
	}
	followed := slices.ContainsFunc(tn.requests(), func(u string) bool { return strings.Contains(u, "skiptoken") })
	if !followed {
		t.Errorf("no __next link was followed")
	}
}

// TestLongListsFilteredLocally: a list too long for the URL ("All" over many iFlows) is applied to the
// rows instead of the $filter.
func TestLongListsFilteredLocally(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000, iflows: 150})
	rg := rangeOf(30*time.Minute, time.Minute)
	all, err := Counts(context.Background(), tn.st, rg, models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatTable}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := all[0].FieldByName("iFlow id")
	var wanted []string
	for i := 0; i < ids.Len(); i += 2 {
		wanted = append(wanted, ids.At(i).(string))
	}
	wanted = append(wanted, "Not_A_Deployed_Flow_With_A_Long_Name")
	tn.reset()
	frames, err := List(context.Background(), tn.st, rg, models.MessagesQuery{MessageFilters: models.MessageFilters{IFlows: wanted}}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range tn.requests() {
		if strings.Contains(u, "IntegrationArtifact/Id") {
			t.Fatalf("a %d-value list was sent in the URL: %.200s", len(wanted), u)
		}
	}
	got, _ := frames[0].FieldByName("iFlow id")
	if got.Len() == 0 {
		t.Fatal("no rows")
	}
	for i := 0; i < got.Len(); i++ {
		if !slices.Contains(wanted, got.At(i).(string)) {
			t.Fatalf("row of iFlow %s, which is not in the list", got.At(i))
		}
	}
}

func TestCustomHeaderFilter(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	rg := rangeOf(2*time.Hour, time.Minute)
	frames, err := List(context.Background(), tn.st, rg, models.MessagesQuery{MessageFilters: models.MessageFilters{
		CustomHeaderName: "Country", CustomHeaderValue: "DE"}}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(tn.requests(), " "), "filterCustomHeaderProperties='Country'%20eq%20'DE'") {
		t.Errorf("requests %v", tn.requests())
	}
	rows := frames[0].Rows()
	w := rg.window()
	total := tn.directCount(t, window24h(w.from, w.to))
	if rows == 0 || int64(rows) >= total {
		t.Errorf("%d of %d messages match Country=DE", rows, total)
	}
}

func TestDurationStats(t *testing.T) {
	st := stats([]int32{900, 100, 300, 200, 500, 400, 700, 600, 800, 1000})
	want := durationStats{count: 10, avg: 550, p50: 500, p95: 1000, max: 1000}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	if (stats(nil) != durationStats{}) {
		t.Error("stats of nothing")
	}
}

func TestBucketsAndSlices(t *testing.T) {
	rg := Range{From: fixedNow.Add(-time.Hour - 90*time.Second), To: fixedNow, Interval: 30 * time.Second, MaxDataPoints: 1000, Now: fixedNow}
	b := makeBuckets(rg)
	if b.width != time.Minute || !b.start.Equal(fixedNow.Add(-62*time.Minute)) || b.n != 62 {
		t.Errorf("buckets %+v", b)
	}
	rg.MaxDataPoints = 10
	if b := makeBuckets(rg); b.n > 10 || b.width%time.Minute != 0 {
		t.Errorf("buckets %+v exceed 10 points", b)
	}
	w := window{fixedNow.Add(-24 * time.Hour), fixedNow.Add(-7 * time.Second)}
	parts := splitWindow(w, 7, 5*time.Minute)
	if !parts[0].from.Equal(w.from) || !parts[len(parts)-1].to.Equal(w.to) {
		t.Fatalf("slices %v do not cover %v", parts, w)
	}
	for i := range parts {
		if i > 0 && !parts[i].from.Equal(parts[i-1].to) {
			t.Fatalf("gap between slices %d and %d", i-1, i)
		}
		if i < len(parts)-1 && parts[i].to.UnixNano()%int64(5*time.Minute) != 0 {
			t.Errorf("inner boundary %s not aligned", parts[i].to)
		}
	}
	if len(parts) < 7 || len(parts) > 16 {
		t.Errorf("%d slices, want 7 to 16", len(parts))
	}
	// A minute later, the same slices but the edges: a refresh reuses every inner slice.
	later := splitWindow(window{w.from.Add(time.Minute), w.to.Add(time.Minute)}, 7, 5*time.Minute)
	inner := map[window]bool{}
	for _, p := range later[1 : len(later)-1] {
		inner[p] = true
	}
	for _, p := range parts[1 : len(parts)-1] {
		if !inner[p] {
			t.Errorf("slice %v of the first window is not a slice a minute later", p)
		}
	}
}

func TestLogsFrame(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	frames, err := List(context.Background(), tn.st, rangeOf(time.Hour, time.Minute), models.MessagesQuery{Format: models.FormatLogs, MaxRows: intp(300)}, "PRD")
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	if f.Meta.Type != data.FrameTypeLogLines || f.Meta.PreferredVisualization != data.VisTypeLogs {
		t.Fatalf("meta %+v", f.Meta)
	}
	for i, name := range []string{"timestamp", "body", "severity", "id", "labels"} {
		if f.Fields[i].Name != name {
			t.Fatalf("field %d is %q, want %q", i, f.Fields[i].Name, name)
		}
	}
	sev, _ := f.FieldByName("severity")
	labels, _ := f.FieldByName("labels")
	levels := map[string]bool{}
	for i := 0; i < f.Rows(); i++ {
		levels[sev.At(i).(string)] = true
		l := string(labels.At(i).(json.RawMessage))
		if !strings.Contains(l, `"tenant":"PRD"`) || !strings.Contains(l, `"iflow":`) || !strings.Contains(l, `"status":`) {
			t.Fatalf("labels %s", l)
		}
	}
	if !levels["info"] || !levels["error"] {
		t.Errorf("levels %v: want info and error among 300 messages", levels)
	}
}

// TestFormatsAndGroupingsKeptFromAnotherType: a groupBy of another query type (left in a query saved by an
// older editor) gives the default, as the editor shows; an unknown value fails (formats: models.ResolveFormat).
func TestFormatsAndGroupingsKeptFromAnotherType(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	rg := rangeOf(10*time.Minute, time.Minute)
	frames, err := Durations(context.Background(), tn.st, rg, models.MessageDurationsQuery{GroupBy: GroupStatus, Format: models.FormatTable}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if _, i := frames[0].FieldByName("iFlow id"); i < 0 {
		t.Errorf("groupBy status on messageDurations did not fall back to per iFlow")
	}
	if _, err := Durations(context.Background(), tn.st, rg, models.MessageDurationsQuery{GroupBy: "planet"}, "SIM"); err == nil || !strings.Contains(err.Error(), "planet") {
		t.Errorf("groupBy planet: %v", err)
	}
	if _, err := List(context.Background(), tn.st, rg, models.MessagesQuery{Format: "pie"}, "SIM"); err == nil || !strings.Contains(err.Error(), "pie") {
		t.Errorf("format pie: %v", err)
	}
}

// TestAllMeansNoFilter: a variable set to "All" ($__all or *) filters nothing: the answer and the
// requests are those of the unfiltered query.
func TestAllMeansNoFilter(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	rg := rangeOf(30*time.Minute, time.Minute)
	want := tn.directCount(t, window24h(rg.window().from, rg.window().to))
	for _, all := range [][]string{{"$__all"}, {"*"}, {"Some_Flow", "$__all"}} {
		tn.reset()
		frames, err := Counts(context.Background(), tn.st, rg, models.MessageCountsQuery{Format: models.FormatNumeric,
			MessageFilters: models.MessageFilters{IFlows: all, Packages: all, Senders: all, Receivers: all}}, "SIM")
		if err != nil {
			t.Fatalf("%v: %v", all, err)
		}
		var got float64
		for _, f := range frames {
			got += f.Fields[len(f.Fields)-1].At(0).(float64)
		}
		if got != float64(want) {
			t.Errorf("%v: %v messages, the tenant has %d", all, got, want)
		}
		for _, u := range tn.requests() {
			if strings.Contains(u, "Id%20eq") || strings.Contains(u, "Sender%20eq") || strings.Contains(u, "Receiver%20eq") {
				t.Errorf("%v: filtered request %s", all, u)
			}
		}
	}
}
