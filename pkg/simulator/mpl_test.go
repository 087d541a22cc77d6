package simulator

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

func dateOf(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	d, err := odata.ParseDate(s)
	if err != nil || !strings.HasPrefix(s, "/Date(") {
		t.Fatalf("not an OData date: %v (%v)", v, err)
	}
	return d
}

func TestMPLFilterCountAndInlineCount(t *testing.T) {
	e := newEnv(t, Config{})
	from, to := testNow.Add(-6*time.Hour), testNow.Add(-5*time.Hour)
	window := "LogStart ge " + lit(from) + " and LogStart lt " + lit(to)
	count := func(filter string) int {
		st, h, b := e.get("/api/v1/MessageProcessingLogs/$count" + q("$filter", filter))
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			t.Fatalf("$count %q: %d %s %s", filter, st, h.Get("Content-Type"), b)
		}
		n, err := strconv.Atoi(string(b))
		if err != nil {
			t.Fatalf("$count body %q", b)
		}
		return n
	}
	all := count(window)
	if all < 300 || all > 3000 {
		t.Fatalf("an hour at 20000/day should hold hundreds of messages, got %d", all)
	}
	// The statuses partition the window.
	sum := 0
	perStatus := map[string]int{}
	for _, s := range []string{"COMPLETED", "FAILED", "PROCESSING", "RETRY", "ESCALATED", "CANCELLED", "DISCARDED", "ABANDONED"} {
		n := count(window + " and Status eq '" + s + "'")
		perStatus[s] = n
		sum += n
	}
	if sum != all {
		t.Fatalf("status counts add up to %d, total %d (%v)", sum, all, perStatus)
	}
	if perStatus["COMPLETED"] < all/2 || perStatus["FAILED"] == 0 {
		t.Fatalf("implausible status mix %v", perStatus)
	}
	// or / not / ne / parentheses agree with the partition.
	if n := count(window + " and (Status eq 'FAILED' or Status eq 'COMPLETED')"); n != perStatus["FAILED"]+perStatus["COMPLETED"] {
		t.Fatalf("or: %d", n)
	}
	if n := count(window + " and Status ne 'COMPLETED'"); n != all-perStatus["COMPLETED"] {
		t.Fatalf("ne: %d", n)
	}
	if n := count(window + " and not (Status eq 'COMPLETED')"); n != all-perStatus["COMPLETED"] {
		t.Fatalf("not: %d", n)
	}
	// $inlinecount gives the same number as a string, and every returned row satisfies the filter.
	v := e.getJSON("/api/v1/MessageProcessingLogs" + q("$filter", window+" and Status eq 'FAILED'", "$inlinecount", "allpages"))
	d := v["d"].(map[string]any)
	if d["__count"] != strconv.Itoa(perStatus["FAILED"]) {
		t.Fatalf("__count %#v, want string %d", d["__count"], perStatus["FAILED"])
	}
	for _, r := range results(t, v) {
		ls := dateOf(t, r["LogStart"])
		if r["Status"] != "FAILED" || ls.Before(from) || !ls.Before(to) {
			t.Fatalf("row outside the filter: %v %v", r["Status"], ls)
		}
		if le := dateOf(t, r["LogEnd"]); le.Before(ls) {
			t.Fatalf("LogEnd before LogStart")
		}
	}
	// Filtering by the artifact id (complex member) and by the deprecated IntegrationFlowName agree.
	flow := results(t, v)[0]["IntegrationArtifact"].(map[string]any)["Id"].(string)
	a := count(window + " and IntegrationArtifact/Id eq '" + flow + "'")
	b := count(window + " and IntegrationFlowName eq '" + flow + "'")
	if a == 0 || a != b {
		t.Fatalf("IntegrationArtifact/Id %d vs IntegrationFlowName %d", a, b)
	}
	if n := count(window + " and substringof('" + flow[:5] + "', IntegrationFlowName)"); n < a {
		t.Fatalf("substringof: %d < %d", n, a)
	}
	if n := count(window + " and startswith(IntegrationFlowName, '" + flow + "')"); n < a {
		t.Fatalf("startswith: %d < %d", n, a)
	}
	// "Last 6 hours" always has traffic, whatever now is.
	for _, now := range []time.Time{testNow, testNow.Add(-13 * time.Hour), time.Date(2026, 3, 14, 3, 0, 0, 0, time.UTC)} {
		e2 := newEnv(t, Config{Now: func() time.Time { return now }})
		st, _, b := e2.get("/api/v1/MessageProcessingLogs/$count" + q("$filter", "LogStart ge "+lit(now.Add(-6*time.Hour))))
		if n, _ := strconv.Atoi(string(b)); st != 200 || n < 500 {
			t.Fatalf("now=%v: last 6h count %s", now, b)
		}
	}
}

