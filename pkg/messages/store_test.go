package messages

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// TestErrorTextBudgetIsShared: the panels of one refresh (error groups, their annotations, the list of
// failed messages), sent at once, read at most the tenant's budget of texts together, none twice; a
// reload reads none, a refresh a minute later what the minute refilled, and later refreshes the next ones.
func TestErrorTextBudgetIsShared(t *testing.T) {
	const budget, perMinute = 25, 4
	tn := newTestTenant(t, tenantOpts{perDay: 200_000, store: []StoreOption{WithTextBudget(budget, perMinute, 1<<20)}})
	ctx := context.Background()
	rg := rangeOf(3*time.Hour, time.Minute)
	failed := tn.directCount(t, "Status eq 'FAILED' and "+window24h(rg.window().from, rg.window().to))
	if failed < 3*budget {
		t.Fatalf("only %d failures", failed)
	}
	refresh := func(rg Range) []data.Frames {
		var wg sync.WaitGroup
		out := make([]data.Frames, 3)
		errs := make([]error, 3)
		wg.Add(3)
		go func() {
			defer wg.Done()
			out[0], errs[0] = ErrorGroups(ctx, tn.st, rg, models.ErrorGroupsQuery{Format: models.FormatTable}, "SIM")
		}()
		go func() {
			defer wg.Done()
			out[1], errs[1] = ErrorGroups(ctx, tn.st, rg, models.ErrorGroupsQuery{Format: models.FormatAnnotations}, "SIM")
		}()
		go func() {
			defer wg.Done()
			out[2], errs[2] = List(ctx, tn.st, rg, models.MessagesQuery{MaxRows: intp(200),
				MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}}, "SIM")
		}()
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	texts := func() []string {
		var out []string
		for _, u := range tn.requests() {
			if strings.Contains(u, "ErrorInformation") {
				out = append(out, u)
			}
		}
		return out
	}
	seen := map[string]bool{}
	read := 0
	steps := []struct {
		after time.Duration
		want  int
	}{
		{0, budget},                // cold: the whole budget
		{5 * time.Second, 0},       // reload: nothing left
		{time.Minute, perMinute},   // refresh: a minute's refill
		{30 * time.Minute, budget}, // much later: full again, never more
		{30 * time.Second, perMinute / 2},
	}
	now := rg.Now
	for i, s := range steps {
		tn.reset()
		now = now.Add(s.after)
		r := rg
		r.Now = now
		frames := refresh(r)
		got := texts()
		if len(got) != s.want {
			t.Errorf("step %d: %d error-text requests, want %d", i, len(got), s.want)
		}
		for _, u := range got {
			if seen[u] {
				t.Errorf("step %d: %s read again", i, u)
			}
			seen[u] = true
		}
		read += len(got)
		unreadTable := frames[0][0].Meta.Custom.(map[string]any)["errorTextsUnread"]
		unreadAnno := frames[1][0].Meta.Custom.(map[string]any)["errorTextsUnread"]
		if want := int(failed) - read; unreadTable != want || unreadAnno != want {
			t.Errorf("step %d: unread %v (table) and %v (annotations), want %d", i, unreadTable, unreadAnno, want)
		}
	}
}

// TestTextStoreIsBounded: the texts kept never exceed the byte budget; the oldest go first.
func TestTextStoreIsBounded(t *testing.T) {
	st := NewStore(nil, WithTextBudget(1000, 0, 10*(textOverhead+28+100)))
	ts := st.texts
	now := fixedNow
	for i := 0; i < 50; i++ {
		g := strings.Repeat("x", 26) + string(rune('A'+i/26)) + string(rune('a'+i%26))
		p := ts.plan(now, []string{g}, 1)
		if len(p.read) != 1 {
			t.Fatalf("text %d not granted", i)
		}
		ts.done(now, g, strings.Repeat("e", 100), true)
	}
	if ts.bytes > ts.maxBytes || len(ts.kept) != 10 {
		t.Errorf("%d bytes in %d texts, budget %d", ts.bytes, len(ts.kept), ts.maxBytes)
	}
	if _, ok := ts.get(strings.Repeat("x", 26) + "Bx"); !ok {
		t.Error("the newest text was evicted")
	}
	if _, ok := ts.get(strings.Repeat("x", 26) + "Aa"); ok {
		t.Error("the oldest text is still kept")
	}
}

