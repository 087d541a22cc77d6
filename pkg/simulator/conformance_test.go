package simulator

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
)

// fixturesDir is the folder of SAP's published and captured payloads.
func fixturesDir(t *testing.T) string {
	return sapfixtures.Dir(t)
}

func readFixture(t *testing.T, dir, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// hubVsReal lists the fields where SAP's hub examples and a real Cloud Foundry tenant disagree in type;
// the real tenant wins: the Archiving* flags are JSON booleans, not "false" strings.
var hubVsReal = map[string]string{
	"ArchivingSenderChannelMessages":   "bool",
	"ArchivingReceiverChannelMessages": "bool",
	"ArchivingLogAttachments":          "bool",
	"ArchivingPersistedMessages":       "bool",
}

// realOnly lists fields a real tenant sends that the (older) hub examples lack.
var realOnly = map[string]bool{"PredecessorMessageGuid": true}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// conform compares the simulator's value with the fixture's, recursively: same field names, same JSON
// kinds. A null in the fixture matches any kind (the property is nullable); the simulator may add
// __metadata where SAP trimmed it from hub examples.
func conform(path string, fix, sim any, hub bool) []string {
	if fix == nil {
		return nil
	}
	fk, sk := kind(fix), kind(sim)
	name := path[strings.LastIndex(path, ".")+1:]
	if fk != sk {
		if want, ok := hubVsReal[name]; ok && hub && sk == want {
			return nil
		}
		return []string{fmt.Sprintf("%s: fixture %s, simulator %s (%v)", path, fk, sk, sim)}
	}
	var errs []string
	switch f := fix.(type) {
	case map[string]any:
		s := sim.(map[string]any)
		for k, fv := range f {
			sv, ok := s[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: missing in the simulator", path, k))
				continue
			}
			errs = append(errs, conform(path+"."+k, fv, sv, hub)...)
		}
		for k := range s {
			if _, ok := f[k]; ok {
				continue
			}
			if k == "__metadata" && hub {
				continue
			}
			if realOnly[k] && hub {
				continue
			}
			if k == "__next" && path == "$.d" {
				continue // server paging: present whenever the result is longer than a page
			}
			errs = append(errs, fmt.Sprintf("%s.%s: not in the fixture", path, k))
		}
	case []any:
		s := sim.([]any)
		if len(f) > 0 && len(s) == 0 {
			return []string{path + ": simulator returned an empty array"}
		}
		if len(f) > 0 {
			for i, sv := range s {
				errs = append(errs, conform(fmt.Sprintf("%s[%d]", path, i), f[min(i, len(f)-1)], sv, hub)...)
				if len(errs) > 10 {
					break
				}
			}
		}
	}
	return errs
}

// fixtureRequest is the simulator request that answers the same resource as a fixture.
type fixtureRequest struct {
	path   string
	neo    bool
	status int
}

func TestFixtureConformance(t *testing.T) {
	dir := fixturesDir(t)
	cf := newEnv(t, Config{})
	neo := newEnv(t, Config{Environment: "neo"})

	// Keys of real objects to address single resources and sub-collections.
	recent := "LogStart ge " + lit(testNow.Add(-6*time.Hour))
	failed := results(t, cf.getJSON("/api/v1/MessageProcessingLogs"+q("$filter", recent+" and Status eq 'FAILED'", "$top", "50")))
	completed := results(t, cf.getJSON("/api/v1/MessageProcessingLogs"+q("$filter", recent+" and Status eq 'COMPLETED'", "$top", "200")))
	withSub := func(rows []map[string]any, sub string) string {
		for _, r := range rows {
			g := r["MessageGuid"].(string)
			if len(results(t, cf.getJSON("/api/v1/MessageProcessingLogs('"+g+"')/"+sub))) > 0 {
				return g
			}
		}
		t.Fatalf("no message with %s", sub)
		return ""
	}
	mplKey := "/api/v1/MessageProcessingLogs('"
	requests := map[string]fixtureRequest{
		"hub-example-DataStoreEntries-list.json":                       {path: "/api/v1/DataStoreEntries"},
		"hub-example-DataStores-list.json":                             {path: "/api/v1/DataStores"},
		"hub-example-IntegrationPackages-list.json":                    {path: "/api/v1/IntegrationPackages"},
		"hub-example-IntegrationRuntimeArtifact-single.json":           {path: "/api/v1/IntegrationRuntimeArtifacts('Payment_Files_S4_to_Bank')"},
		"hub-example-IntegrationRuntimeArtifacts-list.json":            {path: "/api/v1/IntegrationRuntimeArtifacts"},
		"hub-example-JmsBrokers-Broker1-QueueStates.json":              {path: "/api/v1/JmsBrokers('Broker1')?$expand=QueueStates"},
		"hub-example-KeystoreEntries-list.json":                        {path: "/api/v1/KeystoreEntries"},
		"hub-example-KeystoreEntry-ChainCertificates.json":             {path: "/api/v1/KeystoreEntries('" + hexAlias("sap_cloudintegrationcertificate") + "')/ChainCertificates"},
		"hub-example-Keystores-system-expand-Entries.json":             {path: "/api/v1/Keystores('system')?$expand=Entries"},
		"hub-example-LogFileArchives-list.json":                        {path: "/api/v1/LogFileArchives", neo: true},
		"hub-example-LogFiles-list.json":                               {path: "/api/v1/LogFiles", neo: true},
		"hub-example-MessageProcessingLog-AdapterAttributes.json":      {path: mplKey + withSub(failed, "AdapterAttributes") + "')/AdapterAttributes"},
		"hub-example-MessageProcessingLog-Attachments.json":            {path: mplKey + withSub(failed, "Attachments") + "')/Attachments"},
		"hub-example-MessageProcessingLog-CustomHeaderProperties.json": {path: mplKey + withSub(failed, "CustomHeaderProperties") + "')/CustomHeaderProperties"},
		"hub-example-MessageProcessingLog-ErrorInformation.json":       {path: mplKey + failed[0]["MessageGuid"].(string) + "')/ErrorInformation"},
		"hub-example-MessageProcessingLogs-list.json":                  {path: "/api/v1/MessageProcessingLogs" + q("$filter", recent, "$top", "50")},
		"hub-example-MessageStoreEntries-by-MPL.json":                  {path: mplKey + withSub(completed, "MessageStoreEntries") + "')/MessageStoreEntries"},
		"hub-example-NumberRanges-list.json":                           {path: "/api/v1/NumberRanges"},
		"hub-example-ServiceEndpoints-list.json":                       {path: "/api/v1/ServiceEndpoints"},
		"hub-example-UserCredentials-list.json":                        {path: "/api/v1/UserCredentials"},
		"hub-example-Variables-list.json":                              {path: "/api/v1/Variables"},
		"hub-example-odata-error.json":                                 {path: "/api/v1/MessageProcessingLogs?$filter=Nope%20eq%201", status: 400},
		"real-cf-tenant-MessageProcessingLogs-inlinecount.json":        {path: "/api/v1/MessageProcessingLogs" + q("$inlinecount", "allpages", "$filter", recent+" and Status eq 'FAILED'")},
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasSuffix(n, ".json") && (strings.HasPrefix(n, "hub-example-") || strings.HasPrefix(n, "real-cf-tenant-")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) < 20 {
		t.Fatalf("only %d CPI response fixtures in %s", len(names), dir)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			req, ok := requests[name]
			if !ok {
				t.Fatalf("no simulator request mapped to fixture %s: add one", name)
			}
			e := cf
			if req.neo {
				e = neo
			}
			want := req.status
			if want == 0 {
				want = 200
			}
			st, _, body := e.get(req.path)
			if st != want {
				t.Fatalf("GET %s: %d, want %d: %.300s", req.path, st, want, body)
			}
			var sim any
			if err := json.Unmarshal(body, &sim); err != nil {
				t.Fatalf("simulator JSON: %v", err)
			}
			fix := readFixture(t, dir, name)
			hub := strings.HasPrefix(name, "hub-")
			errs := conform("$", fix, sim, hub)
			if !hub {
				errs = append(errs, realEnvelopeChecks(fix, sim)...)
			}
			for _, msg := range errs {
				t.Error(msg)
			}
		})
	}
}

