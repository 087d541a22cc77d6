// Package inventory answers the `inventory` query: the integration flows designed in integration packages
// (IntegrationPackages, IntegrationDesigntimeArtifacts) joined with what is deployed
// (IntegrationRuntimeArtifacts): not deployed, deployed in the same version, deployed in another version
// (version drift), or deployed without being in any package.
package inventory

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"golang.org/x/sync/errgroup"

	"github.com/seed/sapcpi-datasource/pkg/artifacts"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/runtime/internal/rt"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

// Role is the role template that reads the design-time workspace (packages and their artifacts).
const Role = "WorkspacePackagesRead"

const (
	// maxRows bounds the rows read per collection.
	maxRows = 20 * cpi.MaxPageSize
	// perPackageWorkers is how many package requests are in flight at once when the tenant has no
	// collection of design-time artifacts; the client's design-time rate limit (10/s) paces them anyway.
	perPackageWorkers = 4
	// integrationFlow is the runtime type of the artifacts IntegrationDesigntimeArtifacts describes.
	integrationFlow = "INTEGRATION_FLOW"
)

// Package is an integration package (only the properties the inventory shows).
type Package struct {
	ID      string `json:"Id"`
	Name    string `json:"Name"`
	Version string `json:"Version"`
	Vendor  string `json:"Vendor"`
	Mode    string `json:"Mode"`
}

// Designed is a design-time integration flow.
type Designed struct {
	ID        string `json:"Id"`
	Version   string `json:"Version"`
	PackageID string `json:"PackageId"`
	Name      string `json:"Name"`
}

// Row is one line of the inventory.
type Row struct {
	PackageID, PackageName string
	ID, Name               string
	DesignVersion          string
	DeployedVersion        string
	RuntimeStatus          string
	DeployedOn             time.Time
	State                  string // one of models.Drift*
}

// Result is what one query fetched, with the requests it made.
type Result struct {
	Rows []Row
	rt.Log
}

// Fetcher remembers, per tenant, whether the tenant serves the design-time artifacts as one collection,
// so a tenant that refuses it is asked per package from then on without a failing request each time.
type Fetcher struct {
	mu           sync.Mutex
	noCollection bool
}

// CheckDrift validates the drift option ("" = all).
func CheckDrift(d string) error {
	switch d {
	case "", models.DriftAll, models.DriftNotDeployed, models.DriftSameVersion, models.DriftVersionDrift, models.DriftNotInPackage:
		return nil
	}
	if err := odata.CheckValue("drift filter", d); err != nil {
		return err
	}
	return fmt.Errorf("unknown drift filter %q: choose all, notDeployed, sameVersion, versionDrift or notInPackage", d)
}

// Fetch builds the inventory. Calls: all packages → IntegrationPackages, the design-time artifacts as
// one collection (or, when the tenant refuses that, one request per package), and
// IntegrationRuntimeArtifacts; one package → IntegrationPackages('<id>'), its artifacts, and the runtime
// artifacts. Design-time calls need WorkspacePackagesRead; a 403 says so.
func (f *Fetcher) Fetch(ctx context.Context, g cpi.Source, q models.InventoryQuery) (Result, error) {
	var res Result
	if err := CheckDrift(q.Drift); err != nil {
		return res, err
	}
	pkgID := strings.TrimSpace(q.PackageID)
	if err := odata.CheckID("package id", pkgID); err != nil {
		return res, err
	}
	dctx := cpi.WithRole(ctx, Role)
	var (
		pkgs     []Package
		designed []Designed
		err      error
	)
	if pkgID != "" {
		pkgs, designed, err = onePackage(dctx, g, &res.Log, pkgID)
	} else {
		pkgs, designed, err = f.allPackages(dctx, g, &res.Log)
	}
	if err != nil {
		return res, err
	}
	deployed, err := artifacts.List(ctx, g, models.ArtifactsQuery{})
	res.Requests = append(res.Requests, deployed.Requests...)
	if err != nil {
		return res, err
	}
	res.Rows = join(pkgs, designed, deployed.Artifacts, pkgID == "")
	others := 0
	for _, a := range deployed.Artifacts {
		if a.Type != integrationFlow {
			others++
		}
	}
	if others > 0 {
		res.Notice("%d deployed artifacts that are not integration flows (value mappings, script collections, APIs …) are not compared: their design-time versions need one request per package and type.", others)
	}
	if q.Drift != "" && q.Drift != models.DriftAll {
		res.Rows = slices.DeleteFunc(res.Rows, func(r Row) bool { return r.State != q.Drift })
	}
	return res, nil
}

