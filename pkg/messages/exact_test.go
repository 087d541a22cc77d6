package messages

import (
	"context"
	"encoding/json"
	"math/rand"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// rawRow is one message as the tenant lists it, decoded by the test itself.
type rawRow struct {
	end, start time.Time
	status     string
	iflow      string
}

// rawRows lists every message whose LogEnd lies in [from, to) straight from the simulated tenant, page by
// page, and decodes the fields the oracle needs by hand.
func rawRows(t *testing.T, tn *tenant, from, to time.Time) []rawRow {
	t.Helper()
	filter := "LogEnd ge datetime'" + from.UTC().Format("2006-01-02T15:04:05") + "' and LogEnd lt datetime'" + to.UTC().Format("2006-01-02T15:04:05") + "'"
	var out []rawRow
	for skip := 0; ; skip += 1000 {
		body := tn.direct(t, "MessageProcessingLogs", url.Values{"$filter": {filter}, "$orderby": {"LogStart"},
			"$select": {"LogEnd,LogStart,Status,IntegrationArtifact"}, "$top": {"1000"}, "$skip": {strconv.Itoa(skip)}})
		var doc struct {
			D struct {
				Results []struct {
					LogEnd, LogStart, Status string
					IntegrationArtifact      struct{ Id string }
				} `json:"results"`
			} `json:"d"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.D.Results {
			out = append(out, rawRow{end: msDate(t, r.LogEnd), start: msDate(t, r.LogStart), status: r.Status, iflow: r.IntegrationArtifact.Id})
		}
		if len(doc.D.Results) < 1000 {
			return out
		}
	}
}

// msDate decodes /Date(1234567890123)/.
func msDate(t *testing.T, s string) time.Time {
	t.Helper()
	ms, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(s, "/Date("), ")/"), 10, 64)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return time.UnixMilli(ms).UTC()
}

// seriesPoints reads the frames of a time series answer: per label value of key, the points.
func seriesPoints(t *testing.T, frames data.Frames, key string) map[string][]point {
	t.Helper()
	out := map[string][]point{}
	for _, f := range frames {
		var times []time.Time
		for _, fld := range f.Fields {
			if fld.Type() == data.FieldTypeTime {
				for i := 0; i < fld.Len(); i++ {
					times = append(times, fld.At(i).(time.Time))
				}
			}
		}
		for _, fld := range f.Fields {
			if fld.Type() == data.FieldTypeTime {
				continue
			}
			label := fld.Labels[key] + "|" + fld.Labels["statistic"]
			for i := 0; i < fld.Len(); i++ {
				p := point{}
				if i < len(times) {
					p.t = times[i]
				}
				switch v := fld.At(i).(type) {
				case float64:
					p.v, p.ok = v, true
				case *float64:
					if v != nil {
						p.v, p.ok = *v, true
					}
				}
				out[label] = append(out[label], p)
			}
		}
	}
	return out
}

type point struct {
	t  time.Time
	v  float64
	ok bool
}

// TestSeriesAreExact: for random ranges and intervals, every time series covers exactly [from, to):
// each point holds the messages from its time to the next point's (the last one to the range end), the
// series add up to the numeric answer, and both equal a count of the raw rows.
// It runs with the row store (one store across the cases, as a dashboard's refreshes would use it) and
// without it (every query asks the tenant).
func TestSeriesAreExact(t *testing.T) {
	t.Run("row store", func(t *testing.T) { testSeriesAreExact(t, nil) })
	t.Run("direct", func(t *testing.T) { testSeriesAreExact(t, []StoreOption{WithStoreBytes(0)}) })
}

func testSeriesAreExact(t *testing.T, opts []StoreOption) {
	ctx := context.Background()
	tn := newTestTenant(t, tenantOpts{perDay: 6000, iflows: 12, store: opts})
	span := 30 * time.Hour
	rows := rawRows(t, tn, fixedNow.Add(-span), fixedNow)
	if len(rows) < 1000 {
		t.Fatalf("only %d raw rows", len(rows))
	}
	rnd := rand.New(rand.NewSource(3))
	intervals := []time.Duration{15 * time.Second, time.Minute, 5 * time.Minute, 7 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour}
	for c := 0; c < 24; c++ {
		from := fixedNow.Add(-time.Duration(rnd.Int63n(int64(span - time.Minute)))).Truncate(time.Second)
		to := from.Add(time.Duration(1+rnd.Int63n(int64(8*time.Hour/time.Second))) * time.Second)
		if to.After(fixedNow) {
			to = fixedNow
		}
		rg := Range{From: from, To: to, Interval: intervals[rnd.Intn(len(intervals))], MaxDataPoints: 5 + rnd.Int63n(1000), Now: fixedNow}
		groupBy := []string{GroupStatus, GroupIFlow}[c%2]
		key := map[string]string{GroupStatus: "status", GroupIFlow: "iflow"}[groupBy]
		of := func(r rawRow) string {
			if groupBy == GroupStatus {
				return r.status
			}
			return r.iflow
		}
		in := func(r rawRow, a, b time.Time) bool { return !r.end.Before(a) && r.end.Before(b) }
		var want int
		for _, r := range rows {
			if in(r, from, to) {
				want++
			}
		}

		ts, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: groupBy, Format: models.FormatTimeSeries}, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		num, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: groupBy, Format: models.FormatNumeric}, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		var seriesSum, numSum float64
		for label, pts := range seriesPoints(t, ts, key) {
			group := strings.TrimSuffix(label, "|")
			for i, p := range pts {
				end := to
				if i+1 < len(pts) {
					end = pts[i+1].t
				}
				if p.t.Before(from) || !end.After(p.t) || end.After(to) {
					t.Fatalf("case %d (%v–%v, %v): point %d of %s covers %v–%v, outside the range", c, from, to, rg.Interval, i, group, p.t, end)
				}
				var n int
				for _, r := range rows {
					if of(r) == group && in(r, p.t, end) {
						n++
					}
				}
				if p.v != float64(n) {
					t.Fatalf("case %d (%v–%v, %v): %s at %v holds %v, the rows %d", c, from, to, rg.Interval, group, p.t, p.v, n)
				}
				seriesSum += p.v
			}
			if len(pts) > 0 && !pts[0].t.Equal(from) {
				t.Errorf("case %d: %s starts at %v, the range at %v", c, group, pts[0].t, from)
			}
		}
		for _, pts := range seriesPoints(t, num, key) {
			for _, p := range pts {
				numSum += p.v
			}
		}
		if seriesSum != float64(want) || numSum != float64(want) {
			t.Fatalf("case %d (%v–%v, %v, %s): series total %v, numeric %v, rows %d", c, from, to, rg.Interval, groupBy, seriesSum, numSum, want)
		}

		// messageDurations: each point's maximum is the longest final message of its part of the range.
		dur, err := Durations(ctx, tn.st, rg, models.MessageDurationsQuery{GroupBy: GroupNone, Format: models.FormatTimeSeries}, "SIM")
		if err != nil {
			t.Fatal(err)
		}
		pts := seriesPoints(t, dur, "none")["|max"]
		for i, p := range pts {
			end := to
			if i+1 < len(pts) {
				end = pts[i+1].t
			}
			var longest float64
			found := false
			for _, r := range rows {
				if in(r, p.t, end) && r.status != "PROCESSING" && r.status != "RETRY" {
					found = true
					longest = max(longest, float64(r.end.Sub(r.start).Milliseconds()))
				}
			}
			if p.ok != found || (found && p.v != longest) {
				t.Fatalf("case %d (%v–%v, %v): duration max at %v is %v (%v), the rows %v (%v)", c, from, to, rg.Interval, p.t, p.v, p.ok, longest, found)
			}
		}
	}
}

// TestRangeBeyondRetention: a range older than the retention is cut to it with a notice, and a 10-year
// time series costs what 30 days cost.
func TestRangeBeyondRetention(t *testing.T) {
	ctx := context.Background()
	tn := newTestTenant(t, tenantOpts{perDay: 2000})
	rg := Range{From: fixedNow.AddDate(-10, 0, 0), To: fixedNow, Interval: 2 * 24 * time.Hour, MaxDataPoints: 1600, Now: fixedNow}
	frames, err := Counts(ctx, tn.st, rg, models.MessageCountsQuery{GroupBy: GroupStatus, Format: models.FormatTimeSeries}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	var notice string
	for _, n := range frames[0].Meta.Notices {
		notice += n.Text
	}
	if !strings.Contains(notice, "30 days") || !strings.Contains(notice, "cut") {
		t.Errorf("notices %q do not say the range was cut", notice)
	}
	oldest := fixedNow.Add(-30 * 24 * time.Hour)
	for label, pts := range seriesPoints(t, frames, "status") {
		if len(pts) == 0 || pts[0].t.Before(oldest) || pts[0].t.After(oldest.Add(2*time.Minute)) {
			t.Errorf("%s starts at %v, not at the retention's start %v", label, pts[0].t, oldest)
		}
		if len(pts) > 20 {
			t.Errorf("%s has %d points for 30 days at 2-day buckets", label, len(pts))
		}
	}
	for _, u := range tn.requests() {
		if strings.Contains(u, "datetime'2016") || strings.Contains(u, "datetime'2026-10-1") {
			t.Errorf("asked for a time before the retention: %s", u)
		}
	}
}
