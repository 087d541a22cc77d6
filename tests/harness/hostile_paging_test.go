package harness

// Tenants that page badly or send what no decoder expects, through the real binary: the process lives
// on, its memory stays bounded, totals are exact, cut results say so, no row comes twice. Expected
// numbers come from the simulated tenant directly ($count over the same window), never from the plugin.

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// hostileFixture is a plugin and a simulated tenant with some hostile cases on.
type hostileFixture struct {
	h  *pluginHost
	tn *tenant
	d  *direct
	ds dataSource
}

func newHostileFixture(t *testing.T, perDay int, cases ...string) hostileFixture {
	t.Helper()
	h := startPlugin(t)
	c := clientOf(t)
	h.addSecrets(c.Secret)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 71, MessagesPerDay: perDay, IFlows: 12, Hostile: cases, Clients: []simulator.Client{c}}})
	ds := oauthDataSource("HOSTILE", tn.url(), tn.tokenURL(), c.ID, c.Secret, map[string]any{"timeoutSeconds": 30}).saved()
	return hostileFixture{h: h, tn: tn, d: tn.direct(t, c.ID, c.Secret), ds: ds}
}

// count asks the tenant itself how many messages ended in [from, to) ($count ignores the paging cases).
func (fx hostileFixture) count(t *testing.T, from, to time.Time) int {
	t.Helper()
	filter := fmt.Sprintf("LogEnd ge datetime'%s' and LogEnd lt datetime'%s'", from.UTC().Format("2006-01-02T15:04:05"), to.UTC().Format("2006-01-02T15:04:05"))
	body := fx.d.get(t, "MessageProcessingLogs/$count?$filter="+strings.ReplaceAll(url.QueryEscape(filter), "+", "%20"))
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("$count answered %q", body)
	}
	return n
}

// window finds a closed window of yesterday that holds between lo and hi messages (traffic follows the
// time of day and the weekday), with the tenant's count of it.
func (fx hostileFixture) window(t *testing.T, lo, hi int) (time.Time, time.Time, int) {
	t.Helper()
	from := time.Now().UTC().Truncate(24 * time.Hour).Add(-24*time.Hour + 9*time.Hour)
	length := 2 * time.Hour
	for range 8 {
		n := fx.count(t, from, from.Add(length))
		if n >= lo && n <= hi {
			return from, from.Add(length), n
		}
		// Scale towards the middle of the range.
		length = max(time.Duration(float64(length)*float64(lo+hi)/2/float64(max(n, 1))).Truncate(time.Minute), time.Minute)
	}
	t.Fatalf("no window of yesterday holds between %d and %d messages", lo, hi)
	return time.Time{}, time.Time{}, 0
}

// pluginMemory is the plugin process's peak and current resident set (VmHWM, VmRSS) in bytes.
func (h *pluginHost) pluginMemory(t *testing.T) (peak, now int64) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.client.ReattachConfig().Pid))
	if err != nil {
		t.Fatalf("reading the plugin's memory: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if !ok || err != nil {
			continue
		}
		switch name {
		case "VmHWM":
			peak = kb << 10
		case "VmRSS":
			now = kb << 10
		}
	}
	return peak, now
}

// assertAlive checks that the process that answered the hostile queries still answers a health check.
func (fx hostileFixture) assertAlive(t *testing.T) {
	t.Helper()
	if fx.h.client.Exited() {
		t.Fatal("the plugin process exited")
	}
	if res := fx.h.checkHealth(t, fx.ds); res.Status != pluginv2.CheckHealthResponse_OK {
		t.Fatalf("health check after the hostile queries: %v %q", res.Status, res.Message)
	}
}

