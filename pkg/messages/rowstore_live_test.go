package messages

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// Tests against a tenant whose clock moves: messages arrive, retries end, while the store holds minutes.

// liveTenant is newTestTenant with the simulator's clock at *now.
func liveTenant(t *testing.T, perDay int, now *atomic.Int64, opts ...StoreOption) *tenant {
	t.Helper()
	return newTestTenant(t, tenantOpts{perDay: perDay, now: now, store: opts})
}

func statusCounts(t *testing.T, tn *tenant, rg Range) (map[string]float64, string) {
	t.Helper()
	values, meta := statusCountsMeta(t, tn, rg)
	s, _ := meta["strategy"].(string)
	return values, s
}

func statusCountsMeta(t *testing.T, tn *tenant, rg Range) (map[string]float64, map[string]any) {
	t.Helper()
	f, err := Counts(context.Background(), tn.st, rg, models.MessageCountsQuery{GroupBy: GroupStatus, Format: models.FormatNumeric}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := f[0].Meta.Custom.(map[string]any)
	return numericValues(t, f), meta
}

// checkStatusCounts fails when a status count of the window is not the tenant's own $count.
func checkStatusCounts(t *testing.T, tn *tenant, got map[string]float64, w window, what string) {
	t.Helper()
	for _, st := range Statuses {
		want := tn.directCount(t, window24h(w.from, w.to)+" and Status eq '"+st+"'")
		if g := got["status="+st+", tenant=SIM"]; int64(g) != want {
			t.Errorf("%s: %s %v, the tenant has %d", what, st, g, want)
		}
	}
}

// refreshLoop refreshes a one-hour status panel every 30 s from fixedNow, refreshes times, each answered
// from the store with the tenant's counts; it returns the messages patched by their id.
func refreshLoop(t *testing.T, tn *tenant, now *atomic.Int64, refreshes int) (patched int) {
	t.Helper()
	for k := 0; k < refreshes; k++ {
		at := fixedNow.Add(time.Duration(k) * 30 * time.Second)
		now.Store(at.UnixMilli())
		rg := Range{From: at.Add(-time.Hour), To: at, Interval: time.Minute, MaxDataPoints: 1000, Now: at}
		got, meta := statusCountsMeta(t, tn, rg)
		if meta["strategy"] != StrategyStore {
			t.Fatalf("refresh %d: strategy %v", k, meta["strategy"])
		}
		n, _ := meta["storeMessagesPatched"].(int)
		patched += n
		checkStatusCounts(t, tn, got, rg.window(), fmt.Sprintf("refresh %d (+%v)", k, at.Sub(fixedNow)))
		if t.Failed() {
			t.FailNow()
		}
	}
	return patched
}

// TestRefreshLoopIsExact: a one-hour panel refreshed every 30 s for 20 minutes of a busy tenant shows the
// tenant's count of every status each time — new messages, retries that move and retries that end in
// place (the simulated tenant ends a JMS retry as FAILED at the same LogEnd) included.
func TestRefreshLoopIsExact(t *testing.T) {
	var now atomic.Int64
	tn := liveTenant(t, 200_000, &now)
	if patched := refreshLoop(t, tn, &now, 40); patched == 0 {
		t.Error("no changed message was patched by its id: every change had its minute read again")
	}
}

// TestRetryEndingInPlace: a minute read once settled, whose RETRY message later ends as FAILED at the same
// LogEnd, is read again.
func TestRetryEndingInPlace(t *testing.T) {
	var now atomic.Int64
	now.Store(fixedNow.UnixMilli())
	tn := liveTenant(t, 200_000, &now)
	rg := Range{From: fixedNow.Add(-30 * time.Minute), To: fixedNow.Add(-10 * time.Minute), Interval: time.Minute, MaxDataPoints: 1000, Now: fixedNow}
	statusCounts(t, tn, rg)
	later := fixedNow.Add(40 * time.Minute)
	now.Store(later.UnixMilli())
	rg.Now = later
	got, _ := statusCounts(t, tn, rg)
	w := rg.window()
	for _, st := range []string{"RETRY", "FAILED"} {
		if want := tn.directCount(t, window24h(w.from, w.to)+" and Status eq '"+st+"'"); int64(got["status="+st+", tenant=SIM"]) != want {
			t.Errorf("%s %v, the tenant has %d", st, got["status="+st+", tenant=SIM"], want)
		}
	}
}

// TestOldWindowDoesNotEvictItself: a window the full store cannot hold beside what it keeps is read
// directly, at the cost of a direct read, not read into the store and evicted again.
func TestOldWindowDoesNotEvictItself(t *testing.T) {
	var now, refNow atomic.Int64
	now.Store(fixedNow.UnixMilli())
	refNow.Store(fixedNow.UnixMilli())
	tn := liveTenant(t, 100_000, &now, WithStoreBytes(600<<10))
	statusCounts(t, tn, rangeOf(2*time.Hour, time.Minute)) // a dashboard fills the store
	old := Range{From: fixedNow.Add(-8 * time.Hour), To: fixedNow.Add(-7 * time.Hour), Interval: time.Minute, MaxDataPoints: 1000, Now: fixedNow}
	ref := liveTenant(t, 100_000, &refNow, WithStoreBytes(0))
	statusCounts(t, ref, old)
	tn.hits.Store(0)
	got, strategy := statusCounts(t, tn, old)
	w := old.window()
	if want := tn.directCount(t, window24h(w.from, w.to)); int64(sumValues(got)) != want {
		t.Errorf("%v messages, the tenant has %d", sumValues(got), want)
	}
	if tn.hits.Load() > ref.hits.Load()+1 {
		t.Errorf("strategy %s: %d requests, a direct read takes %d", strategy, tn.hits.Load(), ref.hits.Load())
	}
}

// TestStoreEqualsDirect: durations and error groups from a warm store equal the direct path's, for a range
// off whole seconds, unfiltered, with an iFlow list too long for the URL (filtered locally), and with a
// status filter.
func TestStoreEqualsDirect(t *testing.T) {
	withStore := newTestTenant(t, tenantOpts{perDay: 100_000})
	direct := newTestTenant(t, tenantOpts{perDay: 100_000, store: []StoreOption{WithStoreBytes(0)}})
	ctx := context.Background()
	rg := rangeOf(time.Hour, time.Minute)
	rg.From = rg.From.Add(17*time.Second + 300*time.Millisecond)
	rg.To = rg.To.Add(-23 * time.Second)
	if _, err := Counts(ctx, withStore.st, rangeOf(2*time.Hour, time.Minute), models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatTable}, "SIM"); err != nil {
		t.Fatal(err)
	}
	durations := func(r DurationsResult) string {
		var out []string
		for _, g := range r.groups {
			n, sum := 0, int64(0)
			for _, b := range g.buckets {
				for _, v := range b {
					n, sum = n+1, sum+int64(v)
				}
			}
			out = append(out, fmt.Sprintf("%s n=%d sum=%d", g.g.key, n, sum))
		}
		return strings.Join(out, "\n")
	}
	groups := func(r ErrorGroupsResult) string {
		var out []string
		for _, g := range r.Groups {
			out = append(out, fmt.Sprintf("%s:%d:%s:%v:%v:%s", g.ID, g.Count, g.SampleID, g.FirstSeen, g.LastSeen, strings.Join(g.IFlowIDs, ",")))
		}
		return strings.Join(out, "\n")
	}
	ids := withStore.deployedIDs(t)
	for i, mf := range []models.MessageFilters{{}, {IFlows: ids[1:]}, {IFlows: ids[:3], Statuses: []string{"FAILED", "COMPLETED"}}} {
		for _, format := range []models.Format{models.FormatTable, models.FormatTimeSeries} {
			q := models.MessageDurationsQuery{GroupBy: GroupIFlow, Format: format, MessageFilters: mf}
			a, err := FetchDurations(ctx, withStore.st, rg, q)
			if err != nil {
				t.Fatal(err)
			}
			b, err := FetchDurations(ctx, direct.st, rg, q)
			if err != nil {
				t.Fatal(err)
			}
			if a.r.custom["strategy"] != StrategyStore {
				t.Errorf("durations %d %s: strategy %v", i, format, a.r.custom["strategy"])
			}
			if da, db := durations(a), durations(b); da != db || da == "" {
				t.Errorf("durations %d %s: store\n%s\ndirect\n%s", i, format, da, db)
			}
		}
		eq := models.ErrorGroupsQuery{MessageFilters: mf, IncludeRetry: len(mf.Statuses) == 0}
		a, err := FetchErrorGroups(ctx, withStore.st, rg, eq)
		if err != nil {
			t.Fatal(err)
		}
		b, err := FetchErrorGroups(ctx, direct.st, rg, eq)
		if err != nil {
			t.Fatal(err)
		}
		if ga, gb := groups(a), groups(b); ga != gb || ga == "" {
			t.Errorf("errorGroups %d: store\n%s\ndirect\n%s", i, ga, gb)
		}
	}
}