// TestCutTextIsConfirmed: a text cut short on the way (its Content-Length matching the cut bytes, so
// nothing tells it from a whole one) is shown until a second read, at least textConfirmAfter later,
// replaces it; a text is final only once two reads agree, and confirming reads never take budget an unread
// text needs.
func TestCutTextIsConfirmed(t *testing.T) {
	const guid, other = "AGk_xKgivsDaGSUpuvz-eEFzhKZO", "AGk_xKgivsDaGSUpuvz-eEFzhKZP"
	const whole = "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occurred"
	cut := whole[:20]
	ts := NewStore(nil, WithTextBudget(10, 0, 1<<20)).texts
	read := func(now time.Time, guids []string, limit int, answer string) textPlan {
		t.Helper()
		p := ts.plan(now, guids, limit)
		for _, g := range p.read {
			ts.done(now, g, answer, true)
		}
		return p
	}
	t0 := fixedNow
	if p := read(t0, []string{guid}, 5, cut); len(p.read) != 1 {
		t.Fatalf("first read: %v", p.read)
	}
	if p := read(t0.Add(textConfirmAfter-time.Second), []string{guid}, 5, whole); len(p.read) != 0 || p.known[guid] != cut {
		t.Fatalf("read again before textConfirmAfter: read %v, known %q", p.read, p.known[guid])
	}
	// An unread text goes first; with a limit of one, the confirming read waits.
	if p := read(t0.Add(time.Minute), []string{guid, other}, 1, "other text"); len(p.read) != 1 || p.read[0] != other {
		t.Fatalf("the confirming read took an unread text's place: %v", p.read)
	}
	if p := read(t0.Add(2*time.Minute), []string{guid}, 5, whole); len(p.read) != 1 || p.known[guid] != cut {
		t.Fatalf("second read: read %v, shown %q", p.read, p.known[guid])
	}
	if got, _ := ts.get(guid); got != whole {
		t.Fatalf("the whole text did not replace the cut one: %q", got)
	}
	if p := read(t0.Add(3*time.Minute), []string{guid}, 5, whole); len(p.read) != 1 || p.known[guid] != whole {
		t.Fatalf("third read (confirming the whole text): read %v, shown %q", p.read, p.known[guid])
	}
	if p := read(t0.Add(time.Hour), []string{guid}, 5, "never read"); len(p.read) != 0 || p.known[guid] != whole {
		t.Fatalf("a confirmed text was read again: read %v, shown %q", p.read, p.known[guid])
	}
	wantBytes := int64(len(whole)+len(guid)+len("other text")+len(other)) + 2*textOverhead
	if ts.bytes != wantBytes {
		t.Errorf("%d bytes accounted, want %d", ts.bytes, wantBytes)
	}
}

// TestStuckListingShared: the stuck stat and the stuck table of one refresh read one listing, and the stat
// counts what the table lists.
func TestStuckListingShared(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 50_000})
	ctx := context.Background()
	rg := rangeOf(7*24*time.Hour, time.Minute)
	rg.Now = rg.Now.Add(17 * time.Second) // the panels' clocks differ by seconds
	var wg sync.WaitGroup
	var table, stat data.Frames
	var err1, err2 error
	wg.Add(2)
	go func() {
		defer wg.Done()
		table, err1 = Stuck(ctx, tn.st, rg, models.StuckMessagesQuery{Format: models.FormatTable}, "SIM")
	}()
	go func() {
		defer wg.Done()
		later := rg
		later.Now = later.Now.Add(3 * time.Second)
		stat, err2 = Stuck(ctx, tn.st, later, models.StuckMessagesQuery{Format: models.FormatNumeric}, "SIM")
	}()
	wg.Wait()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	listings := 0
	for _, u := range tn.requests() {
		if strings.Contains(u, "MessageProcessingLogs?") && strings.Contains(u, "LogStart%20ge") {
			listings++
		}
	}
	if listings != 1 {
		t.Errorf("%d stuck listings for two panels, want 1", listings)
	}
	byFlow := map[string]float64{}
	ids, _ := table[0].FieldByName("iFlow id")
	for i := 0; i < ids.Len(); i++ {
		byFlow[ids.At(i).(string)]++
	}
	if len(byFlow) == 0 {
		t.Fatal("no stuck messages in a week")
	}
	var total float64
	for _, f := range stat {
		v := f.Fields[len(f.Fields)-1]
		n := v.At(0).(float64)
		total += n
		if id := v.Labels["iflow"]; n != byFlow[id] {
			t.Errorf("stat says %v stuck in %s, the table lists %v", n, id, byFlow[id])
		}
	}
	if total != float64(ids.Len()) {
		t.Errorf("stat total %v, table rows %d", total, ids.Len())
	}
}

