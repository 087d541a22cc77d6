package simulator

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestRuntimeArtifacts(t *testing.T) {
	e := newEnv(t, Config{})
	rows := results(t, e.getJSON("/api/v1/IntegrationRuntimeArtifacts"))
	if len(rows) < 40 {
		t.Fatalf("%d runtime artifacts", len(rows))
	}
	st, h, b := e.get("/api/v1/IntegrationRuntimeArtifacts/$count")
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || string(b) != strconv.Itoa(len(rows)) {
		t.Fatalf("$count %d %s", st, b)
	}
	var inError []string
	for _, r := range rows {
		if r["Status"] == "ERROR" {
			inError = append(inError, r["Id"].(string))
		}
	}
	if len(inError) != 1 {
		t.Fatalf("artifacts in ERROR: %v", inError)
	}
	st, _, b = e.get("/api/v1/IntegrationRuntimeArtifacts('" + inError[0] + "')/ErrorInformation/$value")
	var info struct{ Parameter []string }
	if st != 200 || json.Unmarshal(b, &info) != nil || len(info.Parameter) == 0 || !strings.Contains(info.Parameter[0], "SFTP") {
		t.Fatalf("error info: %d %s", st, b)
	}
	if st, _, _ := e.get("/api/v1/IntegrationRuntimeArtifacts('" + rows[0]["Id"].(string) + "')/ErrorInformation/$value"); st != 204 {
		t.Fatalf("error info of a started artifact: %d", st)
	}
	if st, _, b := e.get("/api/v1/IntegrationRuntimeArtifacts('NotDeployed')"); st != 404 || !strings.Contains(string(b), "Requested entity could not be found") {
		t.Fatalf("undeployed: %d %s", st, b)
	}
	// $filter restrictions of this collection: "or" only, not on DeployedOn.
	or := results(t, e.getJSON("/api/v1/IntegrationRuntimeArtifacts"+q("$filter", "Status eq 'ERROR' or Type eq 'VALUE_MAPPING'")))
	if len(or) != 3 {
		t.Fatalf("or filter: %d rows", len(or))
	}
	for _, bad := range []string{"Status eq 'ERROR' and Type eq 'INTEGRATION_FLOW'", "DeployedOn gt datetime'2026-01-01T00:00:00'"} {
		if st, _, _ := e.get("/api/v1/IntegrationRuntimeArtifacts" + q("$filter", bad)); st != 400 {
			t.Fatalf("%s: %d", bad, st)
		}
	}
	// One iFlow runs an older version than its design-time version.
	design := results(t, e.getJSON("/api/v1/IntegrationDesigntimeArtifacts"))
	runtime := map[string]string{}
	for _, r := range rows {
		runtime[r["Id"].(string)] = r["Version"].(string)
	}
	drift := 0
	for _, d := range design {
		if v, ok := runtime[d["Id"].(string)]; ok && v != d["Version"] {
			drift++
		}
	}
	if drift != 1 {
		t.Fatalf("%d artifacts with version drift", drift)
	}
	// The inventory's other states: designed but not deployed, deployed but in no package.
	designed := map[string]bool{}
	var notDeployed []string
	for _, d := range design {
		designed[d["Id"].(string)] = true
		if _, ok := runtime[d["Id"].(string)]; !ok {
			notDeployed = append(notDeployed, d["Id"].(string))
		}
	}
	if strings.Join(notDeployed, ",") != "Credit_Memo_S4_to_Ariba,Intercompany_Reconciliation_S4" {
		t.Fatalf("designed, not deployed: %v", notDeployed)
	}
	var unpackaged []map[string]any
	iflows := 0
	for _, r := range rows {
		if r["Type"] != "INTEGRATION_FLOW" {
			continue
		}
		iflows++
		if !designed[r["Id"].(string)] {
			unpackaged = append(unpackaged, r)
		}
	}
	if iflows != 41 || len(unpackaged) != 1 || unpackaged[0]["Id"] != "Legacy_Vendor_Sync_ECC_to_S4" || unpackaged[0]["Status"] != "STARTED" {
		t.Fatalf("%d deployed iFlows; deployed in no package: %v", iflows, unpackaged)
	}
	if st, _, _ := e.get("/api/v1/IntegrationRuntimeArtifacts('Legacy_Vendor_Sync_ECC_to_S4')/ErrorInformation/$value"); st != 204 {
		t.Fatalf("error info of the unpackaged iFlow: %d", st)
	}
	// It is silent: no message in the whole retention, while another iFlow has many.
	for id, wantSome := range map[string]bool{"Legacy_Vendor_Sync_ECC_to_S4": false, "Customer_Master_OData_API": true} {
		_, _, b := e.get("/api/v1/MessageProcessingLogs/$count" + q("$filter", "IntegrationArtifact/Id eq '"+id+"'"))
		if n, err := strconv.Atoi(string(b)); err != nil || (n > 0) != wantSome {
			t.Fatalf("messages of %s: %s (%v)", id, b, err)
		}
	}
}

