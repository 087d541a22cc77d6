package logfiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var fixedNow = simtest.Now

type recorder struct {
	mu   sync.Mutex
	reqs []string
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasPrefix(req.URL.Path, "/api/") {
			r.mu.Lock()
			r.reqs = append(r.reqs, req.URL.RequestURI())
			r.mu.Unlock()
		}
		next.ServeHTTP(w, req)
	})
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

func client(t *testing.T, base string) *cpi.Client {
	t.Helper()
	s := settings.Settings{
		APIBaseURL: base, TenantLabel: "NEO", Environment: settings.EnvironmentNeo, AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: base + "/oauth2/api/v1/token", ClientID: simulator.DefaultClientID, Timeout: 5 * time.Second, MaxConcurrent: 4,
		Secrets: settings.Secrets{ClientSecret: simulator.DefaultClientSecret},
	}
	// No rate limit and no retry waits: these tests are about what is read, not how fast.
	c, err := cpi.New(s, cpi.WithRateLimit(cpi.AreaOther, 0), cpi.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// newTenant serves the simulated tenant in the given environment.
func newTenant(t *testing.T, env string) (*cpi.Client, *recorder, string) {
	t.Helper()
	ten := simulator.New(simulator.Config{Seed: 7, Environment: env, Now: func() time.Time { return fixedNow }})
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(ten))
	t.Cleanup(srv.Close)
	return client(t, srv.URL), rec, srv.URL
}

// newFake serves a Neo tenant whose LogFiles list is SAP's hub example (it ignores $filter, as a
// careless server might) and whose $value is body.
func newFake(t *testing.T, body []byte) (*cpi.Client, *recorder) {
	t.Helper()
	list := sapfixtures.Read(t, "hub-example-LogFiles-list.json")
	sim := simulator.New(simulator.Config{Seed: 7, Environment: "neo", Now: func() time.Time { return fixedNow }})
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/oauth2/"):
			sim.ServeHTTP(w, r)
		case strings.HasSuffix(r.URL.Path, "/$value"):
			w.Header().Set("Content-Type", "application/gzip")
			_, _ = w.Write(body)
		case strings.HasSuffix(r.URL.Path, "/LogFiles"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(list)
		default:
			http.NotFound(w, r)
		}
	})))
	t.Cleanup(srv.Close)
	return client(t, srv.URL), rec
}

func masked(r Result, base string) Result {
	r.Requests = simtest.Mask(r.Requests, base, "https://tenant-tmn.example")
	return r
}

func gz(t *testing.T, s []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenFrames(t *testing.T) {
	c, _, base := newTenant(t, "neo")
	list, err := List(context.Background(), c, Options{From: fixedNow.Add(-24 * time.Hour), To: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	var httpToday, traceToday string
	for _, f := range list.Files {
		if strings.HasSuffix(f.Name, "_2026-11-21.log") && strings.HasPrefix(f.Name, "http_access_") {
			httpToday = f.Name
		}
		if strings.HasSuffix(f.Name, "_2026-11-21.log") && strings.HasPrefix(f.Name, "ljs_trace_") {
			traceToday = f.Name
		}
	}
	if httpToday == "" || traceToday == "" {
		t.Fatalf("no files of today in %+v", list.Files)
	}
	tests := []struct {
		name   string
		opts   Options
		framer func(Result, string) *data.Frame
	}{
		{"list_http_2days", Options{From: fixedNow.Add(-48 * time.Hour), To: fixedNow, Query: models.LogFilesQuery{LogFileType: "http"}}, listFrame},
		{"list_all_day", Options{From: fixedNow.Add(-24 * time.Hour), To: fixedNow}, listFrame},
		{"access_table_1h", Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{FileName: httpToday}}, tableFrame},
		{"access_logs_1h", Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{FileName: httpToday, Format: models.FormatLogs}}, logsFrame},
		{"trace_table_1h", Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{FileName: traceToday}}, tableFrame},
		{"trace_logs_1h", Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{FileName: traceToday, Format: models.FormatLogs}}, logsFrame},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), c, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			simtest.Golden(t, tc.name, data.Frames{tc.framer(masked(res, base), "NEO")})
		})
	}
}

