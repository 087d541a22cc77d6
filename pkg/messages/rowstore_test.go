package messages

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// snapshot returns the blocks of [m0, m1) (nil where none) and the names they use.
func (rs *rowStore) snapshot(m0, m1 int64) ([]*minuteBlock, names) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]*minuteBlock, 0, m1-m0)
	for m := m0; m < m1; m++ {
		out = append(out, rs.minutes[m])
	}
	return out, *rs.names
}

// usage is the memory the store accounts for, and its rows.
func (rs *rowStore) usage() (bytes int64, rows int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, b := range rs.minutes {
		rows += len(b.rows)
	}
	return rs.bytes + rs.names.bytes, rows
}

func msg(guid, status string, end time.Time) mplRow {
	return mplRow{MessageGuid: guid, Status: status, LogEnd: odata.Time{Time: end}, LogStart: odata.Time{Time: end.Add(-2 * time.Second)},
		IntegrationArtifact: artifactRef{ID: "Flow_A", Name: "Flow A", PackageID: "Pkg"}}
}

// storeRows reads the store's rows of [from, to) by hand: the blocks, not the query path.
func storeRows(rs *rowStore, from, to time.Time) map[string]string {
	out := map[string]string{}
	blocks, nm := rs.snapshot(minuteOf(from), minuteOf(to))
	for _, b := range blocks {
		if b == nil {
			continue
		}
		for _, r := range b.rows {
			if r.extra > 0 {
				out[b.extras[r.extra-1].guid] = nm.statuses.vals[r.status]
			}
		}
	}
	return out
}