func TestServiceEndpointsExpand(t *testing.T) {
	e := newEnv(t, Config{})
	rows := results(t, e.getJSON("/api/v1/ServiceEndpoints?$expand=EntryPoints,ApiDefinitions"))
	if len(rows) < 5 {
		t.Fatalf("%d endpoints", len(rows))
	}
	protocols := map[string]bool{}
	for _, r := range rows {
		protocols[r["Protocol"].(string)] = true
		eps := r["EntryPoints"].(map[string]any)["results"].([]any)
		if len(eps) == 0 || !strings.HasPrefix(eps[0].(map[string]any)["Url"].(string), "https://") {
			t.Fatalf("entry points: %v", r["EntryPoints"])
		}
		if _, ok := r["ApiDefinitions"].(map[string]any)["results"]; !ok {
			t.Fatalf("ApiDefinitions not expanded")
		}
	}
	for _, p := range []string{"SOAP", "REST", "ODATAV2", "AS2"} {
		if !protocols[p] {
			t.Fatalf("no %s endpoint: %v", p, protocols)
		}
	}
	// Keys contain $ and = and are addressable.
	id := rows[0]["Id"].(string)
	one := e.getJSON("/api/v1/ServiceEndpoints('" + strings.NewReplacer("$", "%24", "=", "%3D").Replace(id) + "')/EntryPoints")
	if len(results(t, one)) != 1 {
		t.Fatalf("EntryPoints of %s", id)
	}
	soap := results(t, e.getJSON("/api/v1/ServiceEndpoints"+q("$filter", "Protocol eq 'SOAP'")))
	for _, r := range soap {
		if r["Protocol"] != "SOAP" {
			t.Fatal("filter not applied")
		}
	}
}

func TestKeystore(t *testing.T) {
	e := newEnv(t, Config{})
	st, h, b := e.get("/api/v1/KeystoreEntries", "Accept", "")
	if st != 200 || !strings.Contains(h.Get("Content-Type"), "atom+xml") || !strings.Contains(string(b), "<d:Hexalias>") {
		t.Fatalf("KeystoreEntries without Accept must be Atom: %d %s", st, h.Get("Content-Type"))
	}
	rows := results(t, e.getJSON("/api/v1/KeystoreEntries"))
	days := map[int]string{}
	for _, r := range rows {
		if hexAlias(r["Alias"].(string)) != r["Hexalias"] {
			t.Fatalf("Hexalias %v of %v", r["Hexalias"], r["Alias"])
		}
		left := dateOf(t, r["ValidNotAfter"]).Sub(testNow).Hours() / 24
		days[int(math.Floor(left))] = r["Alias"].(string)
	}
	for _, want := range []int{5, 20, 400} {
		if _, ok := days[want]; !ok {
			t.Fatalf("no certificate expiring in %d days: %v", want, days)
		}
	}
	chain := results(t, e.getJSON("/api/v1/KeystoreEntries('"+hexAlias("sap_cloudintegrationcertificate")+"')/ChainCertificates"))
	if len(chain) != 3 || chain[0]["Index"] != 0.0 || chain[2]["Index"] != 2.0 {
		t.Fatalf("chain: %v", chain)
	}
	backup := results(t, e.getJSON("/api/v1/KeystoreEntries?keystoreName=backup_admin_system"))
	if len(backup) == 0 || len(backup) >= len(rows) {
		t.Fatalf("backup keystore has %d entries", len(backup))
	}
	if st, _, _ := e.get("/api/v1/KeystoreEntries?keystoreName=nope"); st != 404 {
		t.Fatalf("unknown keystore: %d", st)
	}
	ks := e.getJSON("/api/v1/Keystores('system')?$expand=Entries")["d"].(map[string]any)
	if ks["Size"] != float64(len(rows)) || len(ks["Entries"].(map[string]any)["results"].([]any)) != len(rows) {
		t.Fatalf("Keystores('system'): %v", ks["Size"])
	}
}