func TestMPLPagingFollowsNextToTheEnd(t *testing.T) {
	e := newEnv(t, Config{MessagesPerDay: 40000})
	filter := "LogStart ge " + lit(testNow.Add(-3*time.Hour)) + " and LogStart lt " + lit(testNow.Add(-1*time.Hour))
	for _, order := range []string{"", "LogStart desc", "LogEnd desc", "LogEnd", "Status,LogEnd desc", "IntegrationFlowName desc,LogStart"} {
		t.Run("orderby="+order, func(t *testing.T) {
			params := []string{"$filter", filter, "$inlinecount", "allpages", "$select", "MessageGuid,LogStart,LogEnd,Status,IntegrationFlowName"}
			if order != "" {
				params = append(params, "$orderby", order)
			}
			path := "/api/v1/MessageProcessingLogs" + q(params...)
			seen := map[string]bool{}
			var prev map[string]any
			total, pages := -1, 0
			for path != "" {
				v := e.getJSON(path)
				d := v["d"].(map[string]any)
				n, _ := strconv.Atoi(d["__count"].(string))
				if total >= 0 && n != total {
					t.Fatalf("__count changed between pages: %d vs %d", n, total)
				}
				total = n
				rows := results(t, v)
				if len(rows) > pageSize {
					t.Fatalf("page of %d rows", len(rows))
				}
				for _, r := range rows {
					if len(r) != 6 { // __metadata + 5 selected
						t.Fatalf("$select not applied: %v", r)
					}
					id := r["MessageGuid"].(string)
					if seen[id] {
						t.Fatalf("duplicate %s across pages", id)
					}
					seen[id] = true
					if prev != nil && !ordered(t, order, prev, r) {
						t.Fatalf("order %q violated: %v then %v", order, prev, r)
					}
					prev = r
				}
				pages++
				next, _ := d["__next"].(string)
				if next == "" {
					break
				}
				if strings.HasPrefix(next, "http") || !strings.HasPrefix(next, "MessageProcessingLogs?") || !strings.Contains(next, "$skiptoken=") {
					t.Fatalf("__next must be relative with $skiptoken: %s", next)
				}
				path = "/api/v1/" + next
			}
			if len(seen) != total || pages != (total+pageSize-1)/pageSize {
				t.Fatalf("followed %d rows in %d pages, __count %d", len(seen), pages, total)
			}
		})
	}
}

func ordered(t *testing.T, order string, a, b map[string]any) bool {
	switch order {
	case "", "LogStart":
		return !dateOf(t, b["LogStart"]).Before(dateOf(t, a["LogStart"]))
	case "LogStart desc":
		return !dateOf(t, b["LogStart"]).After(dateOf(t, a["LogStart"]))
	case "LogEnd":
		return !dateOf(t, b["LogEnd"]).Before(dateOf(t, a["LogEnd"]))
	case "LogEnd desc":
		return !dateOf(t, b["LogEnd"]).After(dateOf(t, a["LogEnd"]))
	case "IntegrationFlowName desc,LogStart":
		fa, fb := a["IntegrationFlowName"].(string), b["IntegrationFlowName"].(string)
		if fa != fb {
			return fa > fb
		}
		return !dateOf(t, b["LogStart"]).Before(dateOf(t, a["LogStart"]))
	case "Status,LogEnd desc":
		sa, sb := a["Status"].(string), b["Status"].(string)
		if sa != sb {
			return sa < sb
		}
		return !dateOf(t, b["LogEnd"]).After(dateOf(t, a["LogEnd"]))
	}
	return false
}