// TestMovedMessageCountedOnce: a message read as RETRY in one minute and later, at a later LogEnd, as
// FAILED is kept only where the tenant has it now — also when the later read lists it twice.
func TestMovedMessageCountedOnce(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rs := newRowStore(DefaultStoreBytes)
	m0 := minuteOf(t0)
	f := rs.newFiller(m0, m0+10, t0.Add(20*time.Minute))
	if err := f.add([]mplRow{msg("G1", "RETRY", t0.Add(2*time.Minute)), msg("G2", "FAILED", t0.Add(3*time.Minute))}); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(t0.Add(20 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A later read of minutes 10–20: G1 retried again (listed twice, moving between two pages) and failed.
	f = rs.newFiller(m0+10, m0+20, t0.Add(30*time.Minute))
	for _, page := range [][]mplRow{{msg("G1", "RETRY", t0.Add(11*time.Minute))}, {msg("G1", "FAILED", t0.Add(15*time.Minute))}} {
		if err := f.add(page); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.commit(t0.Add(30 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := storeRows(rs, t0, t0.Add(20*time.Minute))
	want := map[string]string{"G1": "FAILED", "G2": "FAILED"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stored %v, want %v", got, want)
	}
	if _, rows := rs.usage(); rows != 2 {
		t.Errorf("%d rows stored, want 2", rows)
	}
}

// TestRowStoreIsBounded: the store never accounts for more than its bound; the oldest minutes go first.
func TestRowStoreIsBounded(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const bound = 64 << 10
	rs := newRowStore(bound)
	for k := 0; k < 60; k++ {
		m := minuteOf(t0) + int64(k)
		f := rs.newFiller(m, m+1, t0.Add(2*time.Hour))
		var rows []mplRow
		for i := 0; i < 100; i++ {
			rows = append(rows, msg(fmt.Sprintf("G%d-%d", k, i), "FAILED", t0.Add(time.Duration(k)*time.Minute+time.Duration(i)*time.Millisecond)))
		}
		if err := f.add(rows); err != nil {
			t.Fatal(err)
		}
		if err := f.commit(t0.Add(2 * time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b, _ := rs.usage(); b > bound {
			t.Fatalf("after minute %d: %d bytes, bound %d", k, b, bound)
		}
	}
	if len(storeRows(rs, t0, t0.Add(time.Minute))) != 0 {
		t.Error("the oldest minute is still kept")
	}
	if len(storeRows(rs, t0.Add(59*time.Minute), t0.Add(60*time.Minute))) != 100 {
		t.Error("the newest minute was evicted")
	}
}

// TestPanelsShareOneRead: twelve panels asking at once for the same hours read them once: the tenant
// sees about the requests of one query, and every panel the tenant's numbers.
func TestPanelsShareOneRead(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000})
	ctx := context.Background()
	rg := rangeOf(3*time.Hour, time.Minute)
	queries := []models.MessageCountsQuery{
		{GroupBy: GroupStatus, Format: models.FormatNumeric},
		{GroupBy: GroupStatus, Format: models.FormatTimeSeries},
		{GroupBy: GroupIFlow, Format: models.FormatTable},
		{GroupBy: GroupPackage, Format: models.FormatTable},
	}
	var wg sync.WaitGroup
	results := make([]data.Frames, 12)
	errs := make([]error, 12)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = Counts(ctx, tn.st, rg, queries[i%len(queries)], "SIM")
		}()
	}
	wg.Wait()
	w := rg.window()
	total := tn.directCount(t, window24h(w.from, w.to))
	for i, f := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if s := strategyOf(f); s != StrategyStore {
			t.Errorf("panel %d: strategy %s", i, s)
		}
		if i%len(queries) == 0 {
			if got := sumValues(numericValues(t, f)); int64(got) != total {
				t.Errorf("panel %d: %v messages, the tenant has %d", i, got, total)
			}
		}
	}
	// One read of 3 hours: the probe, its pages and one first page per slice; plus the deployed iFlows.
	if hits, limit := tn.hits.Load(), 3+(total+999)/1000+(total+sliceRows-1)/sliceRows; hits > limit {
		t.Errorf("%d requests for %d messages; one read costs at most %d", hits, total, limit)
	}
}

func sumValues(m map[string]float64) float64 {
	var s float64
	for _, v := range m {
		s += v
	}
	return s
}

// TestFilteredQueryUsesWhatTheStoreHolds: an iFlow's panel on a cold store asks the tenant with its own
// filter; once a dashboard has read the range, it is answered from the store without a request.
func TestFilteredQueryUsesWhatTheStoreHolds(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 50_000})
	ctx := context.Background()
	rg := rangeOf(2*time.Hour, time.Minute)
	flow := tn.deployedIDs(t)[0]
	q := models.MessageCountsQuery{GroupBy: GroupStatus, Format: models.FormatNumeric, MessageFilters: models.MessageFilters{IFlows: []string{flow}}}
	cold, err := Counts(ctx, tn.st, rg, q, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if s := strategyOf(cold); s == StrategyStore {
		t.Errorf("a filtered query on a cold store filled it for itself")
	}
	if _, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatTable}, "SIM"); err != nil {
		t.Fatal(err)
	}
	tn.reset()
	warm, err := Counts(ctx, tn.st, rg, q, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	if s := strategyOf(warm); s != StrategyStore {
		t.Errorf("strategy %s once the store holds the range", s)
	}
	if n := len(tn.requests()); n != 0 {
		t.Errorf("%d requests: %v", n, tn.requests())
	}
	w := rg.window()
	want := tn.directCount(t, odata.And(window24h(w.from, w.to), odata.Eq("IntegrationArtifact/Id", flow)))
	if got, was := sumValues(numericValues(t, warm)), sumValues(numericValues(t, cold)); int64(got) != want || int64(was) != want {
		t.Errorf("%s: store %v, direct %v, the tenant %d", flow, got, was, want)
	}
}

// TestStoreStatusFilter: a query with a status filter answered from the store (whose rows it filters
// before it rebuilds them) counts what the tenant counts, for statuses held often, rarely or not at all.
func TestStoreStatusFilter(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 50_000})
	ctx := context.Background()
	rg := rangeOf(2*time.Hour, time.Minute)
	if _, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: GroupStatus, Format: models.FormatNumeric}, "SIM"); err != nil {
		t.Fatal(err)
	}
	w := rg.window()
	for _, statuses := range [][]string{{"FAILED"}, {"RETRY", "ESCALATED"}, {"COMPLETED"}, {"PROCESSING", "FAILED"}, {"ABANDONED", "DISCARDED"}} {
		tn.reset()
		q := models.MessageCountsQuery{GroupBy: GroupStatus, Format: models.FormatNumeric, MessageFilters: models.MessageFilters{Statuses: statuses}}
		frames, err := Counts(ctx, tn.st, rg, q, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		if s := strategyOf(frames); s != StrategyStore {
			t.Errorf("%v: strategy %s once the store holds the range", statuses, s)
		}
		if n := len(tn.requests()); n != 0 {
			t.Errorf("%v: %d requests: %v", statuses, n, tn.requests())
		}
		var terms []string
		for _, s := range statuses {
			terms = append(terms, odata.Eq("Status", s))
		}
		want := tn.directCount(t, odata.And(window24h(w.from, w.to), odata.Or(terms...)))
		if got := sumValues(numericValues(t, frames)); int64(got) != want {
			t.Errorf("%v: store %v, the tenant %d", statuses, got, want)
		}
	}
}