func onePackage(ctx context.Context, g cpi.Source, log *rt.Log, id string) ([]Package, []Designed, error) {
	lit := odata.KeyPredicate(id)
	p, resp, err := cpi.GetEntity[Package](ctx, g, "IntegrationPackages("+lit+")", nil)
	log.Add(resp)
	if err != nil {
		if cpi.IsKind(err, cpi.KindEntityNotFound) {
			return nil, nil, fmt.Errorf("integration package %q not found: pick a package id from the list (variable kind designPackages): %w", id, err)
		}
		return nil, nil, err
	}
	designed, _, err := rt.GetAll[Designed](ctx, g, log, "integration flows of the package", designedOf(lit))
	return []Package{p}, designed, err
}

// designedOf lists the integration flows of the package with key literal lit (SAP documents no query
// options for this navigation: pages are read by __next).
func designedOf(lit string) cpi.ListOptions {
	return cpi.ListOptions{Path: "IntegrationPackages(" + lit + ")/IntegrationDesigntimeArtifacts", MaxRows: maxRows, NextOnly: true}
}

// ListPackages reads all integration packages (for the designPackages variable).
func ListPackages(ctx context.Context, g cpi.Source) ([]Package, error) {
	var log rt.Log
	return listPackages(ctx, g, &log)
}

// listPackages reads all integration packages (no $select: SAP documents none for this collection).
func listPackages(ctx context.Context, g cpi.Source, log *rt.Log) ([]Package, error) {
	// SAP documents $top and $skip for this collection, but not $inlinecount: pages are read by __next.
	pkgs, _, err := rt.GetAll[Package](cpi.WithRole(ctx, Role), g, log, "integration packages",
		cpi.ListOptions{Path: "IntegrationPackages", MaxRows: maxRows, NextOnly: true})
	if err != nil {
		return nil, err
	}
	return pkgs, nil
}

func (f *Fetcher) allPackages(ctx context.Context, g cpi.Source, log *rt.Log) ([]Package, []Designed, error) {
	pkgs, err := listPackages(ctx, g, log)
	if err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	tryCollection := !f.noCollection
	f.mu.Unlock()
	if tryCollection {
		designed, _, err := rt.GetAll[Designed](ctx, g, log, "design-time integration flows", cpi.ListOptions{Path: "IntegrationDesigntimeArtifacts",
			Query: url.Values{"$select": {"Id,Version,PackageId,Name"}}, MaxRows: maxRows, NextOnly: true})
		if err == nil {
			return pkgs, designed, nil
		}
		if !collectionRefused(err) {
			return nil, nil, err
		}
		// SAP documents this entity set by key only; tenants that refuse the collection are asked per
		// package, now and for the rest of this data source instance.
		f.mu.Lock()
		f.noCollection = true
		f.mu.Unlock()
	}
	designed, err := perPackage(ctx, g, log, pkgs)
	return pkgs, designed, err
}

// collectionRefused tells "this tenant does not serve the collection" from failures that would repeat
// per package (role, throttling, transport).
func collectionRefused(err error) bool {
	e, ok := cpi.AsError(err)
	if !ok {
		return false
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	}
	return false
}