func TestJmsBroker(t *testing.T) {
	e := newEnv(t, Config{})
	d := e.getJSON("/api/v1/JmsBrokers('Broker1')?$expand=QueueStates")["d"].(map[string]any)
	states := d["QueueStates"].(map[string]any)["results"].([]any)
	near := 0
	for _, s := range states {
		if s.(map[string]any)["State"] != "0" {
			near++
		}
	}
	if near != 1 || d["CapacityWarning"] != "1" || d["QueueNumber"] != strconv.Itoa(len(states)) {
		t.Fatalf("queues near capacity %d, broker %v", near, d)
	}
	used, _ := strconv.ParseInt(d["Capacity"].(string), 10, 64)
	maxCap, _ := strconv.ParseInt(d["MaxCapacity"].(string), 10, 64)
	if used <= 0 || used >= maxCap {
		t.Fatalf("capacity %d of %d", used, maxCap)
	}
	if st, _, _ := e.get("/api/v1/JmsBrokers('Broker2')"); st != 404 {
		t.Fatal("unknown broker")
	}
}

func TestPackagesAndDesignTime(t *testing.T) {
	e := newEnv(t, Config{})
	pkgs := results(t, e.getJSON("/api/v1/IntegrationPackages"))
	total := 0
	for _, p := range pkgs {
		if _, err := strconv.ParseInt(p["CreationDate"].(string), 10, 64); err != nil {
			t.Fatalf("CreationDate must be epoch-ms string: %v", p["CreationDate"])
		}
		arts := results(t, e.getJSON("/api/v1/IntegrationPackages('"+p["Id"].(string)+"')/IntegrationDesigntimeArtifacts"))
		for _, a := range arts {
			if a["PackageId"] != p["Id"] {
				t.Fatalf("artifact %v in package %v", a["Id"], p["Id"])
			}
		}
		total += len(arts)
	}
	all := results(t, e.getJSON("/api/v1/IntegrationDesigntimeArtifacts"))
	if total != len(all) || total != 40+2 {
		t.Fatalf("%d artifacts in packages, %d in total; want the 40 deployed iFlows and 2 not deployed", total, len(all))
	}
	// Value mappings and script collections are designed in their packages, in the deployed version.
	deployed := map[string]string{}
	for _, r := range results(t, e.getJSON("/api/v1/IntegrationRuntimeArtifacts")) {
		deployed[r["Id"].(string)] = r["Version"].(string)
	}
	for set, want := range map[string]map[string]string{
		"ValueMappingDesigntimeArtifacts":     {"VM_CompanyCode_Mapping": "ZFinanceS4HANA", "VM_UnitOfMeasure": "ZMasterData"},
		"ScriptCollectionDesigntimeArtifacts": {"SC_Common_Groovy_Utils": "ZOperationsMonitoring"},
	} {
		rows := results(t, e.getJSON("/api/v1/"+set))
		if len(rows) != len(want) {
			t.Fatalf("%s: %d rows, want %d", set, len(rows), len(want))
		}
		for _, r := range rows {
			id, pkg := r["Id"].(string), r["PackageId"].(string)
			if want[id] != pkg || deployed[id] != r["Version"] {
				t.Fatalf("%s: %v", set, r)
			}
			nav := results(t, e.getJSON("/api/v1/IntegrationPackages('"+pkg+"')/"+set))
			if len(nav) != 1 || nav[0]["Id"] != id {
				t.Fatalf("%s of package %s: %v", set, pkg, nav)
			}
			one := e.getJSON("/api/v1/" + set + "(Id='" + id + "',Version='" + r["Version"].(string) + "')")
			if one["d"].(map[string]any)["Id"] != id {
				t.Fatalf("%s by composite key", set)
			}
		}
	}
	if nav := results(t, e.getJSON("/api/v1/IntegrationPackages('ZSalesforceCRM')/ValueMappingDesigntimeArtifacts")); len(nav) != 0 {
		t.Fatalf("value mappings of a package without any: %v", nav)
	}
	a := all[0]
	one := e.getJSON("/api/v1/IntegrationDesigntimeArtifacts(Id='" + a["Id"].(string) + "',Version='" + a["Version"].(string) + "')")
	if one["d"].(map[string]any)["Id"] != a["Id"] {
		t.Fatal("designtime artifact by composite key")
	}
	// Design time needs its own role.
	mon := newEnv(t, Config{Clients: []Client{{ID: "m", Secret: "s", Roles: []string{RoleMonitoringDataRead}}}})
	_, body, _ := postToken(t, mon.srv.URL, tokenReq{basicID: "m", basicPass: "s", form: map[string][]string{"grant_type": {"client_credentials"}}})
	mon.token = body["access_token"].(string)
	if st, _, _ := mon.get("/api/v1/IntegrationPackages"); st != 403 {
		t.Fatalf("packages without WorkspacePackagesRead: %d", st)
	}
}