func TestListFiltersAndRequests(t *testing.T) {
	c, rec, _ := newTenant(t, "neo")
	from := fixedNow.Add(-48 * time.Hour)
	res, err := List(context.Background(), c, Options{From: from, To: fixedNow.Add(-24 * time.Hour), Query: models.LogFilesQuery{LogFileType: "trace"}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1: %v", len(reqs), reqs)
	}
	for _, want := range []string{"$filter=LogFileType%20eq%20'trace'%20and%20LastModified%20ge%20datetime'2026-11-19T12:00:00'", "$select=Name,Application,LastModified"} {
		if !strings.Contains(reqs[0], want) {
			t.Fatalf("request %s does not contain %s", reqs[0], want)
		}
	}
	// Modified after the start (19th and 20th; the 21st begins after the range's end): two trace files.
	if len(res.Files) != 2 {
		t.Fatalf("files %+v", res.Files)
	}
	for i, f := range res.Files {
		if f.LogFileType != "trace" || f.LastModified.Before(from) || f.Size <= 0 || f.Application == "" {
			t.Fatalf("file %+v", f)
		}
		if i > 0 && f.LastModified.After(res.Files[i-1].LastModified.Time) {
			t.Fatal("not newest first")
		}
	}
}

func TestLinesOfOneFile(t *testing.T) {
	c, rec, _ := newTenant(t, "neo")
	list, err := List(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{LogFileType: "http"}})
	if err != nil || len(list.Files) != 1 {
		t.Fatalf("%v %+v", err, list.Files)
	}
	name := list.Files[0].Name
	n := len(rec.requests())
	from, to := fixedNow.Add(-2*time.Hour), fixedNow.Add(-time.Hour)
	res, err := Fetch(context.Background(), c, Options{From: from, To: to, Query: models.LogFilesQuery{FileName: name}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()[n:]
	// One filtered list call for the key's Application, one download.
	if len(reqs) != 2 || !strings.Contains(reqs[0], "Name%20eq%20'"+name+"'") ||
		!strings.HasSuffix(reqs[1], "/LogFiles(Name='"+name+"',Application='"+list.Files[0].Application+"')/$value") {
		t.Fatalf("requests %v", reqs)
	}
	// The simulated file has a line every 3.6 minutes: 16 or 17 in an hour.
	if len(res.Access) < 16 || len(res.Access) > 17 {
		t.Fatalf("%d lines in one hour", len(res.Access))
	}
	statuses := map[int64]bool{}
	for _, a := range res.Access {
		if a.Time.Before(from) || a.Time.After(to) {
			t.Fatalf("line at %s outside the range", a.Time)
		}
		if a.Method != "POST" || !strings.HasPrefix(a.Path, "/cxf/") || a.Status == nil || a.DurationMS == nil || a.Bytes == nil || a.UserAgent == "" {
			t.Fatalf("line %+v", a)
		}
		statuses[*a.Status] = true
	}
	if res.Lines < 200 {
		t.Fatalf("read %d lines of the file", res.Lines)
	}
	if len(res.Notices) != 0 {
		t.Fatalf("notices %v", res.Notices)
	}
}

func TestBounds(t *testing.T) {
	var lines bytes.Buffer
	for i := 0; i < 500; i++ {
		ts := fixedNow.Add(-time.Duration(500-i) * time.Second)
		fmt.Fprintf(&lines, "10.0.0.1 - - [%s] \"GET /http/ping HTTP/1.1\" 200 2 \"-\" \"curl/8\" 5\n", ts.Format(accessTimeLayout))
	}
	opts := Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{FileName: "http_access_04766fd_2018-07-09.log"}}

	t.Run("lines", func(t *testing.T) {
		c, _ := newFake(t, gz(t, lines.Bytes()))
		o := opts
		o.MaxLines = 100
		res, err := Fetch(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Access) != 100 || len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "first 100 lines") {
			t.Fatalf("%d lines, notices %v", len(res.Access), res.Notices)
		}
	})
	t.Run("bytes, cut at a line end", func(t *testing.T) {
		c, _ := newFake(t, gz(t, lines.Bytes()))
		o := opts
		o.MaxBytes = 1000
		res, err := Fetch(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Access) == 0 || len(res.Access) >= 20 || len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "only its beginning") {
			t.Fatalf("%d lines, notices %v", len(res.Access), res.Notices)
		}
	})
	t.Run("gzip bomb", func(t *testing.T) {
		// 32 MiB of one "line" compress to ~32 KiB; only MaxBytes of it may be held in memory.
		c, _ := newFake(t, gz(t, bytes.Repeat([]byte("A"), 32<<20)))
		o := opts
		o.MaxBytes = 1 << 20
		res, err := Fetch(context.Background(), c, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Access) != 0 || len(res.Notices) == 0 {
			t.Fatalf("%d lines, notices %v", len(res.Access), res.Notices)
		}
	})
	t.Run("damaged gzip", func(t *testing.T) {
		body := gz(t, lines.Bytes())
		c, _ := newFake(t, body[:len(body)/2])
		res, err := Fetch(context.Background(), c, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Access) == 0 || len(res.Access) >= 500 || len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "ends early") {
			t.Fatalf("%d lines, notices %v", len(res.Access), res.Notices)
		}
	})
	t.Run("not gzip is text", func(t *testing.T) {
		c, _ := newFake(t, append([]byte("garbage line\n"), lines.Bytes()...))
		res, err := Fetch(context.Background(), c, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Access) != 500 || len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "1 lines of the file are not HTTP access log lines") {
			t.Fatalf("%d lines, notices %v", len(res.Access), res.Notices)
		}
	})
}

