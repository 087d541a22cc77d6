package inventory

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/artifacts"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

func TestGoldenFrames(t *testing.T) {
	tn := simtest.New(t, simulator.Config{IFlows: 24})
	for name, q := range map[string]models.InventoryQuery{
		"table_all":     {},
		"table_package": {PackageID: "ZSuccessFactorsHR"},
		"table_drift":   {Drift: models.DriftVersionDrift},
	} {
		t.Run(name, func(t *testing.T) {
			var f Fetcher
			res, err := f.Fetch(context.Background(), tn.Client, q)
			if err != nil {
				t.Fatal(err)
			}
			res.Requests = tn.Mask(res.Requests)
			simtest.Golden(t, name, data.Frames{tableFrame(res, "SIM")})
		})
	}
}

// The simulated tenant deploys Employee_Replication_SF_to_S4 in an older version than designed: the only
// drift. Legacy_Vendor_Sync_ECC_to_S4 is deployed but in no package, Credit_Memo_S4_to_Ariba and
// Intercompany_Reconciliation_S4 are designed but not deployed; everything else is deployed in its
// design-time version. Three requests answer the query.
func TestSimulatedTenant(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	var f Fetcher
	res, err := f.Fetch(context.Background(), tn.Client, models.InventoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 3 {
		t.Fatalf("%d requests: %v", len(res.Requests), res.Requests)
	}
	for i, want := range []string{"/IntegrationPackages", "/IntegrationDesigntimeArtifacts?$select=Id,Version,PackageId,Name", "/IntegrationRuntimeArtifacts?"} {
		if !strings.Contains(res.Requests[i], want) {
			t.Errorf("request %d %s, want %s", i, res.Requests[i], want)
		}
	}
	if len(res.Rows) != 43 {
		t.Fatalf("%d rows, want the 40 deployed iFlows in packages, 1 in no package and 2 not deployed", len(res.Rows))
	}
	first := res.Rows[0]
	if first.ID != "Employee_Replication_SF_to_S4" || first.State != models.DriftVersionDrift || first.DesignVersion == first.DeployedVersion || first.DeployedVersion == "" {
		t.Fatalf("first row %+v, want the drifted flow", first)
	}
	// Sorted by state, then package name: deployed in no package, then not deployed (Ariba before Finance).
	noPkg := res.Rows[1]
	if noPkg.ID != "Legacy_Vendor_Sync_ECC_to_S4" || noPkg.State != models.DriftNotInPackage || noPkg.PackageID != "" || noPkg.DesignVersion != "" ||
		noPkg.DeployedVersion == "" || noPkg.RuntimeStatus != "STARTED" || noPkg.DeployedOn.IsZero() {
		t.Fatalf("second row %+v, want the iFlow deployed in no package", noPkg)
	}
	for i, want := range []struct{ id, pkg string }{{"Credit_Memo_S4_to_Ariba", "ZAribaProcurement"}, {"Intercompany_Reconciliation_S4", "ZFinanceS4HANA"}} {
		r := res.Rows[2+i]
		if r.ID != want.id || r.PackageID != want.pkg || r.State != models.DriftNotDeployed || r.DesignVersion == "" || r.DeployedVersion != "" ||
			r.RuntimeStatus != "" || !r.DeployedOn.IsZero() || r.PackageName == "" || r.PackageName == r.PackageID {
			t.Errorf("row %d %+v, want %s not deployed", 2+i, r, want.id)
		}
	}
	for _, r := range res.Rows[4:] {
		if r.State != models.DriftSameVersion || r.DesignVersion != r.DeployedVersion || r.PackageName == "" || r.PackageName == r.PackageID {
			t.Errorf("row %+v", r)
		}
	}
	if len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Text, "4 deployed artifacts that are not integration flows") {
		t.Fatalf("notices %+v", res.Notices)
	}
	for state, n := range map[string]int{models.DriftVersionDrift: 1, models.DriftNotInPackage: 1, models.DriftNotDeployed: 2, models.DriftSameVersion: 39} {
		got, err := f.Fetch(context.Background(), tn.Client, models.InventoryQuery{Drift: state})
		if err != nil || len(got.Rows) != n {
			t.Fatalf("%s filter: %v, %d rows, want %d", state, err, len(got.Rows), n)
		}
		for _, r := range got.Rows {
			if r.State != state {
				t.Fatalf("%s filter: row %+v", state, r)
			}
		}
	}
}