func TestDataStoresPaging(t *testing.T) {
	e := newEnv(t, Config{})
	stores := results(t, e.getJSON("/api/v1/DataStores"))
	want := 0
	for _, s := range stores {
		n, _ := strconv.Atoi(s["NumberOfMessages"].(string))
		want += n
	}
	got := 0
	path := "/api/v1/DataStoreEntries"
	for path != "" {
		v := e.getJSON(path)
		got += len(results(t, v))
		next, _ := v["d"].(map[string]any)["__next"].(string)
		path = ""
		if next != "" {
			path = "/api/v1/" + next
		}
	}
	if got != want || want <= pageSize {
		t.Fatalf("followed %d entries, stores hold %d", got, want)
	}
	st, _, b := e.get("/api/v1/DataStoreEntries", "Accept", "")
	if st != 200 || !strings.Contains(string(b), `<link href="DataStoreEntries?$skiptoken=1000" rel="next"/>`) {
		t.Fatalf("Atom next link like the real capture: %.300s", b)
	}
}

func TestLogFilesNeoOnly(t *testing.T) {
	cf := newEnv(t, Config{})
	if st, _, _ := cf.get("/api/v1/LogFiles"); st != 404 {
		t.Fatalf("LogFiles on CF: %d", st)
	}
	neo := newEnv(t, Config{Environment: "neo"})
	files := results(t, neo.getJSON("/api/v1/LogFiles"+q("$filter", "LogFileType eq 'trace'", "$orderby", "LastModified desc")))
	if len(files) != logDays {
		t.Fatalf("%d trace files", len(files))
	}
	f := files[0]
	st, h, b := neo.get("/api/v1/LogFiles(Name='" + f["Name"].(string) + "',Application='" + f["Application"].(string) + "')/$value")
	if st != 200 || h.Get("Content-Type") != "application/gzip" {
		t.Fatalf("%d %s", st, h.Get("Content-Type"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	if !strings.Contains(string(text), "#ERROR#") || !strings.Contains(string(text), testNow.Format("2006 01 02")) {
		t.Fatalf("log text: %.300s", text)
	}
	st, _, b = neo.get("/api/v1/LogFileArchives(Scope='all',LogFileType='http',NodeScope='worker')/$value")
	if st != 200 {
		t.Fatalf("archive %d", st)
	}
	zr2, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(zr2.File) != logDays {
		t.Fatalf("archive: %v", err)
	}
}