// FuzzRowStore: whatever rows a tenant sends (any status, id, link or time, inside the read or not,
// repeated), the store neither panics nor exceeds its bound, and every row it holds lies in its minute.
func FuzzRowStore(f *testing.F) {
	f.Add([]byte("RETRY G1 3;FAILED G1 12;COMPLETED x 5"), uint8(10))
	f.Add([]byte("PROCESSING a -1;PROCESSING a 99999;;;ÄÖ '/#.. 7"), uint8(1))
	f.Fuzz(func(t *testing.T, spec []byte, width uint8) {
		t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		rs := newRowStore(8 << 10)
		m0 := minuteOf(t0)
		var rows []mplRow
		for i, part := range strings.Split(string(spec), ";") {
			fields := strings.Fields(part)
			for len(fields) < 3 {
				fields = append(fields, "")
			}
			offset, _ := strconv.Atoi(fields[2])
			r := msg(fields[1], fields[0], t0.Add(time.Duration(offset)*time.Second))
			r.AlternateWebLink = part
			r.Sender = fmt.Sprint(i)
			rows = append(rows, r)
		}
		now := t0.Add(time.Hour)
		for k := 0; k < 3; k++ {
			f := rs.newFiller(m0+int64(k), m0+int64(k)+int64(width%30)+1, now)
			if err := f.add(rows); err != nil && !errors.Is(err, errStoreReset) {
				t.Fatal(err)
			}
			_ = f.commit(now)
			if b, _ := rs.usage(); b > rs.maxBytes {
				t.Fatalf("%d bytes held, bound %d", b, rs.maxBytes)
			}
		}
		for m, b := range rs.minutes {
			for _, r := range b.rows {
				if minuteOf(time.UnixMilli(r.end)) != m {
					t.Fatalf("a row of %v kept in minute %d", time.UnixMilli(r.end), m)
				}
			}
		}
	})
}

// BenchmarkRowStore48h fills the store with 48 hours at a million messages a day (694 a minute, 150
// iFlows, 5 % not COMPLETED with id, link, correlation id, application id and type, custom status; the
// fields are set on every row, as the tenant sends them) and reports what it holds: the bytes it accounts for and
// the Go heap it really takes.
func BenchmarkRowStore48h(b *testing.B) {
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	const perMinute, minutes = 694, 48 * 60
	for n := 0; n < b.N; n++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rs := newRowStore(DefaultStoreBytes)
		for k := 0; k < minutes; k++ {
			m := minuteOf(t0) + int64(k)
			f := rs.newFiller(m, m+1, t0.Add(72*time.Hour))
			page := make([]mplRow, perMinute)
			for i := range page {
				status := "COMPLETED"
				if i%20 == 0 {
					status = "FAILED"
				}
				page[i] = msg(fmt.Sprintf("AGk_xKgivsDaGSUpuvz-%08d", k*perMinute+i), status, t0.Add(time.Duration(k)*time.Minute+time.Duration(i)*50*time.Millisecond))
				page[i].IntegrationArtifact.ID = fmt.Sprintf("Flow_%03d", i%150)
				page[i].AlternateWebLink = "https://tenant.integrationsuite.cfapps.eu10.hana.ondemand.com/shell/monitoring/MessageDetails/%7B%22messageGuid%22%3A%22" + page[i].MessageGuid + "%22%7D"
				page[i].CorrelationID = fmt.Sprintf("AGk_xKhL7ziTqvCUYw3Ei-%06d", k)
				page[i].ApplicationMessageID = fmt.Sprintf("%016d", k*perMinute+i)
				page[i].ApplicationMessageType, page[i].CustomStatus = "ORDERS05", "BUSINESS_ERROR"
			}
			if err := f.add(page); err != nil {
				b.Fatal(err)
			}
			if err := f.commit(t0.Add(72 * time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		bytes, rows := rs.usage()
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(bytes)/(1<<20), "accountedMiB")
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/(1<<20), "heapMiB")
		runtime.KeepAlive(rs)
	}
}