// TestStoreRefreshReadsOnlyTheEdge: a reload within edgeFresh asks the tenant nothing; a refresh a minute
// later reads only the minutes that had not settled, and the answer stays the tenant's.
func TestStoreRefreshReadsOnlyTheEdge(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000})
	ctx := context.Background()
	q := models.MessageCountsQuery{GroupBy: GroupPackage, Format: models.FormatTable}
	total := func(f data.Frames) float64 {
		counts, _ := f[0].FieldByName("messages")
		var n float64
		for i := 0; i < counts.Len(); i++ {
			n += counts.At(i).(float64)
		}
		return n
	}
	for step, shift := range []time.Duration{0, 5 * time.Second, time.Minute} {
		tn.reset()
		rg := rangeOf(3*time.Hour, time.Minute)
		rg.From, rg.To, rg.Now = rg.From.Add(shift), rg.To.Add(shift), rg.Now.Add(shift)
		frames, err := Counts(ctx, tn.st, rg, q, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		if strategyOf(frames) != StrategyStore {
			t.Fatalf("strategy %s, want store", strategyOf(frames))
		}
		w := rg.window()
		if got, want := total(frames), float64(tn.directCount(t, window24h(w.from, w.to))); got != want {
			t.Errorf("step %d: %v messages, the tenant has %v", step, got, want)
		}
		read, _ := frames[0].Meta.Custom.(map[string]any)["storeMinutesRead"].(int)
		switch step {
		case 0:
			if read < 180 {
				t.Errorf("cold: %d minutes read, want the 3 hours", read)
			}
		case 1:
			if n := len(tn.requests()); n != 0 {
				t.Errorf("reload 5 s later: %d requests, want none: %v", n, tn.requests())
			}
		case 2:
			// The minutes that ended less than settleAfter before the cold read, and the new one.
			if read == 0 || read > 7 {
				t.Errorf("refresh: %d minutes read, want the unsettled edge (1–7)", read)
			}
			if n := len(tn.requests()); n == 0 || n > 3 {
				t.Errorf("refresh: %d requests, want 1–3: %v", n, tn.requests())
			}
		}
	}
}

// TestTextPlanFirst: the first part of a list is planned only when it takes every text the query may
// read (its limit, or the budget left); then its reads are those a plan of the whole list makes, and
// resolve adds the rest's texts kept or being read. A first part that does not is left unplanned, the
// budget untouched.
func TestTextPlanFirst(t *testing.T) {
	unread := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, prefix+strconv.Itoa(i))
		}
		return out
	}
	for _, tc := range []struct {
		name         string
		burst, limit int
		first        int // the guids planned first: a kept text, one being read, then first-2 unread
		wantPlanned  bool
		wantReads    int // the first unread ones
	}{
		{"the budget runs out within the first part", 3, 10, 5, true, 3},
		{"the limit is reached within the first part", 10, 2, 5, true, 2},
		{"exactly the budget", 4, 10, 6, true, 4},
		{"the first part leaves budget", 10, 10, 5, false, 0},
		{"the first part leaves room under the limit", 10, 8, 7, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := append([]string{"kept-a", "busy-a"}, unread("a", tc.first-2)...)
			list = append(append(list, "kept-b", "busy-b"), unread("b", 5)...)
			ts := NewStore(nil, WithTextBudget(tc.burst+4, 0, 1<<20)).texts
			ts.plan(fixedNow, []string{"kept-a", "kept-b", "busy-a", "busy-b"}, 4)
			ts.done(fixedNow, "kept-a", "text a", true)
			ts.done(fixedNow, "kept-b", "text b", true)
			p, ok := ts.planFirst(fixedNow, list[:tc.first], tc.limit, true)
			if ok != tc.wantPlanned {
				t.Fatalf("planned %v, want %v", ok, tc.wantPlanned)
			}
			if !ok {
				if ts.tokens != float64(tc.burst) || len(ts.inflight) != 2 {
					t.Fatalf("an unplanned first part changed the store: %v tokens, %d in flight", ts.tokens, len(ts.inflight))
				}
				return
			}
			if want := unread("a", tc.wantReads); !slices.Equal(p.read, want) {
				t.Fatalf("reads %v, want %v", p.read, want)
			}
			if ts.tokens != float64(tc.burst-tc.wantReads) {
				t.Errorf("%v tokens left, want %d", ts.tokens, tc.burst-tc.wantReads)
			}
			ts.resolve(p, list[tc.first:])
			if p.known["kept-a"] != "text a" || p.known["kept-b"] != "text b" || len(p.known) != 2 {
				t.Errorf("known %v, want the two kept texts", p.known)
			}
			if p.await["busy-a"] == nil || p.await["busy-b"] == nil || len(p.await) != 2 {
				t.Errorf("awaited %v, want the two texts being read", p.await)
			}
		})
	}
}