// listed returns the message ids of a messages table, failing on a duplicate.
func listed(t *testing.T, refID string, r *pluginv2.DataResponse) []string {
	t.Helper()
	if r.Error != "" {
		t.Fatalf("%s failed: %s", refID, r.Error)
	}
	frames := decodeFrames(t, refID, r)
	ids := fieldByName(t, frames[0], "message id")
	seen := map[string]bool{}
	out := make([]string, 0, ids.Len())
	for i := 0; i < ids.Len(); i++ {
		id := cell(ids, i)
		if seen[id] {
			t.Fatalf("%s: message %s listed twice", refID, id)
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

func notices(r *pluginv2.DataResponse, t *testing.T, refID string) string {
	var texts []string
	for _, f := range decodeFrames(t, refID, r) {
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				texts = append(texts, n.Text)
			}
		}
	}
	return strings.Join(texts, " | ")
}

// A malformed date on a later page of a parallel scan fails that query with a short message naming the
// API; the same process then answers a health check.
func TestHostileMalformedDatesOnLaterPage(t *testing.T) {
	fx := newHostileFixture(t, 60_000, "malformed-dates")
	from, to, n := fx.window(t, 3000, 9000)
	res := fx.h.queryAt(t, fx.ds, from, to,
		query{RefID: "list", QueryType: "messages", JSON: map[string]any{}})
	list := res.Responses["list"]
	if list.Error == "" || list.Status != 502 || !strings.Contains(list.Error, "MessageProcessingLogs") {
		t.Fatalf("messages over %d rows with a malformed date on a later page: status %d, error %q", n, list.Status, list.Error)
	}
	if strings.Contains(list.Error, "runtime error") || strings.Contains(list.Error, "slice bounds") || len(list.Error) > 600 {
		t.Errorf("the panel message is not short and readable: %q", list.Error)
	}
	fx.assertAlive(t)
	if !strings.Contains(fx.h.logs(), "MessageProcessingLogs") {
		t.Errorf("the plugin log does not name the failing API")
	}
}

// A __count of 10^12 sizes nothing: memory stays small, totals are the tenant's real ones, and the
// shortfall is said.
func TestHostileHugeCount(t *testing.T) {
	fx := newHostileFixture(t, 30_000, "huge-count")
	from, to, n := fx.window(t, 1500, 6000)
	res := fx.h.queryAt(t, fx.ds, from, to,
		query{RefID: "list", QueryType: "messages", JSON: map[string]any{}},
		query{RefID: "counts", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "status", "format": "numeric"}})
	if ids := listed(t, "list", res.Responses["list"]); len(ids) != n {
		t.Errorf("messages: %d rows, the tenant holds %d", len(ids), n)
	}
	if !strings.Contains(notices(res.Responses["list"], t, "list"), "counted more messages than its pages held") {
		t.Errorf("messages: no notice of the tenant's wrong count: %q", notices(res.Responses["list"], t, "list"))
	}
	if got := messageTotal(t, decodeFrames(t, "counts", res.Responses["counts"])); int(got) != n {
		t.Errorf("messageCounts total %v, the tenant holds %d", got, n)
	}
	peak, _ := fx.h.pluginMemory(t)
	t.Logf("plugin peak RSS %d MiB for a tenant counting %s rows", peak>>20, simulator.HugeCount)
	if peak > 400<<20 {
		t.Errorf("plugin peak RSS %d MiB", peak>>20)
	}
	fx.assertAlive(t)
}

// Pages of about 20 MiB, all in flight at once, stay within the byte budget.
func TestHostileHugePages(t *testing.T) {
	fx := newHostileFixture(t, 60_000, "huge-pages")
	from, to, n := fx.window(t, 5100, 6000)
	start := time.Now()
	res := fx.h.queryAt(t, fx.ds, from, to,
		query{RefID: "list", QueryType: "messages", JSON: map[string]any{"withErrorText": false}})
	if ids := listed(t, "list", res.Responses["list"]); len(ids) != n {
		t.Errorf("messages: %d rows, the tenant holds %d", len(ids), n)
	}
	peak, now := fx.h.pluginMemory(t)
	t.Logf("%d rows in pages of ~%d MiB: %s, plugin peak RSS %d MiB (now %d MiB)", n, (1000*simulator.HugePagePadding)>>20,
		time.Since(start).Round(time.Millisecond), peak>>20, now>>20)
	// Six pages of 20 MiB held whole at once, each copied while decoded, need well over 500 MiB; the
	// budget keeps the bodies held at 128 MiB.
	if peak > 500<<20 {
		t.Errorf("plugin peak RSS %d MiB", peak>>20)
	}
	fx.assertAlive(t)
}

// A tenant that ignores $inlinecount but pages with __next: every row is read, totals are exact, and a
// cap says so.
func TestHostileNoInlineCount(t *testing.T) {
	fx := newHostileFixture(t, 60_000, "no-inlinecount")
	from, to, n := fx.window(t, 3000, 9500)
	res := fx.h.queryAt(t, fx.ds, from, to,
		query{RefID: "list", QueryType: "messages", JSON: map[string]any{}},
		query{RefID: "capped", QueryType: "messages", JSON: map[string]any{"maxRows": 1500}},
		query{RefID: "counts", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "status", "format": "numeric"}},
		query{RefID: "perIFlow", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "iflow", "format": "numeric", "statuses": []string{"COMPLETED"}}})
	if ids := listed(t, "list", res.Responses["list"]); len(ids) != n {
		t.Errorf("messages: %d rows, the tenant holds %d", len(ids), n)
	}
	if ids := listed(t, "capped", res.Responses["capped"]); len(ids) != 1500 ||
		!strings.Contains(notices(res.Responses["capped"], t, "capped"), fmt.Sprintf("newest 1500 of %d", n)) {
		t.Errorf("capped messages: %d rows, notices %q", len(ids), notices(res.Responses["capped"], t, "capped"))
	}
	if got := messageTotal(t, decodeFrames(t, "counts", res.Responses["counts"])); int(got) != n {
		t.Errorf("messageCounts total %v, the tenant holds %d", got, n)
	}
	if r := res.Responses["perIFlow"]; r.Error != "" {
		t.Errorf("messageCounts per iFlow: %s", r.Error)
	}
	fx.assertAlive(t)
}