// TestSettleRule: when a minute read at one time may answer a query at another.
func TestSettleRule(t *testing.T) {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) // the minute 10:00–10:01
	at := func(s string) time.Time {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return start.Add(d)
	}
	tests := []struct {
		readAt, now string
		valid       bool
	}{
		{"30s", "50s", true},     // running when read: 20 s later
		{"30s", "61s", false},    // 31 s later
		{"1m", "5m59s", true},    // ended when read: until 5 minutes after its end
		{"2m", "6m", false},      // settled now: read once more
		{"6m", "6h", true},       // read once settled: for good
		{"5m59s", "6m1s", false}, // read a second before it settled
		{"6m", "5m", true},       // a query whose clock is behind the read
		{"8m", "5m", false},      // a read stamped by a clock well ahead of this query's
	}
	for _, tc := range tests {
		b := &minuteBlock{readAt: at(tc.readAt)}
		if got := b.valid(minuteOf(start), at(tc.now)); got != tc.valid {
			t.Errorf("read at +%s, asked at +%s: valid %v, want %v", tc.readAt, tc.now, got, tc.valid)
		}
	}
}

// TestLongWindowHeldAfterEvaluations: an alert rule over a window too large to read at once is answered
// directly, while the store reads ahead within its budget; after a few evaluations the store holds the
// window and an evaluation costs only its edge. Every answer is the tenant's.
func TestLongWindowHeldAfterEvaluations(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000})
	tn.st.rows.fillRows, tn.st.rows.aheadRows = 15_000, 10_000
	ctx := context.Background()
	q := models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatNumeric}
	held := -1
	for k := 0; k < 10; k++ {
		tn.reset()
		rg := rangeOf(12*time.Hour, time.Minute)
		shift := time.Duration(k) * time.Minute
		rg.From, rg.To, rg.Now = rg.From.Add(shift), rg.To.Add(shift), rg.Now.Add(shift)
		frames, err := Counts(ctx, tn.st, rg, q, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		tn.st.ahead.Wait() // the read ahead this evaluation started
		w := rg.window()
		if got, want := sumValues(numericValues(t, frames)), tn.directCount(t, window24h(w.from, w.to)); int64(got) != want {
			t.Fatalf("evaluation %d: %v messages, the tenant has %d", k, got, want)
		}
		if strategyOf(frames) == StrategyStore {
			if held < 0 {
				held = k
			} else if n := len(tn.requests()); n > 3 {
				t.Errorf("evaluation %d from the store: %d requests, want the edge only", k, n)
			}
		}
	}
	if held < 1 || held > 7 {
		t.Errorf("the store held the window from evaluation %d, want after a few (1–7)", held)
	}
}

// TestTenantClockAhead: a range that reaches past Grafana's next minute (a tenant whose clock runs ahead
// has messages there) is answered with every message of the range, not only those the store has minutes
// for.
func TestTenantClockAhead(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 50_000})
	rg := rangeOf(time.Hour, time.Minute)
	rg.Now = fixedNow.Add(-10 * time.Minute) // Grafana's clock, 10 minutes behind the tenant's
	frames, err := Counts(context.Background(), tn.st, rg, models.MessageCountsQuery{Format: models.FormatNumeric}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	w := rg.window()
	if got, want := sumValues(numericValues(t, frames)), tn.directCount(t, window24h(w.from, w.to)); int64(got) != want {
		t.Errorf("%v messages, the tenant has %d in the range", got, want)
	}
}