// realEnvelopeChecks: with the real capture the simulator must also carry __metadata with id, uri and
// type on every entry (conform already compares keys and kinds, including the __count string).
func realEnvelopeChecks(fix, sim any) []string {
	d := sim.(map[string]any)["d"].(map[string]any)
	var errs []string
	for i, r := range d["results"].([]any) {
		md, _ := r.(map[string]any)["__metadata"].(map[string]any)
		for _, k := range []string{"id", "uri", "type"} {
			if s, _ := md[k].(string); s == "" {
				errs = append(errs, fmt.Sprintf("results[%d].__metadata.%s missing", i, k))
			}
		}
	}
	if _, ok := d["__count"].(string); !ok {
		errs = append(errs, "__count is not a string")
	}
	return errs
}

// TestConformRejectsMismatches makes sure the comparison itself can fail.
func TestConformRejectsMismatches(t *testing.T) {
	fix := map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "x", "B": 1.0, "C": nil, "ArchivingLogAttachments": "false"}}}}
	cases := []struct {
		name string
		sim  any
		hub  bool
		ok   bool
	}{
		{"same", map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "y", "B": 2.0, "C": "z", "ArchivingLogAttachments": "true"}}}}, false, true},
		{"number as string", map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "y", "B": "2", "C": nil, "ArchivingLogAttachments": "false"}}}}, false, false},
		{"missing field", map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "y", "C": nil, "ArchivingLogAttachments": "false"}}}}, false, false},
		{"extra field", map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "y", "B": 2.0, "C": nil, "D": 1.0, "ArchivingLogAttachments": "false"}}}}, false, false},
		{"single instead of collection", map[string]any{"d": map[string]any{"A": "y"}}, false, false},
		{"empty results", map[string]any{"d": map[string]any{"results": []any{}}}, false, false},
		{"bool archiving flag vs hub string", map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "y", "B": 2.0, "C": nil, "ArchivingLogAttachments": false, "__metadata": map[string]any{}}}}}, true, true},
		{"extra __metadata vs real fixture", map[string]any{"d": map[string]any{"results": []any{map[string]any{"A": "y", "B": 2.0, "C": nil, "ArchivingLogAttachments": "x", "__metadata": map[string]any{}}}}}, false, false},
	}
	for _, tc := range cases {
		errs := conform("$", fix, tc.sim, tc.hub)
		if (len(errs) == 0) != tc.ok {
			t.Errorf("%s: errors %v, want ok=%v", tc.name, errs, tc.ok)
		}
	}
}