// A tenant that ignores $skip: the fallback follows __next and never repeats a row (the second page of a
// result between 1000 and 2000 rows asks for less than a page).
func TestHostileIgnoreSkip(t *testing.T) {
	fx := newHostileFixture(t, 30_000, "ignore-skip")
	from, to, n := fx.window(t, 1100, 1990)
	res := fx.h.queryAt(t, fx.ds, from, to,
		query{RefID: "list", QueryType: "messages", JSON: map[string]any{}},
		query{RefID: "counts", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "status", "format": "numeric"}})
	if ids := listed(t, "list", res.Responses["list"]); len(ids) != n {
		t.Errorf("messages: %d rows, the tenant holds %d", len(ids), n)
	}
	if got := messageTotal(t, decodeFrames(t, "counts", res.Responses["counts"])); int(got) != n {
		t.Errorf("messageCounts total %v, the tenant holds %d", got, n)
	}
	fx.assertAlive(t)
}

// 1105 deployed artifacts, paged by __next at 1000: the artifacts query shows all of them and the
// inventory finds exactly the two iFlows the simulated tenant designs without deploying.
func TestHostileManyArtifacts(t *testing.T) {
	fx := newHostileFixture(t, 500, "many-artifacts")
	want := fx.d.artifactCount(t)
	if want != 1105 {
		t.Fatalf("the tenant deploys %d artifacts, the case is 1105", want)
	}
	res := fx.h.queryData(t, fx.ds, nil,
		query{RefID: "artifacts", QueryType: "artifacts", JSON: map[string]any{}},
		query{RefID: "notDeployed", QueryType: "inventory", JSON: map[string]any{"drift": "notDeployed"}})
	for ref, r := range res.Responses {
		if r.Error != "" {
			t.Fatalf("%s: %s", ref, r.Error)
		}
	}
	arts := decodeFrames(t, "artifacts", res.Responses["artifacts"])
	if rows, _ := arts[0].RowLen(); rows != want {
		t.Errorf("artifacts: %d rows, the tenant deploys %d", rows, want)
	}
	inv := decodeFrames(t, "notDeployed", res.Responses["notDeployed"])
	if rows, _ := inv[0].RowLen(); rows != 2 {
		t.Errorf("inventory: %d iFlows not deployed, the tenant has 2 (%s)", rows, notices(res.Responses["notDeployed"], t, "notDeployed"))
	}
	fx.assertAlive(t)
}

// An answer cut short (well-formed HTTP, Content-Length of the cut body, half a JSON document) is the
// tenant's failure: HTTP 502 naming the API, for every family, not a refused query option.
func TestHostileUndecodableAnswersAre502(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t)
	h.addSecrets(c.Secret)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 73, Clients: []simulator.Client{c}}})
	ds := withAuditLog(oauthDataSource("CUT", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil), tn, c).saved()
	neo := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 74, Environment: "neo", Clients: []simulator.Client{c}}})
	neoDS := oauthDataSource("CUT NEO", neo.url(), neo.tokenURL(), c.ID, c.Secret, map[string]any{"environment": "neo"}).saved()
	for _, route := range []string{"IntegrationRuntimeArtifacts", "ServiceEndpoints", "KeystoreEntries", "IntegrationPackages", "JmsBrokers", "auditlog"} {
		tn.sim.SetFault(route, simulator.Fault{TruncateBody: true})
	}
	neo.sim.SetFault("LogFiles", simulator.Fault{TruncateBody: true})
	to := time.Now()
	res := h.queryAt(t, ds, to.Add(-6*time.Hour), to,
		query{RefID: "artifacts", QueryType: "artifacts", JSON: map[string]any{}},
		query{RefID: "endpoints", QueryType: "endpoints", JSON: map[string]any{}},
		query{RefID: "certificates", QueryType: "certificates", JSON: map[string]any{}},
		query{RefID: "inventory", QueryType: "inventory", JSON: map[string]any{}},
		query{RefID: "jms", QueryType: "jms", JSON: map[string]any{}},
		query{RefID: "auditLogs", QueryType: "auditLogs", JSON: map[string]any{}})
	neoRes := h.queryAt(t, neoDS, to.Add(-6*time.Hour), to, query{RefID: "logFiles", QueryType: "logFiles", JSON: map[string]any{}})
	res.Responses["logFiles"] = neoRes.Responses["logFiles"]
	for ref, api := range map[string]string{"artifacts": "IntegrationRuntimeArtifacts", "endpoints": "ServiceEndpoints",
		"certificates": "KeystoreEntries", "inventory": "IntegrationPackages", "jms": "JmsBrokers", "auditLogs": "auditlog", "logFiles": "LogFiles"} {
		r := res.Responses[ref]
		if r.Status != 502 || !strings.Contains(r.Error, api) {
			t.Errorf("%s with a cut answer: status %d, error %q; want 502 naming %s", ref, r.Status, r.Error, api)
		}
	}
}
