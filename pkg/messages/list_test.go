package messages

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// newestRaw is one message of the tenant's own listing, decoded by the test.
type newestRaw struct {
	guid, status string
	end          time.Time
}

// newestRows lists the newest n messages with LogEnd in [from, to) straight from the tenant, page by
// page by $skip, newest first.
func newestRows(t *testing.T, tn *tenant, from, to time.Time, n int) []newestRaw {
	t.Helper()
	filter := "LogEnd ge datetime'" + from.UTC().Format("2006-01-02T15:04:05") + "' and LogEnd lt datetime'" + to.UTC().Format("2006-01-02T15:04:05") + "'"
	var out []newestRaw
	for skip := 0; len(out) < n; skip += 1000 {
		body := tn.direct(t, "MessageProcessingLogs", url.Values{"$filter": {filter}, "$orderby": {"LogEnd desc"},
			"$select": {"MessageGuid,LogEnd,Status"}, "$top": {"1000"}, "$skip": {strconv.Itoa(skip)}})
		var doc struct {
			D struct {
				Results []struct{ MessageGuid, LogEnd, Status string } `json:"results"`
			} `json:"d"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.D.Results {
			out = append(out, newestRaw{guid: r.MessageGuid, status: r.Status, end: msDate(t, r.LogEnd)})
		}
		if len(doc.D.Results) < 1000 {
			break
		}
	}
	return out
}

var logEndWindow = regexp.MustCompile(`LogEnd ge datetime'([0-9T:-]+)' and LogEnd lt datetime'([0-9T:-]+)'`)

// requestWindow is a listing request's query and its LogEnd window (from and to, as sent).
func requestWindow(t *testing.T, u string) (url.Values, [2]string) {
	t.Helper()
	q, err := url.ParseQuery(u[strings.Index(u, "?")+1:])
	if err != nil {
		t.Fatal(err)
	}
	m := logEndWindow.FindStringSubmatch(q.Get("$filter"))
	if m == nil {
		t.Fatalf("request without a LogEnd window: %s", u)
	}
	return q, [2]string{m[1], m[2]}
}

// TestListAcrossSlicesIsTheNewest: a list over a window of many slices holds exactly the newest maxRows
// messages of the tenant's own listing, newest first, each once, with their own status; and it reads
// no slice older than the oldest row it shows beyond that slice's first page. Once with the newest
// hours busier than the window's average (noon: fewer slices than expected are needed) and once
// quieter (early morning: more are, which the first slices' counts reveal).
func TestListAcrossSlicesIsTheNewest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		to      time.Time
		maxRows int
	}{
		{"noon", fixedNow, 50_000},
		{"early morning", fixedNow.Add(-6 * time.Hour), 30_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := tc.to.Add(-24 * time.Hour)
			rg := Range{From: from, To: tc.to, Interval: time.Minute, MaxDataPoints: 1000, Now: fixedNow}
			tn := newTestTenant(t, tenantOpts{perDay: 100_000})
			frames, err := List(context.Background(), tn.st, rg, models.MessagesQuery{MaxRows: intp(tc.maxRows), WithErrorText: new(bool)}, "SIM")
			if err != nil {
				t.Fatal(err)
			}
			f := frames[0]
			// A margin past the cap: messages that end at the same millisecond as the oldest row shown
			// may be listed in either order.
			raw := newestRows(t, tn, from, tc.to, tc.maxRows+1000)
			if len(raw) <= tc.maxRows {
				t.Fatalf("the tenant holds only %d messages: no cap to test", len(raw))
			}
			byGUID := map[string]newestRaw{}
			for _, r := range raw {
				byGUID[r.guid] = r
			}
			if f.Rows() != tc.maxRows {
				t.Fatalf("%d rows, want %d", f.Rows(), tc.maxRows)
			}
			times, _ := f.FieldByName("time")
			ids, _ := f.FieldByName("message id")
			statuses, _ := f.FieldByName("status")
			seen := map[string]bool{}
			for i := 0; i < f.Rows(); i++ {
				id, end := ids.At(i).(string), times.At(i).(time.Time)
				if seen[id] {
					t.Fatalf("row %d: message %s twice", i, id)
				}
				seen[id] = true
				if !end.Equal(raw[i].end) {
					t.Fatalf("row %d ends %s, the tenant's %d-th newest message %s", i, end, i, raw[i].end)
				}
				r, ok := byGUID[id]
				if !ok || !r.end.Equal(end) || r.status != statuses.At(i) {
					t.Fatalf("row %d (%s, %s, %s) is not the tenant's (%+v)", i, id, end, statuses.At(i), r)
				}
			}
			// Requests per slice (the windows of the $filter); the probe is the whole window.
			oldest := raw[tc.maxRows-1].end
			perWindow := map[[2]string]int{}
			pages := 0
			for _, u := range tn.requests() {
				_, w := requestWindow(t, u)
				perWindow[w]++
				pages++
			}
			needed, unneeded := 0, 0
			for w, n := range perWindow {
				to, err := time.Parse("2006-01-02T15:04:05", w[1])
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case to.After(oldest):
					needed++
				case n > 1:
					t.Errorf("slice %v is older than every row shown and was read with %d requests", w, n)
				default:
					unneeded++
				}
			}
			if needed < 3 || unneeded > 1 {
				t.Errorf("%d slices (and the probe) read for the rows shown, %d more started: want several, at most one more", needed-1, unneeded)
			}
			// The probe, a full page per 1000 rows, and one partial page per slice read.
			if limit := 1 + (tc.maxRows+999)/1000 + needed - 1 + unneeded; pages > limit {
				t.Errorf("%d page requests, want at most %d", pages, limit)
			}
			t.Logf("%d rows from %d slices (%d started but not needed) in %d requests", f.Rows(), needed-1, unneeded, pages)
		})
	}
}

// TestListSliceErrorStopsAll: a slice that fails, on its first page or a later one, fails the list with
// its error, and the list returns only once every slice reader has ended.
func TestListSliceErrorStopsAll(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(q url.Values) bool
	}{
		// A slice's first page counts and has no $top (the probe's has the cap).
		{"first page", func(q url.Values) bool { return q.Has("$inlinecount") && !q.Has("$top") }},
		{"later page", func(q url.Values) bool { return q.Get("$skip") == "3000" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wrap := func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/MessageProcessingLogs") && tc.fail(r.URL.Query()) {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusBadRequest)
						_, _ = w.Write([]byte(`{"error":{"code":"Bad","message":{"lang":"en","value":"slice boom"}}}`))
						return
					}
					h.ServeHTTP(w, r)
				})
			}
			tn := newTestTenant(t, tenantOpts{perDay: 100_000, wrap: wrap})
			_, err := List(context.Background(), tn.st, rangeOf(24*time.Hour, time.Minute), models.MessagesQuery{MaxRows: intp(50_000)}, "SIM")
			if err == nil || !strings.Contains(err.Error(), "slice boom") {
				t.Fatalf("error %v, want the failing slice's", err)
			}
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			if strings.Contains(string(buf), "readCapped") || strings.Contains(string(buf), "(*textReads).read") {
				t.Fatalf("a slice or error-text reader outlived the list:\n%s", buf)
			}
		})
	}
}

// TestListReadsTextsWhileListing: once the newest slices hold the failed messages whose error texts the
// query may read, the texts are read while older slices are still listed (the tenant holds the older
// slices' later pages back until a text is asked for; a list that read texts only at the end would wait
// there until its context ended), and they are the texts of the newest failed rows, the tenant's own.
func TestListReadsTextsWhileListing(t *testing.T) {
	const budget = 5
	asked := make(chan struct{})
	var once sync.Once
	old := fixedNow.Add(-6 * time.Hour)
	// At most 7 pages wait at once, so one of the client's 8 requests in flight is always free for a
	// text: the listing cannot end while pages wait, so the texts must be asked for before it ends.
	waiting := make(chan struct{}, 7)
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if strings.HasSuffix(r.URL.Path, "/$value") {
				once.Do(func() { close(asked) })
			} else if m := logEndWindow.FindStringSubmatch(q.Get("$filter")); m != nil && q.Has("$skip") {
				if to, err := time.Parse("2006-01-02T15:04:05", m[2]); err == nil && !to.After(old) {
					select {
					case waiting <- struct{}{}:
						select {
						case <-asked:
						case <-r.Context().Done():
							<-waiting
							return
						}
						<-waiting
					default: // seven wait already
					}
				}
			}
			h.ServeHTTP(w, r)
		})
	}
	tn := newTestTenant(t, tenantOpts{perDay: 100_000, wrap: wrap, store: []StoreOption{WithTextBudget(budget, 0, 1<<20)}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	frames, err := List(ctx, tn.st, rangeOf(24*time.Hour, time.Minute), models.MessagesQuery{MaxRows: intp(50_000)}, "SIM")
	if err != nil {
		t.Fatal(err)
	}
	f := frames[0]
	statuses, _ := f.FieldByName("status")
	ids, _ := f.FieldByName("message id")
	errs, _ := f.FieldByName("error")
	withText := 0
	for i := 0; i < f.Rows(); i++ {
		text := errs.At(i).(string)
		if statuses.At(i) != "FAILED" || withText == budget {
			if text != "" {
				t.Fatalf("row %d (%s, %s) has an error text beyond the %d newest failed rows", i, ids.At(i), statuses.At(i), budget)
			}
			continue
		}
		want := strings.TrimSpace(string(tn.direct(t, "MessageProcessingLogs('"+ids.At(i).(string)+"')/ErrorInformation/$value", nil)))
		if text != want {
			t.Fatalf("row %d: error text %q, the tenant's %q", i, text, want)
		}
		withText++
	}
	if withText != budget {
		t.Fatalf("%d rows with an error text, want %d", withText, budget)
	}
}

// TestListSlicesReadNewestFirst: with 8 requests in flight, two slices of a capped read read their later
// pages at a time, newest first: a slice asks for its second page only after every page of the slice two
// before it arrived (the tenant sees the requests in the order they leave).
func TestListSlicesReadNewestFirst(t *testing.T) {
	tn := newTestTenant(t, tenantOpts{perDay: 100_000})
	if _, err := List(context.Background(), tn.st, rangeOf(24*time.Hour, time.Minute), models.MessagesQuery{MaxRows: intp(50_000), WithErrorText: new(bool)}, "SIM"); err != nil {
		t.Fatal(err)
	}
	type slice struct {
		to               time.Time
		last, firstLater int // positions in the log: its last request, its first request with $skip
	}
	byWindow := map[[2]string]*slice{}
	for i, u := range tn.requests()[1:] { // the probe first
		q, w := requestWindow(t, u)
		to, err := time.Parse("2006-01-02T15:04:05", w[1])
		if err != nil {
			t.Fatal(err)
		}
		s := byWindow[w]
		if s == nil {
			s = &slice{to: to, firstLater: -1}
			byWindow[w] = s
		}
		s.last = i
		if q.Has("$skip") && s.firstLater < 0 {
			s.firstLater = i
		}
	}
	var order []*slice
	for _, s := range byWindow {
		order = append(order, s)
	}
	slices.SortFunc(order, func(a, b *slice) int { return b.to.Compare(a.to) })
	later := 0
	for k := 2; k < len(order); k++ {
		if s := order[k]; s.firstLater >= 0 {
			later++
			if before := order[k-2]; s.firstLater < before.last {
				t.Errorf("the slice ending %s asked for a later page (request %d) before the slice ending %s had its pages (request %d)",
					s.to, s.firstLater, before.to, before.last)
			}
		}
	}
	if later < 2 {
		t.Fatalf("only %d slices beyond the first two read later pages: nothing to test", later)
	}
}

// TestSlicesAhead: two slices at a time (16 pages each) fill 8 requests in flight twice over; a client
// allowed more in flight reads as many slices as fill it twice.
func TestSlicesAhead(t *testing.T) {
	for _, tc := range []struct{ concurrency, want int }{{1, 2}, {8, 2}, {16, 2}, {17, 3}, {64, 8}} {
		if got := slicesAhead(tc.concurrency); got != tc.want {
			t.Errorf("slicesAhead(%d) = %d, want %d", tc.concurrency, got, tc.want)
		}
	}
}

// TestListReadAgainAfterTextsReadEarly: a capped list over a range that ends shortly before now, whose
// newest rows (after the range) took places under the cap, is read again over exactly the range after
// the error texts of the failed rows of the first read were planned; a tenant that lists fewer failed
// messages the second time (here: none) gets an answer, not a panic, with the rows it listed.
func TestListReadAgainAfterTextsReadEarly(t *testing.T) {
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := logEndWindow.FindStringSubmatch(r.URL.Query().Get("$filter"))
			if m == nil || strings.HasSuffix(m[1], ":00") {
				h.ServeHTTP(w, r)
				return
			}
			// The exact read of the range (its start off a whole minute): no FAILED message.
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			body := strings.ReplaceAll(rec.Body.String(), `"Status":"FAILED"`, `"Status":"ESCALATED"`)
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = io.WriteString(w, body)
		})
	}
	tn := newTestTenant(t, tenantOpts{perDay: 100_000, wrap: wrap, store: []StoreOption{WithStoreBytes(0), WithTextBudget(2, 0, 1<<20)}})
	rg := rangeOf(time.Hour, time.Minute)
	rg.From, rg.To = rg.From.Add(17*time.Second), rg.To.Add(-23*time.Second)
	var f data.Frames
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("the list panicked: %v", p)
			}
		}()
		var err error
		if f, err = List(context.Background(), tn.st, rg, models.MessagesQuery{MaxRows: intp(400)}, "SIM"); err != nil {
			t.Fatal(err)
		}
	}()
	texts := 0
	for _, u := range tn.requests() {
		if strings.HasSuffix(u, "/$value") {
			texts++
		}
	}
	if texts == 0 {
		t.Fatal("no error text read early: the case is not tested")
	}
	if f[0].Rows() != 400 {
		t.Errorf("%d rows, want 400", f[0].Rows())
	}
}