// TestMovedListedTwiceNewerFirst: a message listed twice within one read is kept once, at its newer LogEnd,
// whichever listing comes first.
func TestMovedListedTwiceNewerFirst(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rs := newRowStore(DefaultStoreBytes)
	m0 := minuteOf(t0)
	f := rs.newFiller(m0, m0+10, t0.Add(20*time.Minute))
	for _, page := range [][]mplRow{{msg("G1", "FAILED", t0.Add(5*time.Minute))}, {msg("G1", "RETRY", t0.Add(2*time.Minute))}} {
		if err := f.add(page); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.commit(t0.Add(20 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := storeRows(rs, t0, t0.Add(10*time.Minute)); fmt.Sprint(got) != "map[G1:FAILED]" {
		t.Errorf("stored %v", got)
	}
	if _, rows := rs.usage(); rows != 1 {
		t.Errorf("%d rows for one message", rows)
	}
}

// TestOptionBounds: numeric options out of range are refused before any request, naming the option and
// its range.
func TestOptionBounds(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 1000})
	ctx := context.Background()
	rg := rangeOf(time.Hour, time.Minute)
	n := func(v int) *int { return &v }
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"maxRows 0", func() error { _, err := FetchList(ctx, tn.st, rg, models.MessagesQuery{MaxRows: n(0)}); return err }, "maxRows must be between 1 and 200000, not 0"},
		{"maxRows too many", func() error {
			_, err := FetchList(ctx, tn.st, rg, models.MessagesQuery{MaxRows: n(200_001)})
			return err
		}, "maxRows must be between 1 and 200000, not 200001"},
		{"maxErrorTexts -1", func() error {
			_, err := FetchErrorGroups(ctx, tn.st, rg, models.ErrorGroupsQuery{MaxErrorTexts: n(-1)})
			return err
		}, "maxErrorTexts must be between 0 and 5000, not -1"},
		{"stuckMinutes 0", func() error {
			_, err := FetchStuck(ctx, tn.st, rg, models.StuckMessagesQuery{StuckMinutes: n(0)})
			return err
		}, "stuckMinutes must be between 1 and 43200, not 0"},
	}
	for _, tc := range tests {
		if err := tc.run(); err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if n := len(tn.requests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// TestListReloadSharesItsRead: a list reloaded seconds later (both ends of its range moved) asks the
// tenant nothing and still holds exactly the messages of its own range.
func TestListReloadSharesItsRead(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	ctx := context.Background()
	for step, shift := range []time.Duration{0, 5 * time.Second} {
		tn.reset()
		rg := rangeOf(time.Hour, time.Minute)
		rg.From = rg.From.Add(17*time.Second + shift)
		rg.To, rg.Now = rg.To.Add(shift), rg.Now.Add(shift)
		res, err := FetchList(ctx, tn.st, rg, models.MessagesQuery{WithErrorText: new(bool)})
		if err != nil {
			t.Fatal(err)
		}
		w := rg.window()
		if got, want := int64(res.rows.len()), tn.directCount(t, window24h(w.from, w.to)); got != want {
			t.Errorf("step %d: %d rows, the tenant has %d in the range", step, got, want)
		}
		for i, end := range res.rows.end {
			if end.Before(w.from) || !end.Before(w.to) {
				t.Fatalf("step %d: row %d at %v, outside [%v, %v)", step, i, end, w.from, w.to)
			}
		}
		if n := len(tn.requests()); step == 1 && n != 0 {
			t.Errorf("reload: %d requests: %v", n, tn.requests())
		}
	}
}

// TestChangedMovingMessagesPatched: held RETRY/PROCESSING messages the tenant lists elsewhere or with
// another status are patched from what the tenant answers for each: a retry that ended in place gets
// its status and duration, a status changed in place stays watched, a moved or vanished message leaves
// its minute, an unanswered one has its minute read again; unchanged ones are not asked about.
func TestChangedMovingMessagesPatched(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rs := newRowStore(DefaultStoreBytes)
	m0 := minuteOf(t0)
	readAt := t0.Add(20 * time.Minute) // settled: held for good
	f := rs.newFiller(m0, m0+4, readAt)
	rows := []mplRow{
		msg("ENDED", "RETRY", t0.Add(10*time.Second)),
		msg("DONE", "COMPLETED", t0.Add(11*time.Second)),
		msg("NOW_RETRY", "PROCESSING", t0.Add(12*time.Second)),
		msg("MOVED", "RETRY", t0.Add(13*time.Second)),
		msg("SAME", "RETRY", t0.Add(14*time.Second)),
		msg("GONE", "RETRY", t0.Add(75*time.Second)),   // next minute
		msg("SILENT", "RETRY", t0.Add(70*time.Second)), // next minute
	}
	if err := f.add(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(readAt); err != nil {
		t.Fatal(err)
	}
	listed := map[string]listedMoving{"NOW_RETRY": {m0, "RETRY"}, "MOVED": {m0 + 3, "RETRY"}, "SAME": {m0, "RETRY"}}
	changed, pages := rs.changedMoving(m0, m0+2, listed)
	got := map[string]bool{}
	for _, c := range changed {
		got[c.guid] = true
	}
	if len(got) != 5 || !got["ENDED"] || !got["NOW_RETRY"] || !got["MOVED"] || !got["GONE"] || !got["SILENT"] || pages != 2 {
		t.Fatalf("changed %v over %d pages, want ENDED NOW_RETRY MOVED GONE SILENT over 2", got, pages)
	}
	answers := map[string]patchOutcome{}
	ended := msg("ENDED", "FAILED", t0.Add(10*time.Second))
	ended.LogStart = odata.Time{Time: t0.Add(-50 * time.Second)} // 60 s
	nowRetry := msg("NOW_RETRY", "RETRY", t0.Add(12*time.Second))
	moved := msg("MOVED", "RETRY", t0.Add(3*time.Minute))
	answers["ENDED"], answers["NOW_RETRY"], answers["MOVED"] = patchOutcome{row: &ended}, patchOutcome{row: &nowRetry}, patchOutcome{row: &moved}
	outcomes := make([]patchOutcome, len(changed))
	for i, c := range changed {
		outcomes[i] = answers[c.guid] // SILENT, GONE (not found by its id): no answer
	}
	if n := rs.patch(changed, outcomes); n != 3 {
		t.Errorf("%d messages patched, want 3", n)
	}
	want := map[string]string{"ENDED": "FAILED", "NOW_RETRY": "RETRY", "SAME": "RETRY", "SILENT": "RETRY", "GONE": "RETRY"}
	if held := storeRows(rs, t0, t0.Add(2*time.Minute)); fmt.Sprint(held) != fmt.Sprint(want) {
		t.Errorf("held %v, want %v", held, want)
	}
	blocks, _ := rs.snapshot(m0, m0+2)
	if n := len(blocks[0].rows); n != 4 { // ENDED DONE NOW_RETRY SAME: MOVED left
		t.Errorf("minute 0 holds %d rows, want 4", n)
	}
	for _, r := range blocks[0].rows {
		if r.extra > 0 && blocks[0].extras[r.extra-1].guid == "ENDED" && r.dur != 60_000 {
			t.Errorf("ENDED lasts %d ms, want 60000", r.dur)
		}
	}
	if !blocks[0].valid(m0, readAt.Add(time.Hour)) || blocks[1].valid(m0+1, readAt.Add(time.Hour)) {
		t.Error("the patched minute must stay held and the minute without an answer be read again")
	}
	if held := storeRows(rs, t0.Add(3*time.Minute), t0.Add(4*time.Minute)); fmt.Sprint(held) != "map[MOVED:RETRY]" {
		t.Errorf("the minute MOVED moved to holds %v, want it (read before it arrived)", held)
	}
	// Too many changes to ask one by one: their minutes are read again, and the minute one is listed at
	// now (read before it arrived there).
	f = rs.newFiller(m0+5, m0+8, readAt)
	if err := f.add([]mplRow{msg("P1", "PROCESSING", t0.Add(5*time.Minute)), msg("P2", "PROCESSING", t0.Add(5*time.Minute+time.Second))}); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(readAt); err != nil {
		t.Fatal(err)
	}
	changed, _ = rs.changedMoving(m0+5, m0+6, map[string]listedMoving{"P1": {m0 + 7, "PROCESSING"}})
	if n := rs.reread(changed); n != 2 {
		t.Errorf("%d minutes read again, want 2 (where P1 and P2 were, where P1 is now)", n)
	}
	blocks, _ = rs.snapshot(m0+5, m0+8)
	if blocks[0].valid(m0+5, readAt) || !blocks[1].valid(m0+6, readAt) || blocks[2].valid(m0+7, readAt) {
		t.Error("want minutes 5 and 7 read again, 6 kept")
	}
	rs.mu.Lock()
	_, watched := rs.moves["NOW_RETRY"]
	_, endedWatched := rs.moves["ENDED"]
	rs.mu.Unlock()
	if !watched || endedWatched {
		t.Errorf("NOW_RETRY watched %v (want true), ENDED watched %v (want false)", watched, endedWatched)
	}
	// A minute read again meanwhile is newer than the answers: they are not applied to it.
	changed, _ = rs.changedMoving(m0, m0+2, map[string]listedMoving{})
	f = rs.newFiller(m0, m0+1, readAt.Add(time.Minute))
	if err := f.add([]mplRow{msg("NOW_RETRY", "RETRY", t0.Add(12*time.Second))}); err != nil {
		t.Fatal(err)
	}
	if err := f.commit(readAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	failed := make([]patchOutcome, len(changed))
	for i, c := range changed {
		row := msg(c.guid, "FAILED", time.UnixMilli(c.m*60_000+12_000))
		failed[i].row = &row
	}
	rs.patch(changed, failed)
	if held := storeRows(rs, t0, t0.Add(time.Minute)); held["NOW_RETRY"] != "RETRY" {
		t.Errorf("a newer read was patched with older answers: %v", held)
	}
}