// TestConcurrentRefreshIsExact: a dashboard's panels refreshed together every 30 s (counts over three
// overlapping ranges, a failed-and-retry list) share the store's reads and checks while retries move and
// end; every panel shows the tenant's numbers and rows each time.
func TestConcurrentRefreshIsExact(t *testing.T) {
	var now atomic.Int64
	tn := liveTenant(t, 200_000, &now)
	ctx := context.Background()
	spans := []time.Duration{time.Hour, 20 * time.Minute, 90 * time.Minute}
	lq := models.MessagesQuery{WithErrorText: new(bool), MessageFilters: models.MessageFilters{Statuses: []string{"FAILED", "RETRY"}}}
	for k := 0; k < 24; k++ {
		at := fixedNow.Add(time.Duration(k) * 30 * time.Second)
		now.Store(at.UnixMilli())
		counts := make([]data.Frames, len(spans))
		var list data.Frames
		var wg sync.WaitGroup
		errs := make(chan error, len(spans)+1)
		for i, span := range spans {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rg := Range{From: at.Add(-span), To: at, Interval: time.Minute, MaxDataPoints: 1000, Now: at}
				f, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: GroupStatus, Format: models.FormatNumeric}, "SIM")
				if err != nil {
					errs <- err
					return
				}
				counts[i] = f
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := List(ctx, tn.st, Range{From: at.Add(-30 * time.Minute), To: at, Interval: time.Minute, MaxDataPoints: 1000, Now: at}, lq, "SIM")
			if err != nil {
				errs <- err
				return
			}
			list = f
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i, span := range spans {
			checkStatusCounts(t, tn, numericValues(t, counts[i]), window{at.Add(-span), at}, fmt.Sprintf("refresh %d, %v panel", k, span))
		}
		checkListIsTenants(t, fmt.Sprintf("refresh %d", k), list, tenantList(t, tn, at.Add(-30*time.Minute), at, "FAILED", "RETRY"))
		if t.Failed() {
			t.FailNow()
		}
	}
}