func TestMPLTopSkipAndSkiptoken(t *testing.T) {
	e := newEnv(t, Config{})
	filter := "LogStart ge " + lit(testNow.Add(-2*time.Hour))
	ids := func(path string) ([]string, string) {
		v := e.getJSON(path)
		var out []string
		for _, r := range results(t, v) {
			out = append(out, r["MessageGuid"].(string))
		}
		next, _ := v["d"].(map[string]any)["__next"].(string)
		return out, next
	}
	all, _ := ids("/api/v1/MessageProcessingLogs" + q("$filter", filter, "$top", "1000", "$select", "MessageGuid"))
	page, next := ids("/api/v1/MessageProcessingLogs" + q("$filter", filter, "$top", "10", "$skip", "20", "$select", "MessageGuid"))
	if next != "" || !slices.Equal(page, all[20:30]) {
		t.Fatalf("$top/$skip window wrong (next %q)", next)
	}
	// $top above the server page: 1000 rows, then the rest through __next, never beyond $top.
	big, next := ids("/api/v1/MessageProcessingLogs" + q("$filter", filter, "$top", "1500", "$select", "MessageGuid"))
	if len(big) != 1000 || next == "" {
		t.Fatalf("$top=1500: %d rows, next %q", len(big), next)
	}
	rest, next2 := ids("/api/v1/" + next)
	if len(rest) != 500 || next2 != "" {
		t.Fatalf("second page of $top=1500: %d rows, next %q", len(rest), next2)
	}
	// Bad options are OData 400s.
	for _, bad := range []url.Values{
		{"$top": {"-1"}},
		{"$skiptoken": {"abc"}},
		{"$filter": {"NoSuchProperty eq 'x'"}},
		{"$filter": {"LogStart gt datetime'2026-03-10T10:00:00Z'"}},
		{"$filter": {"LogStart gt datetime'2026-03-10 10:00'"}},
		{"$filter": {"Status eq 1"}},
		{"$select": {"Nope"}},
		{"$orderby": {"Nope desc"}},
		{"$expand": {"Nope"}},
		{"filterCustomHeaderProperties": {"PurchaseOrder eq"}},
	} {
		st, _, b := e.get("/api/v1/MessageProcessingLogs?" + bad.Encode())
		var body struct {
			Error struct {
				Code    string
				Message struct{ Lang, Value string }
			}
		}
		if st != 400 || json.Unmarshal(b, &body) != nil || body.Error.Message.Value == "" || body.Error.Message.Lang != "en" {
			t.Errorf("%v: status %d body %s", bad, st, b)
		}
	}
}

func TestMPLSingleAndSubresources(t *testing.T) {
	e := newEnv(t, Config{})
	v := e.getJSON("/api/v1/MessageProcessingLogs" + q("$filter", "LogStart ge "+lit(testNow.Add(-6*time.Hour))+" and Status eq 'FAILED'", "$top", "20"))
	rows := results(t, v)
	if len(rows) == 0 {
		t.Fatal("no failed messages in 6 hours")
	}
	var withHeaders string
	for _, r := range rows {
		guid := r["MessageGuid"].(string)
		single := e.getJSON("/api/v1/MessageProcessingLogs('" + guid + "')")
		if single["d"].(map[string]any)["MessageGuid"] != guid {
			t.Fatalf("single %s: %v", guid, single)
		}
		ei := e.getJSON("/api/v1/MessageProcessingLogs('" + guid + "')/ErrorInformation")["d"].(map[string]any)
		if ei["Type"] != "text/plain" || ei["MessageGuid"] != guid {
			t.Fatalf("ErrorInformation %v", ei)
		}
		st, h, text := e.get("/api/v1/MessageProcessingLogs('" + guid + "')/ErrorInformation/$value")
		if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || len(text) < 40 {
			t.Fatalf("error text: %d %s %q", st, h.Get("Content-Type"), text)
		}
		st2, _, text2 := e.get("/api/v1/MessageProcessingLogErrorInformations('" + guid + "')/$value")
		if st2 != 200 || !bytes.Equal(text, text2) {
			t.Fatalf("entity-set form of the error text differs")
		}
		hs := results(t, e.getJSON("/api/v1/MessageProcessingLogs('"+guid+"')/CustomHeaderProperties"))
		if len(hs) > 0 && withHeaders == "" {
			withHeaders = guid
			name, value := hs[0]["Name"].(string), hs[0]["Value"].(string)
			filter := "LogStart ge " + lit(testNow.Add(-6*time.Hour)) + " and Status eq 'FAILED'"
			found := results(t, e.getJSON("/api/v1/MessageProcessingLogs"+q("$filter", filter, "filterCustomHeaderProperties", "'"+name+"' eq '"+value+"'")))
			if len(found) == 0 || !slices.ContainsFunc(found, func(m map[string]any) bool { return m["MessageGuid"] == guid }) {
				t.Fatalf("filterCustomHeaderProperties did not find %s", guid)
			}
			none := results(t, e.getJSON("/api/v1/MessageProcessingLogs"+q("$filter", filter, "filterCustomHeaderProperties", "'"+name+"' eq 'no-such-value'")))
			if len(none) != 0 {
				t.Fatalf("filterCustomHeaderProperties matched a non-existent value")
			}
		}
		for _, sub := range []string{"AdapterAttributes", "Attachments", "MessageStoreEntries", "Runs"} {
			e.getJSON("/api/v1/MessageProcessingLogs('" + guid + "')/" + sub)
		}
	}
	if withHeaders == "" {
		t.Fatal("no failed message with custom header properties")
	}
	for _, bad := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "short", strings.Repeat("A", 27) + "B"} {
		if st, _, _ := e.get("/api/v1/MessageProcessingLogs('" + bad + "')"); st != 404 {
			t.Fatalf("unknown guid %s: %d", bad, st)
		}
	}
	// $expand on the collection.
	v = e.getJSON("/api/v1/MessageProcessingLogs" + q("$filter", "LogStart ge "+lit(testNow.Add(-1*time.Hour)), "$top", "5", "$expand", "CustomHeaderProperties,AdapterAttributes"))
	for _, r := range results(t, v) {
		if _, ok := r["CustomHeaderProperties"].(map[string]any)["results"]; !ok {
			t.Fatalf("CustomHeaderProperties not expanded: %v", r["CustomHeaderProperties"])
		}
	}
}