// xmlNode is a generic XML element for structural comparison.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
}

// shape lists an element's children as "name" (with rel for links), in order, without repeats.
func shape(n xmlNode) []string {
	var out []string
	for _, c := range n.Children {
		name := c.XMLName.Local
		if name == "link" {
			for _, a := range c.Attrs {
				if a.Name.Local == "rel" {
					name += "[" + a.Value + "]"
				}
			}
		}
		if len(out) == 0 || out[len(out)-1] != name {
			out = append(out, name)
		}
	}
	return out
}

func child(n xmlNode, name string) xmlNode {
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			return c
		}
	}
	return xmlNode{}
}

// TestAtomConformance compares the simulator's Atom feed with the real tenant's DataStoreEntries capture:
// feed and entry structure, the relative next link, and the property names.
func TestAtomConformance(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(fixturesDir(t), "real-cf-tenant-DataStoreEntries.atom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var fix xmlNode
	if err := xml.Unmarshal(raw, &fix); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Config{})
	st, _, body := e.get("/api/v1/DataStoreEntries", "Accept", "")
	if st != 200 {
		t.Fatalf("%d", st)
	}
	var sim xmlNode
	if err := xml.Unmarshal(body, &sim); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(shape(sim), " "), strings.Join(shape(fix), " "); got != want {
		t.Errorf("feed children:\n sim %s\n fix %s", got, want)
	}
	fe, se := child(fix, "entry"), child(sim, "entry")
	if got, want := strings.Join(shape(se), " "), strings.Join(shape(fe), " "); got != want {
		t.Errorf("entry children:\n sim %s\n fix %s", got, want)
	}
	if got, want := strings.Join(shape(child(se, "properties")), " "), strings.Join(shape(child(fe, "properties")), " "); got != want {
		t.Errorf("properties:\n sim %s\n fix %s", got, want)
	}
	for _, c := range sim.Children {
		for _, a := range c.Attrs {
			if c.XMLName.Local == "link" && a.Name.Local == "href" && strings.HasPrefix(a.Value, "http") {
				t.Errorf("feed link %s is absolute; SAP's are relative to xml:base", a.Value)
			}
		}
	}
}