func TestHostileInputs(t *testing.T) {
	c, rec, _ := newTenant(t, "neo")
	for _, q := range []models.LogFilesQuery{
		{FileName: "../../IntegrationRuntimeArtifacts"},
		{FileName: "a.log',Application='x"},
		{FileName: "a.log?$format=xml"},
		{FileName: "a.log#x"},
		{FileName: "a b.log"},
		{FileName: "a.log\n"},
		{FileName: strings.Repeat("a", 300)},
		{LogFileType: "http' or LogFileType eq 'trace"},
		{LogFileType: "audit"},
	} {
		if _, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: q}); err == nil {
			t.Errorf("hostile query accepted: %+v", q)
		}
	}
	if n := len(rec.requests()); n != 0 {
		t.Fatalf("%d requests for refused queries", n)
	}
	if _, err := Fetch(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow, Query: models.LogFilesQuery{FileName: "http_access_0000000_1999-01-01.log"}}); err == nil ||
		!strings.Contains(err.Error(), "no log file") {
		t.Fatalf("unknown file: %v", err)
	}
}

// On Cloud Foundry the tenant has no LogFiles: the 404 says why.
func TestCloudFoundryTenantAnswers404(t *testing.T) {
	c, _, _ := newTenant(t, "cloudFoundry")
	_, err := List(context.Background(), c, Options{From: fixedNow.Add(-time.Hour), To: fixedNow})
	if err == nil || !strings.Contains(err.Error(), "Neo tenants only") || !backend.IsDownstreamError(err) {
		t.Fatalf("error %v", err)
	}
	if e, ok := cpi.AsError(err); !ok || e.Status != http.StatusNotFound {
		t.Fatalf("status lost: %#v", err)
	}
}

// SAP's hub example: Size as a string, /Date()/ times; the type filter holds even when the server ignores it.
func TestHubExampleList(t *testing.T) {
	c, _ := newFake(t, nil)
	res, err := List(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || res.Files[0].Name != "ljs_trace_cb4d1d0_2018-07-16.log" || res.Files[0].Size != 407321 ||
		res.Files[1].Size != 6961 || !res.Files[1].LastModified.Equal(time.UnixMilli(1531180822000)) {
		t.Fatalf("files %+v", res.Files)
	}
	res, err = List(context.Background(), c, Options{Query: models.LogFilesQuery{LogFileType: "http"}})
	if err != nil || len(res.Files) != 1 || res.Files[0].Application != "test" {
		t.Fatalf("http only: %+v %v", res.Files, err)
	}
}

// The list follows relative __next links (as CPI sends them), and a failing page fails the query.
func TestListPaging(t *testing.T) {
	sim := simulator.New(simulator.Config{Seed: 7, Environment: "neo", Now: func() time.Time { return fixedNow }})
	entry := func(i int) string {
		return fmt.Sprintf(`{"Name":"http_access_%07d_2026-11-%02d.log","Application":"a","LastModified":"/Date(%d)/","LogFileType":"http","Size":%d}`,
			i, 10+i, fixedNow.Add(-time.Duration(12-i)*24*time.Hour).UnixMilli(), 100*i)
	}
	var failSecond atomic.Bool
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/oauth2/") {
			sim.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("$skiptoken") {
		case "":
			_, _ = fmt.Fprintf(w, `{"d":{"results":[%s,%s],"__next":"LogFiles?$skiptoken=2"}}`, entry(1), entry(2))
		case "2":
			if failSecond.Load() {
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"error":{"code":"Forbidden","message":{"lang":"en","value":"no"}}}`))
				return
			}
			_, _ = fmt.Fprintf(w, `{"d":{"results":[%s]}}`, entry(3))
		}
	})))
	t.Cleanup(srv.Close)
	c := client(t, srv.URL)
	res, err := List(context.Background(), c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 3 || len(rec.requests()) != 2 || len(res.Requests) != 2 || res.Files[0].Size != 300 {
		t.Fatalf("files %+v, requests %v", res.Files, rec.requests())
	}
	failSecond.Store(true)
	if _, err := List(context.Background(), c, Options{}); err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), Role) {
		t.Fatalf("second page failure: %v", err)
	}
}
