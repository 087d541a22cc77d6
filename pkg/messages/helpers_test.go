package messages

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// fixedNow is the simulated tenant's "now" in every test (a Saturday noon would halve traffic; this is a
// Friday).
var fixedNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// tenant is a simulated tenant served over httptest, with the OData requests it received.
type tenant struct {
	sim  *simulator.Tenant
	srv  *httptest.Server
	c    *cpi.Client
	st   *Store
	hits atomic.Int64
	mu   sync.Mutex
	urls []string
}

type tenantOpts struct {
	perDay int
	iflows int
	seed   int64
	// wrap lets a test change answers (e.g. ignore $skip).
	wrap func(http.Handler) http.Handler
	// store configures the tenant's message store.
	store []StoreOption
	// now, when set, is the tenant's clock (Unix milliseconds; fixedNow otherwise).
	now *atomic.Int64
}

func newTestTenant(t testing.TB, o tenantOpts) *tenant {
	t.Helper()
	if o.seed == 0 {
		o.seed = 7
	}
	clock := func() time.Time { return fixedNow }
	if o.now != nil {
		clock = func() time.Time { return time.UnixMilli(o.now.Load()).UTC() }
	}
	tn := &tenant{sim: simulator.New(simulator.Config{Seed: o.seed, MessagesPerDay: o.perDay, IFlows: o.iflows, Now: clock,
		BasicUsers: []simulator.Client{{ID: "direct", Secret: "direct", Roles: simulator.AllRoles}}})}
	var h http.Handler = tn.sim
	if o.wrap != nil {
		h = o.wrap(h)
	}
	tn.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/") {
			tn.hits.Add(1)
			tn.mu.Lock()
			tn.urls = append(tn.urls, r.URL.RequestURI())
			tn.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(tn.srv.Close)
	s := settings.Settings{
		APIBaseURL: tn.srv.URL, TenantLabel: "SIM", AuthType: settings.AuthOAuth2ClientCredentials,
		TokenURL: tn.srv.URL + "/oauth/token", ClientID: simulator.DefaultClientID,
		Timeout: 20 * time.Second, MaxConcurrent: 8,
		Secrets: settings.Secrets{ClientSecret: simulator.DefaultClientSecret},
	}
	var opts []cpi.Option
	for a := cpi.Area(0); a <= cpi.AreaOther; a++ {
		opts = append(opts, cpi.WithRateLimit(a, 0))
	}
	c, err := cpi.New(s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	tn.c = c
	tn.st = NewStore(c, o.store...)
	t.Cleanup(tn.st.Close)
	return tn
}

// reset forgets the requests seen so far.
func (tn *tenant) reset() {
	tn.hits.Store(0)
	tn.mu.Lock()
	tn.urls = nil
	tn.mu.Unlock()
}

func (tn *tenant) requests() []string {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]string(nil), tn.urls...)
}

// rangeOf is a Range ending at fixedNow.
func rangeOf(d, interval time.Duration) Range {
	return Range{From: fixedNow.Add(-d), To: fixedNow, Interval: interval, MaxDataPoints: 1000, Now: fixedNow}
}

// maskFrames replaces the test server's address in the request log and links, so goldens are stable.
func maskFrames(frames data.Frames, base string) data.Frames {
	for _, f := range frames {
		if f.Meta != nil && f.Meta.ExecutedQueryString != "" {
			// Requests made in parallel are logged in completion order; sort them for a stable file.
			lines := strings.Split(strings.ReplaceAll(f.Meta.ExecutedQueryString, base, "https://tenant.example"), "\n")
			sort.Strings(lines)
			f.Meta.ExecutedQueryString = strings.Join(lines, "\n")
		}
		for _, fld := range f.Fields {
			if fld.Type() != data.FieldTypeString {
				continue
			}
			for i := 0; i < fld.Len(); i++ {
				if s := fld.At(i).(string); strings.Contains(s, base) {
					fld.Set(i, strings.ReplaceAll(s, base, "https://tenant.example"))
				}
			}
		}
	}
	return frames
}

// direct asks the simulated tenant itself (in-process, not counted): the reference the answers of the
// queries are checked against.
func (tn *tenant) direct(t testing.TB, path string, q url.Values) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/"+path+"?"+cpi.EncodeQuery(q), nil)
	req.SetBasicAuth("direct", "direct")
	req.Header.Set("Accept", "application/json")
	rec := httptest.NewRecorder()
	tn.sim.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("direct %s: %d %s", req.URL, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// directCount is the tenant's $count for a $filter.
func (tn *tenant) directCount(t testing.TB, filter string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(string(tn.direct(t, "MessageProcessingLogs/$count", url.Values{"$filter": {filter}})), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deployedCount is the number of deployed iFlows.
func (tn *tenant) deployedCount(t testing.TB) int {
	t.Helper()
	n, err := strconv.Atoi(string(tn.direct(t, "IntegrationRuntimeArtifacts/$count", url.Values{"$filter": {"Type eq 'INTEGRATION_FLOW'"}})))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// deployedIDs are the ids of the deployed iFlows, read straight from the tenant.
func (tn *tenant) deployedIDs(t testing.TB) []string {
	t.Helper()
	var page struct {
		D struct {
			Results []struct{ Id string } `json:"results"`
		} `json:"d"`
	}
	body := tn.direct(t, "IntegrationRuntimeArtifacts", url.Values{"$filter": {"Type eq 'INTEGRATION_FLOW'"}, "$select": {"Id"}, "$format": {"json"}})
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range page.D.Results {
		ids = append(ids, r.Id)
	}
	sort.Strings(ids)
	return ids
}