func TestOnePackage(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	var f Fetcher
	res, err := f.Fetch(context.Background(), tn.Client, models.InventoryQuery{PackageID: "ZBankCommunication"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 3 || !strings.HasSuffix(res.Requests[1], "/IntegrationPackages('ZBankCommunication')/IntegrationDesigntimeArtifacts") {
		t.Fatalf("requests %v", res.Requests)
	}
	if len(res.Rows) == 0 {
		t.Fatal("no rows")
	}
	for _, r := range res.Rows {
		if r.PackageID != "ZBankCommunication" || r.PackageName != "Bank Communication" || r.State == models.DriftNotInPackage {
			t.Errorf("row %+v", r)
		}
	}
	_, err = f.Fetch(context.Background(), tn.Client, models.InventoryQuery{PackageID: "NoSuchPackage"})
	if err == nil || !strings.Contains(err.Error(), `"NoSuchPackage" not found`) {
		t.Fatalf("unknown package: %v", err)
	}
}

// refuser answers the design-time collection like a tenant that does not serve it, and counts requests.
type refuser struct {
	*cpi.Client
	status      int
	collection  atomic.Int32
	perPackage  atomic.Int32
	failPackage string // answer 403 for this package
}

func (r *refuser) Get(ctx context.Context, path string, q url.Values) (*cpi.Response, error) {
	switch {
	case path == "IntegrationDesigntimeArtifacts":
		r.collection.Add(1)
		kind, msg := cpi.KindHTTP, "not supported"
		if r.status == http.StatusForbidden {
			kind, msg = cpi.KindForbidden, "lacks the role WorkspacePackagesRead" // as pkg/cpi words it with the role of the context
		}
		return &cpi.Response{Status: r.status, URL: "collection"}, &cpi.Error{Kind: kind, Status: r.status, Message: msg}
	case strings.HasSuffix(path, "/IntegrationDesigntimeArtifacts"):
		if ctx.Err() != nil {
			return nil, ctx.Err() // cancelled: never reaches the tenant
		}
		r.perPackage.Add(1)
		if r.failPackage != "" {
			if strings.Contains(path, r.failPackage) {
				return nil, &cpi.Error{Kind: cpi.KindForbidden, Status: http.StatusForbidden, Message: "lacks the role WorkspacePackagesRead"}
			}
			time.Sleep(30 * time.Millisecond) // the others are slower than the failure
		}
	}
	return r.Client.Get(ctx, path, q)
}

func TestPerPackageFallback(t *testing.T) {
	// Unpaced design-time requests: this test makes ~60 of them and is about the fallback, not pacing.
	tn := simtest.New(t, simulator.Config{}, cpi.WithRateLimit(cpi.AreaDesignTime, 0))
	var direct Fetcher
	want, err := direct.Fetch(context.Background(), tn.Client, models.InventoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []int{http.StatusNotImplemented, http.StatusNotFound, http.StatusBadRequest} {
		g := &refuser{Client: tn.Client, status: status}
		var f Fetcher
		for round := 1; round <= 2; round++ {
			res, err := f.Fetch(context.Background(), g, models.InventoryQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != len(want.Rows) {
				t.Fatalf("status %d round %d: %d rows, want %d", status, round, len(res.Rows), len(want.Rows))
			}
			for i := range res.Rows {
				if res.Rows[i] != want.Rows[i] {
					t.Fatalf("row %d: %+v, want %+v", i, res.Rows[i], want.Rows[i])
				}
			}
		}
		// The refused collection is asked once per data source instance; the 9 packages once per query.
		if c, p := g.collection.Load(), g.perPackage.Load(); c != 1 || p != 18 {
			t.Fatalf("status %d: %d collection and %d package requests", status, c, p)
		}
	}
	// A 403 is not "unsupported": no fallback, the role is named.
	g := &refuser{Client: tn.Client, status: http.StatusForbidden}
	var f Fetcher
	if _, err := f.Fetch(context.Background(), g, models.InventoryQuery{}); err == nil || !strings.Contains(err.Error(), Role) || g.perPackage.Load() != 0 {
		t.Fatalf("403 on the collection: %v, %d package requests", err, g.perPackage.Load())
	}
}

func TestPerPackageFailureStopsTheRest(t *testing.T) {
	tn := simtest.New(t, simulator.Config{}, cpi.WithRateLimit(cpi.AreaDesignTime, 0))
	g := &refuser{Client: tn.Client, status: http.StatusNotImplemented, failPackage: "ZFinanceS4HANA"}
	var f Fetcher
	_, err := f.Fetch(context.Background(), g, models.InventoryQuery{})
	if err == nil || !cpi.IsKind(err, cpi.KindForbidden) || !strings.Contains(err.Error(), "lacks the role WorkspacePackagesRead") ||
		strings.Count(err.Error(), "WorkspacePackagesRead") != 1 {
		t.Fatalf("error %v", err)
	}
	if n := g.perPackage.Load(); n >= 9 {
		t.Fatalf("%d package requests after the first failure: the rest should have been cancelled", n)
	}
}

func TestMissingRoleIsNamed(t *testing.T) {
	tn := simtest.New(t, simulator.Config{Clients: []simulator.Client{{ID: "mon", Secret: "mon-secret-456", Roles: []string{simulator.RoleMonitoringDataRead}}}})
	var f Fetcher
	for _, q := range []models.InventoryQuery{{}, {PackageID: "ZBankCommunication"}} {
		_, err := f.Fetch(context.Background(), tn.Client, q)
		if err == nil || !cpi.IsKind(err, cpi.KindForbidden) || !strings.Contains(err.Error(), "WorkspacePackagesRead") {
			t.Fatalf("%+v: %v", q, err)
		}
		if strings.Contains(err.Error(), "mon-secret-456") {
			t.Fatal("secret in the error")
		}
	}
	if _, err := ListPackages(context.Background(), tn.Client); err == nil || !strings.Contains(err.Error(), "WorkspacePackagesRead") {
		t.Fatalf("ListPackages: %v", err)
	}
}

func TestHostileValues(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	var f Fetcher
	before := len(tn.Requests())
	for _, q := range []models.InventoryQuery{
		{PackageID: "Z\nPkg"},
		{PackageID: strings.Repeat("p", odata.MaxLiteralLength+1)},
		{Drift: "versionDrift' or 1 eq 1"},
		{Drift: "drifted"},
		// Characters no SAP id contains: refused before they could leave the key literal or the path.
		{PackageID: "ZBankCommunication')/IntegrationDesigntimeArtifacts?x=('"},
		{PackageID: "x')/../UserCredentials?a="},
		{PackageID: "ZBank#frag"},
		{PackageID: "ZBank%2F..%2FUserCredentials"},
	} {
		if _, err := f.Fetch(context.Background(), tn.Client, q); err == nil {
			t.Errorf("accepted %+.40v", q)
		}
	}
	if n := len(tn.Requests()) - before; n != 0 {
		t.Fatalf("%d requests for refused values", n)
	}
	// An allowed but odd id (a space) is escaped inside its segment: the tenant looks for exactly that
	// package and finds none.
	_, err := f.Fetch(context.Background(), tn.Client, models.InventoryQuery{PackageID: "ZBank Communication"})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("odd id: %v", err)
	}
	last := tn.Requests()[len(tn.Requests())-1]
	if last.Status != http.StatusNotFound {
		t.Fatalf("last request %+v", last)
	}
}

func TestJoinStates(t *testing.T) {
	on := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pkgs := []Package{{ID: "P1", Name: "Package One"}, {ID: "P2", Name: "Package Two"}}
	designed := []Designed{
		{ID: "same", Version: "1.0.0", PackageID: "P1", Name: "Same"},
		{ID: "drift", Version: "1.0.2", PackageID: "P1", Name: "Drift"},
		{ID: "idle", Version: "2.0.0", PackageID: "P2", Name: "Idle"},
		{ID: "same", Version: "1.0.0", PackageID: "P1", Name: "Same"}, // listed twice
	}
	deployed := []artifacts.Artifact{
		{ID: "same", Version: "1.0.0", Type: integrationFlow, Status: "STARTED", DeployedOn: odata.Time{Time: on}},
		{ID: "drift", Version: "1.0.0", Type: integrationFlow, Status: "ERROR"},
		{ID: "orphan", Version: "3.1.0", Type: integrationFlow, Status: "STARTED", Name: "Orphan"},
		{ID: "vm", Version: "1.0.0", Type: "VALUE_MAPPING", Status: "STARTED"},
	}
	rows := join(pkgs, designed, deployed, true)
	want := []struct{ id, state, pkg string }{
		{"drift", models.DriftVersionDrift, "Package One"},
		{"orphan", models.DriftNotInPackage, ""},
		{"idle", models.DriftNotDeployed, "Package Two"},
		{"same", models.DriftSameVersion, "Package One"},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for i, w := range want {
		if rows[i].ID != w.id || rows[i].State != w.state || rows[i].PackageName != w.pkg {
			t.Errorf("row %d %+v, want %+v", i, rows[i], w)
		}
	}
	if rows[3].DeployedOn != on || rows[0].RuntimeStatus != "ERROR" || rows[2].DeployedVersion != "" {
		t.Fatalf("runtime columns %+v", rows)
	}
	// With one package selected, deployed flows of other packages are not "in no package".
	if rows := join(pkgs[:1], designed[:2], deployed, false); len(rows) != 2 {
		t.Fatalf("package view %+v", rows)
	}
	frame := tableFrame(Result{Rows: rows}, "T")
	state, _ := frame.FieldByName("State")
	if state.At(1) != "deployed, not in any package" || len(state.Config.Mappings) != 1 {
		t.Fatalf("state column %v", state.At(1))
	}
}

func TestCheckDrift(t *testing.T) {
	for _, ok := range []string{"", "all", "notDeployed", "sameVersion", "versionDrift", "notInPackage"} {
		if err := CheckDrift(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"All", "drift", "x\x00"} {
		if CheckDrift(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHubFixture(t *testing.T) {
	packages := simtest.Fixture[Package](t, "hub-example-IntegrationPackages-list.json")
	if len(packages) != 2 || packages[1].Name != "ERP to SAP SuccessFactors Employee Central Employee and Organizational Data" || packages[1].Vendor != "SAP" {
		t.Fatalf("%+v", packages)
	}
}