// TestHostileAnswersById: a tenant that answers the check's reads by id with another message, a malformed
// LogEnd, an error or a body of 2 MiB has the minutes of those messages read again instead: a panel
// refreshed every 30 s shows the tenant's counts each time, and no such answer is patched in.
func TestHostileAnswersById(t *testing.T) {
	byID := regexp.MustCompile(`^/api/v1/MessageProcessingLogs\('`)
	for _, mode := range []string{"other id", "malformed date", "null date", "error", "huge"} {
		t.Run(mode, func(t *testing.T) {
			var now atomic.Int64
			var asked atomic.Int64
			wrap := func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if !byID.MatchString(r.URL.Path) {
						h.ServeHTTP(w, r)
						return
					}
					asked.Add(1)
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, r)
					body := rec.Body.String()
					switch mode {
					case "other id":
						body = regexp.MustCompile(`"MessageGuid":"[^"]*"`).ReplaceAllString(body, `"MessageGuid":"AGsANy8AANC0-mMapImnac7JyHLZ"`)
					case "malformed date":
						body = regexp.MustCompile(`"LogEnd":"[^"]*"`).ReplaceAllString(body, `"LogEnd":"/Date(abc)/"`)
					case "null date":
						body = regexp.MustCompile(`"LogEnd":"[^"]*"`).ReplaceAllString(body, `"LogEnd":null`)
					case "error":
						http.Error(w, `{"error":{"message":{"value":"boom"}}}`, http.StatusInternalServerError)
						return
					case "huge":
						body = strings.Replace(body, `"AlternateWebLink":"`, `"AlternateWebLink":"`+strings.Repeat("x", 2<<20), 1)
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, body)
				})
			}
			tn := newTestTenant(t, tenantOpts{perDay: 200_000, now: &now, wrap: wrap, store: []StoreOption{WithStoreBytes(DefaultStoreBytes)}})
			patched := refreshLoop(t, tn, &now, 16)
			if asked.Load() == 0 {
				t.Fatal("no message was read by its id: the test shows nothing")
			}
			if mode != "huge" && patched > 0 {
				t.Errorf("%d messages patched from hostile answers", patched)
			}
			if b, _ := tn.st.rows.usage(); b > DefaultStoreBytes {
				t.Errorf("the store takes %d bytes, bound %d", b, DefaultStoreBytes)
			}
		})
	}
}