func TestMPLStuckAndRetryMessagesExist(t *testing.T) {
	e := newEnv(t, Config{})
	old := "LogStart lt " + lit(testNow.Add(-2*time.Hour)) + " and LogStart ge " + lit(testNow.Add(-26*time.Hour))
	for _, s := range []string{"PROCESSING", "RETRY"} {
		st, _, b := e.get("/api/v1/MessageProcessingLogs/$count" + q("$filter", old+" and Status eq '"+s+"'"))
		if n, _ := strconv.Atoi(string(b)); st != 200 || n == 0 {
			t.Fatalf("no %s messages older than 2 hours: %s", s, b)
		}
	}
}

func TestMPLAtom(t *testing.T) {
	e := newEnv(t, Config{})
	st, h, b := e.get("/api/v1/MessageProcessingLogs"+q("$filter", "LogStart ge "+lit(testNow.Add(-3*time.Hour)), "$inlinecount", "allpages"), "Accept", "application/atom+xml")
	s := string(b)
	if st != 200 || !strings.Contains(h.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("%d %s", st, h.Get("Content-Type"))
	}
	for _, want := range []string{"<feed", `xml:base="`, "<m:count>", "<entry>", `term="com.sap.hci.api.MessageProcessingLog"`,
		`<d:LogStart m:type="Edm.DateTime">`, `<d:IntegrationArtifact m:type="com.sap.hci.api.IntegrationArtifact">`,
		`<d:ArchivingLogAttachments m:type="Edm.Boolean">false</d:ArchivingLogAttachments>`, `rel="next"`} {
		if !strings.Contains(s, want) {
			t.Fatalf("Atom lacks %s: %.500s", want, s)
		}
	}
}

func TestDeterminism(t *testing.T) {
	path := "/api/v1/MessageProcessingLogs" + q("$filter", "LogStart ge "+lit(testNow.Add(-3*time.Hour)), "$top", "300", "$orderby", "LogEnd desc", "$inlinecount", "allpages")
	body := func(seed int64) []byte {
		e := newEnv(t, Config{Seed: seed})
		st, _, b := e.get(path)
		if st != 200 {
			t.Fatalf("%d", st)
		}
		// The host (random port) is in every URI; compare without it.
		return bytes.ReplaceAll(b, []byte(e.srv.URL), []byte("http://host"))
	}
	a, b, c := body(7), body(7), body(8)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed and now gave different bytes")
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same bytes")
	}
}