// perPackage reads IntegrationPackages('<id>')/IntegrationDesigntimeArtifacts for every package with a
// few requests in flight; the first failure cancels the rest.
func perPackage(ctx context.Context, g cpi.Source, log *rt.Log, pkgs []Package) ([]Designed, error) {
	type result struct {
		rows []Designed
		log  rt.Log
	}
	results := make([]result, len(pkgs))
	group, gctx := errgroup.WithContext(ctx)
	group.SetLimit(perPackageWorkers)
	for i := range pkgs {
		if gctx.Err() != nil {
			break
		}
		group.Go(func() error {
			r := &results[i]
			return safe.Call(func() (err error) {
				r.rows, _, err = rt.GetAll[Designed](gctx, g, &r.log, "integration flows of package "+pkgs[i].ID,
					designedOf(odata.KeyPredicate(pkgs[i].ID)))
				return err
			})
		})
	}
	firstErr := group.Wait() // the cause; later errors are mostly its cancellation
	var out []Designed
	for i, r := range results {
		log.Requests = append(log.Requests, r.log.Requests...)
		for _, d := range r.rows {
			d.PackageID = cmp.Or(d.PackageID, pkgs[i].ID)
			out = append(out, d)
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// join classifies every designed flow against the deployed ones; with allPackages, deployed flows found
// in no package are added. Sorted by state (what needs attention first), package, name.
func join(pkgs []Package, designed []Designed, deployed []artifacts.Artifact, allPackages bool) []Row {
	pkgName := map[string]string{}
	for _, p := range pkgs {
		pkgName[p.ID] = cmp.Or(p.Name, p.ID)
	}
	byID := map[string]artifacts.Artifact{}
	for _, a := range deployed {
		byID[a.ID] = a
	}
	seen := map[string]bool{}
	var rows []Row
	for _, d := range designed {
		if seen[d.ID] {
			continue // listed twice (e.g. in two pages after a concurrent change): one row
		}
		seen[d.ID] = true
		r := Row{PackageID: d.PackageID, PackageName: cmp.Or(pkgName[d.PackageID], d.PackageID), ID: d.ID, Name: cmp.Or(d.Name, d.ID),
			DesignVersion: d.Version, State: models.DriftNotDeployed}
		if a, ok := byID[d.ID]; ok {
			r.DeployedVersion, r.RuntimeStatus, r.DeployedOn = a.Version, a.Status, a.DeployedOn.Time
			r.State = models.DriftSameVersion
			if a.Version != d.Version {
				r.State = models.DriftVersionDrift
			}
		}
		rows = append(rows, r)
	}
	if allPackages {
		for _, a := range deployed {
			if a.Type != integrationFlow || seen[a.ID] {
				continue
			}
			rows = append(rows, Row{ID: a.ID, Name: cmp.Or(a.Name, a.ID), DeployedVersion: a.Version, RuntimeStatus: a.Status,
				DeployedOn: a.DeployedOn.Time, State: models.DriftNotInPackage})
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(stateOrder[a.State], stateOrder[b.State]),
			strings.Compare(strings.ToLower(a.PackageName), strings.ToLower(b.PackageName)),
			strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return rows
}

var stateOrder = map[string]int{models.DriftVersionDrift: 0, models.DriftNotInPackage: 1, models.DriftNotDeployed: 2, models.DriftSameVersion: 3}

// StateText is the State column's wording.
var StateText = map[string]string{
	models.DriftNotDeployed:  "not deployed",
	models.DriftSameVersion:  "deployed, same version",
	models.DriftVersionDrift: "version drift",
	models.DriftNotInPackage: "deployed, not in any package",
}

var stateColor = map[string]string{
	models.DriftNotDeployed:  "text",
	models.DriftSameVersion:  "green",
	models.DriftVersionDrift: "orange",
	models.DriftNotInPackage: "red",
}

// tableFrame lists the inventory; the State column is coloured by value mappings.
func tableFrame(r Result, tenant string) *data.Frame {
	n := len(r.Rows)
	pkg, pkgID, name, id, dv, rv, state, code, status := make([]string, n), make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	on := make([]*time.Time, n)
	for i, row := range r.Rows {
		pkg[i], pkgID[i], name[i], id[i], dv[i], rv[i] = row.PackageName, row.PackageID, row.Name, row.ID, row.DesignVersion, row.DeployedVersion
		state[i], code[i], status[i] = StateText[row.State], row.State, row.RuntimeStatus
		if !row.DeployedOn.IsZero() {
			t := row.DeployedOn
			on[i] = &t
		}
	}
	mapper := data.ValueMapper{}
	for i, s := range []string{models.DriftVersionDrift, models.DriftNotInPackage, models.DriftNotDeployed, models.DriftSameVersion} {
		mapper[StateText[s]] = data.ValueMappingResult{Color: stateColor[s], Index: i}
	}
	stateField := data.NewField("State", nil, state)
	stateField.Config = &data.FieldConfig{Mappings: data.ValueMappings{mapper}, Custom: map[string]any{"cellOptions": map[string]any{"type": "color-text"}}}
	return frames.Table("inventory", tenant, frames.Meta(r.Requests, r.Notices...),
		data.NewField("Package", nil, pkg),
		data.NewField("Package id", nil, pkgID),
		data.NewField("Artifact", nil, name),
		data.NewField("Id", nil, id),
		data.NewField("Design-time version", nil, dv),
		data.NewField("Deployed version", nil, rv),
		stateField,
		data.NewField("State code", nil, code),
		data.NewField("Runtime status", nil, status),
		data.NewField("Deployed on", nil, on),
	)
}

// Frames is the answer as a table (the query's only format).
func Frames(r Result, _ models.InventoryQuery, tenant string) data.Frames {
	return data.Frames{tableFrame(r, tenant)}
}
