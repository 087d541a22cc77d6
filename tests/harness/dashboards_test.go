package harness

// The bundled dashboards (src/dashboards, listed in plugin.json "includes", provisioned by
// provisioning/dashboards/sapcpi.yaml) checked the only way that proves they work without a Grafana: every
// panel, annotation and template-variable query is sent through the real plugin binary to a simulated tenant,
// configured exactly as the provisioned data source, after the dashboard's variables were resolved and
// substituted the way Grafana's frontend does it. Static checks cover what running cannot: the datasource
// references, the includes list, links between dashboards, option names and schema basics.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

const (
	dashboardsDir = "src/dashboards"
	// dashboardsInstallDir is where the Grafana image has the plugin's dashboards (Dockerfile copies dist/,
	// the frontend build copies src/**/*.json into it).
	dashboardsInstallDir = "/var/lib/grafana/plugins/" + pluginID + "/dashboards"
	// dsVariableRef is the only data source reference a bundled dashboard may use, so one dashboard serves
	// every tenant.
	dsVariableRef = "${datasource}"
	// minSchemaVersion is the dashboard schema of Grafana 12.0; plugin.json requires Grafana >= 12.3, whose
	// frontend migrates older schemas silently, which would hide a dashboard built for an old Grafana.
	minSchemaVersion = 41
	// simulatedDataSourceUID is the provisioned data source of the simulated tenant (the alert rules name it).
	simulatedDataSourceUID = "sapcpi-sim"
)

// ---------------------------------------------------------------------------------------------------------
// Dashboard model: the subset of Grafana's dashboard JSON the checks read.

// TestDashboardsIncludedInPlugin: plugin.json lists exactly the files of src/dashboards (so each can be imported
// from the data source's Dashboards tab), with the dashboard's title as name.
func TestDashboardsIncludedInPlugin(t *testing.T) {
	boards := loadDashboards(t)
	var manifest struct {
		Includes []struct {
			Type string `json:"type"`
			Name string `json:"name"`
			Path string `json:"path"`
		} `json:"includes"`
	}
	if err := json.Unmarshal([]byte(readRepoFile(t, "plugin.json")), &manifest); err != nil {
		t.Fatal(err)
	}
	included := map[string]string{}
	for _, inc := range manifest.Includes {
		if inc.Type != "dashboard" {
			continue
		}
		if _, dup := included[inc.Path]; dup {
			t.Errorf("plugin.json includes %s twice", inc.Path)
		}
		included[inc.Path] = inc.Name
	}
	for _, b := range boards {
		path := "dashboards/" + b.file
		name, ok := included[path]
		if !ok {
			t.Errorf("%s is not listed in plugin.json includes", path)
			continue
		}
		if name != b.dash.Title {
			t.Errorf("plugin.json names %s %q, the dashboard's title is %q", path, name, b.dash.Title)
		}
		delete(included, path)
	}
	for path := range included {
		t.Errorf("plugin.json includes %s, which is not a file in %s", path, dashboardsDir)
	}
}

// TestDashboardsStructure checks what Grafana needs to load the files and what makes them portable.
func TestDashboardsStructure(t *testing.T) {
	boards := loadDashboards(t)
	uids := map[string]string{}
	for _, b := range boards {
		if b.dash.UID == "" || b.dash.Title == "" {
			t.Errorf("%s: uid and title are required", b.file)
		}
		if other, dup := uids[b.dash.UID]; dup {
			t.Errorf("%s and %s share the uid %q", b.file, other, b.dash.UID)
		}
		uids[b.dash.UID] = b.file
	}
	linkRE := regexp.MustCompile(`/d/([A-Za-z0-9_-]+)`)
	for _, b := range boards {
		t.Run(b.file, func(t *testing.T) {
			d := b.dash
			if d.SchemaVersion < minSchemaVersion {
				t.Errorf("schemaVersion %d, want >= %d (Grafana 12)", d.SchemaVersion, minSchemaVersion)
			}
			if d.ID != nil {
				t.Errorf("id must be null so provisioning and import create the dashboard, got %v", d.ID)
			}
			if len(d.Inputs) > 0 {
				t.Errorf("__inputs make the file importable only by hand; use the datasource variable instead")
			}
			if d.Description == "" {
				t.Errorf("the dashboard has no description")
			}
			if _, err := parseGrafanaTime(d.Time.From, time.Now()); err != nil || d.Time.To != "now" {
				t.Errorf("time range %q..%q: want now-<n><unit>..now (%v)", d.Time.From, d.Time.To, err)
			}

			// Exactly one datasource variable, restricted to this plugin, and every reference goes through it.
			var dsVars []dashVariable
			for _, v := range d.Templating.List {
				if v.Type == "datasource" {
					dsVars = append(dsVars, v)
				}
			}
			if len(dsVars) != 1 || dsVars[0].Name != "datasource" || string(dsVars[0].Query) != strconv.Quote(pluginID) {
				t.Errorf("want one variable \"datasource\" of type datasource with query %q, got %+v", pluginID, dsVars)
			}
			checkRef := func(where string, ref *dsRef) {
				if ref == nil || ref.Type != pluginID || ref.UID != dsVariableRef {
					t.Errorf("%s: datasource %+v, want {type: %s, uid: %s}", where, ref, pluginID, dsVariableRef)
				}
			}
			for _, v := range d.Templating.List {
				if v.Type == "query" {
					checkRef("variable "+v.Name, v.Datasource)
				}
			}
			for _, a := range d.Annotations.List {
				if a.BuiltIn == 1 {
					continue // Grafana's own "Annotations & Alerts"
				}
				checkRef("annotation "+a.Name, a.Datasource)
				if a.Target == nil {
					t.Errorf("annotation %s has no target query", a.Name)
				}
			}

			ids := map[int]bool{}
			for _, p := range d.allPanels() {
				where := fmt.Sprintf("panel %d %q", p.ID, p.Title)
				if p.ID == 0 || ids[p.ID] {
					t.Errorf("%s: panel ids must be unique and non-zero", where)
				}
				ids[p.ID] = true
				if p.Title == "" || p.Description == "" {
					t.Errorf("%s: every panel needs a title and a description (what it answers)", where)
				}
				if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
					t.Errorf("%s: gridPos %+v is outside the 24-column grid", where, p.GridPos)
				}
				if p.Type == "text" {
					continue
				}
				checkRef(where, p.Datasource)
				if len(p.Targets) == 0 {
					t.Errorf("%s has no query", where)
				}
				for _, tg := range p.Targets {
					ref, _ := json.Marshal(tg["datasource"])
					var r dsRef
					_ = json.Unmarshal(ref, &r)
					checkRef(fmt.Sprintf("%s target %v", where, tg["refId"]), &r)
					if s, _ := tg["queryType"].(string); s == "" {
						t.Errorf("%s target %v has no queryType", where, tg["refId"])
					}
				}
			}

			// Links to other dashboards (dashboard links, data links, panel links) must reach a bundled one.
			for _, m := range linkRE.FindAllStringSubmatch(b.text, -1) {
				if _, ok := uids[m[1]]; !ok {
					t.Errorf("link to /d/%s: no bundled dashboard has that uid", m[1])
				}
			}
		})
	}
}

// TestDashboardsProvisioning: the stack loads the bundled dashboards from where the Grafana image installs the
// plugin, and opens on the overview.
func TestDashboardsProvisioning(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "provisioning", "dashboards", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no dashboard provider in provisioning/dashboards")
	}
	for _, f := range files {
		var prov struct {
			APIVersion int `yaml:"apiVersion"`
			Providers  []struct {
				Name    string `yaml:"name"`
				Type    string `yaml:"type"`
				Folder  string `yaml:"folder"`
				Options struct {
					Path string `yaml:"path"`
				} `yaml:"options"`
			} `yaml:"providers"`
		}
		rel, _ := filepath.Rel(root, f)
		readYAML(t, rel, &prov)
		if prov.APIVersion != 1 || len(prov.Providers) == 0 {
			t.Errorf("%s: want apiVersion 1 and a provider: %+v", rel, prov)
		}
		for _, p := range prov.Providers {
			if p.Name == "" || p.Type != "file" || p.Options.Path != dashboardsInstallDir {
				t.Errorf("%s: provider %+v: want a named file provider reading %s", rel, p, dashboardsInstallDir)
			}
		}
	}

	var c composeFile
	readYAML(t, "docker-compose.yaml", &c)
	home := c.Services[grafanaService].Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
	file, ok := strings.CutPrefix(home, dashboardsInstallDir+"/")
	var overview string
	for _, b := range loadDashboards(t) {
		if b.dash.UID == "sapcpi-overview" {
			overview = b.file
		}
	}
	if !ok || file != overview || overview == "" {
		t.Errorf("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH=%q: want the overview, %s/%s", home, dashboardsInstallDir, overview)
	}

	// The Grafana image installs the frontend build (dist/) as the plugin directory, and the frontend build
	// copies every JSON file of src/ (dashboards/*.json) into dist/; webpack.config.ts adds the root plugin.json.
	if df := readRepoFile(t, "Dockerfile"); !strings.Contains(df, "/src/dist /var/lib/grafana/plugins/"+pluginID) {
		t.Errorf("the Dockerfile does not install dist/ as /var/lib/grafana/plugins/%s", pluginID)
	}
	if cp := readRepoFile(t, ".config/bundler/copyFiles.ts"); !strings.Contains(cp, "from: '**/*.json'") {
		t.Errorf(".config/bundler/copyFiles.ts no longer copies src/**/*.json: dist/dashboards/ would miss the dashboards")
	}
	// When the shipped build is under test (the README's test command), its dashboards are the sources'.
	if os.Getenv(binaryEnv) != "" {
		for _, b := range loadDashboards(t) {
			built, err := os.ReadFile(filepath.Join(root, "dist", "dashboards", b.file))
			if err != nil || string(built) != b.text {
				t.Errorf("dist/dashboards/%s is missing or differs from %s (%v): rebuild the frontend", b.file, dashboardsDir, err)
			}
		}
	}
}

// TestDashboardQueryOptionsExist: every option a dashboard query sets is a JSON name of that query type's Go
// model (a misspelt option would be ignored silently by the backend), and every option that holds a
// template variable is one the frontend interpolates (otherwise the backend would receive "$iflow").
func TestDashboardQueryOptionsExist(t *testing.T) {
	models := goQueryModels(t)
	interpolated := frontendInterpolatedOptions(t)
	for _, b := range loadDashboards(t) {
		for _, q := range dashboardQueries(b.dash) {
			qt, _ := q.model["queryType"].(string)
			known, ok := models[qt]
			if !ok {
				t.Errorf("%s %s: query type %q has no Go model (known: %s)", b.file, q.where, qt, strings.Join(dashSortedKeys(models), ", "))
				continue
			}
			for key, v := range q.model {
				if commonQueryKeys[key] {
					continue
				}
				if !known[key] {
					t.Errorf("%s %s: %s has no option %q (options: %s)", b.file, q.where, qt, key, strings.Join(dashSortedKeys(known), ", "))
				}
				if holdsVariable(v) && !interpolated[key] {
					t.Errorf("%s %s: option %q holds a template variable, but the frontend does not interpolate it", b.file, q.where, key)
				}
			}
		}
	}
}

// commonQueryKeys are set by Grafana on every query, not by the query type.
var commonQueryKeys = map[string]bool{"refId": true, "queryType": true, "datasource": true, "hide": true, "key": true}

// ---------------------------------------------------------------------------------------------------------
// Running the dashboards.

// TestDashboardsRunThroughPlugin runs every panel (one QueryData per panel, as Grafana does), every
// annotation and every variable query of every bundled dashboard against the simulated tenant.
func TestDashboardsRunThroughPlugin(t *testing.T) {
	boards := loadDashboards(t)
	all := frontendAllValue(t)
	interpolated := frontendInterpolatedOptions(t)
	env := newBoardEnv(t)
	var neoEnv *boardEnv // started when a dashboard has Neo-only panels
	dumpDir := os.Getenv(framesDumpEnv)
	for _, b := range boards {
		t.Run(strings.TrimSuffix(b.file, ".json"), func(t *testing.T) {
			start := time.Now()
			vals := env.resolveVariables(t, b.dash)
			now := time.Now()
			from, err := parseGrafanaTime(b.dash.Time.From, now)
			if err != nil {
				t.Fatalf("dashboard time: %v", err)
			}
			if b.dash.UID == "sapcpi-iflow" {
				// Opened from the overview's "Top failing iFlows": the iFlow with the most failures, so the panels
				// about failures have something to show (the first iFlow of the list may have none in the range).
				top := env.topFailingIFlow(t, from, now)
				all, err := env.variableValues(t, "iflows", "")
				if err != nil || !slices.ContainsFunc(all, func(v VariableValueJSON) bool { return v.Value == top }) {
					t.Fatalf("the top failing iFlow %q is not a value of the iflow variable (%v)", top, err)
				}
				vals["iflow"] = []string{top}
			}
			queries := 0
			neoOnly := neoOnlyPanels(b.dash)
			for _, p := range b.dash.allPanels() {
				if len(p.Targets) == 0 {
					continue
				}
				penv := env
				if neoOnly[p.ID] {
					if neoEnv == nil {
						neoEnv = newBoardEnvIn(t, "neo")
					}
					penv = neoEnv
				}
				pFrom := from
				if p.TimeFrom != "" {
					d, err := parseGrafanaDuration(p.TimeFrom)
					if err != nil {
						t.Errorf("panel %q timeFrom: %v", p.Title, err)
						continue
					}
					pFrom = now.Add(-d)
				}
				maxPoints := p.MaxDataPoints
				if maxPoints == 0 {
					maxPoints = 1000 // about the width of a full-width panel in pixels
				}
				var qs []boardQuery
				for _, tg := range p.Targets {
					if hide, _ := tg["hide"].(bool); hide {
						continue
					}
					qs = append(qs, boardQuery{
						model: applyTemplateVariables(tg, vals, interpolated, all),
						from:  pFrom, to: now, maxDataPoints: maxPoints,
						interval: panelInterval(pFrom, now, maxPoints, p.Interval),
					})
				}
				queries += len(qs)
				res := penv.h.queryDataWindows(t, penv.ds, nil, qs...)
				rows, failed := 0, false
				var all data.Frames
				for _, q := range qs {
					refID := q.model["refId"].(string)
					r, ok := res.Responses[refID]
					if !ok {
						t.Errorf("panel %q: no response for %s", p.Title, refID)
						continue
					}
					if r.Error != "" {
						t.Errorf("panel %q query %s (%s %v): %s", p.Title, refID, q.model["queryType"], dashJSON(q.model), r.Error)
						failed = true
						continue
					}
					for _, f := range decodeFrames(t, refID, r) {
						rows += f.Rows()
						all = append(all, f)
					}
				}
				if dumpDir != "" {
					dumpFrames(t, filepath.Join(dumpDir, fmt.Sprintf("%s-%d.json", b.dash.UID, p.ID)), all)
				}
				key := b.dash.UID + "/" + p.Title
				if _, ok := emptyPanels[key]; !ok && rows == 0 && !failed {
					t.Errorf("panel %q shows no data on the simulated tenant", p.Title)
				}
			}
			for _, a := range b.dash.Annotations.List {
				if a.BuiltIn == 1 || a.Target == nil {
					continue
				}
				model := map[string]any{"refId": "Anno"}
				for k, v := range a.Target {
					model[k] = v
				}
				queries++
				res := env.h.queryDataWindows(t, env.ds, nil, boardQuery{
					model: applyTemplateVariables(model, vals, interpolated, all), from: from, to: now,
					maxDataPoints: 1000, interval: panelInterval(from, now, 1000, ""),
				})
				r := res.Responses["Anno"]
				if r == nil || r.Error != "" {
					t.Errorf("annotation %q: %v", a.Name, r)
					continue
				}
				frames := decodeFrames(t, "Anno", r)
				_, mayBeEmpty := emptyPanels[b.dash.UID+"/annotation "+a.Name]
				checkAnnotationFrames(t, a.Name, frames, mayBeEmpty)
				if dumpDir != "" {
					dumpFrames(t, filepath.Join(dumpDir, b.dash.UID+"-annotation-"+a.Name+".json"), frames)
				}
			}
			t.Logf("%d variables, %d queries in %s", len(vals), queries, time.Since(start).Round(time.Millisecond))
		})
	}
}

// topFailingIFlow is the iFlow with the most FAILED messages in [from, to], asked through the plugin as the
// overview's "Top failing iFlows" panel does.
func (e *boardEnv) topFailingIFlow(t *testing.T, from, to time.Time) string {
	t.Helper()
	res := e.h.queryDataWindows(t, e.ds, nil, boardQuery{
		model: map[string]any{"refId": "A", "queryType": "messageCounts", "groupBy": "iflow", "statuses": []string{"FAILED"}, "format": "numeric"},
		from:  from, to: to, interval: time.Minute, maxDataPoints: 1000,
	})
	r := res.Responses["A"]
	if r == nil || r.Error != "" {
		t.Fatalf("failed messages per iFlow: %v", r)
	}
	best, most := "", 0.0
	for _, f := range decodeFrames(t, "A", r) {
		if len(f.Fields) != 1 || f.Rows() != 1 {
			continue
		}
		if v, ok := f.Fields[0].ConcreteAt(0); ok && sseFloat(v) > most {
			best, most = f.Fields[0].Labels["iflow"], sseFloat(v)
		}
	}
	if best == "" {
		t.Fatal("no iFlow failed in the dashboard's range on the simulated tenant")
	}
	return best
}

// checkAnnotationFrames: Grafana turns frames with a time field and a text or title field into annotations.
func checkAnnotationFrames(t *testing.T, name string, frames data.Frames, mayBeEmpty bool) {
	t.Helper()
	events := 0
	for _, f := range frames {
		hasTime, hasText := false, false
		for _, fld := range f.Fields {
			switch {
			case fld.Type().Time():
				hasTime = true
			case fld.Name == "text" || fld.Name == "title":
				hasText = true
			}
		}
		if f.Rows() > 0 && (!hasTime || !hasText) {
			t.Errorf("annotation %q: frame %q has no time and text/title fields, Grafana cannot show it", name, f.Name)
		}
		events += f.Rows()
	}
	if events == 0 && !mayBeEmpty {
		t.Errorf("annotation %q returned no events on the simulated tenant", name)
	}
}

func dashJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func dashSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDashboardsAllMeansNoFilter: a multi-value variable offering All gives the frontend's all value, and a
// query reached by it carries no filter at all; through the plugin, All answers what no filter answers.
func TestDashboardsAllMeansNoFilter(t *testing.T) {
	all := frontendAllValue(t)
	interpolated := frontendInterpolatedOptions(t)
	var withAll []string
	for _, b := range loadDashboards(t) {
		for _, v := range b.dash.Templating.List {
			if v.Type == "query" && v.Multi && v.IncludeAll {
				withAll = append(withAll, b.dash.UID+"/"+v.Name)
				if v.AllValue != all {
					t.Errorf("%s variable %s: allValue %q, want %q (src/templating.ts ALL_VALUE), or All sends every value",
						b.file, v.Name, v.AllValue, all)
				}
			}
		}
	}
	for _, want := range []string{"sapcpi-overview/iflow", "sapcpi-overview/package", "sapcpi-iflow/iflow", "sapcpi-iflow/package"} {
		if !slices.Contains(withAll, want) {
			t.Errorf("%s is not a multi-value variable with All (have %v)", want, withAll)
		}
	}

	vals := map[string][]string{"iflow": {all}, "package": {all}}
	model := map[string]any{"refId": "A", "queryType": "messageCounts", "groupBy": "status", "format": "numeric",
		"iflows": []any{"$iflow", "Some_Other_IFlow"}, "packages": []any{"$package"}, "statuses": []any{"FAILED", "COMPLETED"}}
	got := applyTemplateVariables(model, vals, interpolated, all)
	if _, ok := got["iflows"]; ok {
		t.Errorf("iflows with $iflow = All sent: %v", got["iflows"])
	}
	if _, ok := got["packages"]; ok {
		t.Errorf("packages with $package = All sent: %v", got["packages"])
	}
	if !reflect.DeepEqual(got["statuses"], []any{"FAILED", "COMPLETED"}) {
		t.Errorf("statuses %v", got["statuses"])
	}

	env := newBoardEnv(t)
	now := time.Now()
	total := func(m map[string]any) float64 {
		res := env.h.queryDataWindows(t, env.ds, nil, boardQuery{model: m, from: now.Add(-6 * time.Hour), to: now,
			interval: time.Minute, maxDataPoints: 1000})
		r := res.Responses["A"]
		if r == nil || r.Error != "" {
			t.Fatalf("query %v: %v", m, r)
		}
		sum := 0.0
		for _, f := range decodeFrames(t, "A", r) {
			for _, fld := range f.Fields {
				for i := 0; i < fld.Len(); i++ {
					if v, ok := fld.ConcreteAt(i); ok && fld.Type().Numeric() {
						sum += sseFloat(v)
					}
				}
			}
		}
		return sum
	}
	unfiltered := map[string]any{"refId": "A", "queryType": "messageCounts", "groupBy": "status", "format": "numeric"}
	viaAll := applyTemplateVariables(map[string]any{"refId": "A", "queryType": "messageCounts", "groupBy": "status",
		"format": "numeric", "iflows": []any{"$iflow"}, "packages": []any{"$package"}}, vals, interpolated, all)
	iflows, err := env.variableValues(t, "iflows", "")
	if err != nil || len(iflows) < 2 {
		t.Fatalf("iflows: %v %v", iflows, err)
	}
	oneIFlow := applyTemplateVariables(map[string]any{"refId": "A", "queryType": "messageCounts", "groupBy": "status",
		"format": "numeric", "iflows": []any{"$iflow"}}, map[string][]string{"iflow": {iflows[0].Value}}, interpolated, all)
	a, b, c := total(unfiltered), total(viaAll), total(oneIFlow)
	if a == 0 || a != b {
		t.Errorf("messages with iFlow and package = All: %v, without filter: %v", b, a)
	}
	if c >= a {
		t.Errorf("one iFlow counts %v messages of %v: the iFlow filter did not apply", c, a)
	}
}

// TestFleetRowPerTenant: the fleet dashboard repeats one row per chosen data source; every panel of the row
// answers for its own tenant. Two simulated tenants with their own labels stand for DEV and PRD.
func TestFleetRowPerTenant(t *testing.T) {
	var fleet *dashboardJSON
	for _, b := range loadDashboards(t) {
		if b.dash.UID == "sapcpi-fleet" {
			fleet = &b.dash
		}
	}
	if fleet == nil {
		t.Fatal("no dashboard with uid sapcpi-fleet")
	}
	ds := fleet.Templating.List[0]
	if ds.Type != "datasource" || !ds.Multi || !ds.IncludeAll {
		t.Fatalf("the fleet's datasource variable must be multi-value with All: %+v", ds)
	}
	// The repeated row and the panels below it (up to the next row) form one tenant's row.
	var row []dashPanel
	inRow := false
	for _, p := range fleet.Panels {
		switch {
		case p.Type == "row" && p.Repeat == "datasource" && !p.Collapsed:
			inRow = true
		case p.Type == "row":
			inRow = false
		case inRow:
			row = append(row, p)
		}
	}
	titles := make([]string, len(row))
	for i, p := range row {
		titles[i] = p.Title
	}
	for _, want := range []string{"Failed messages", "Artifacts not started", "Certificates expiring within 30 days", "Silent iFlows"} {
		if !slices.Contains(titles, want) {
			t.Errorf("the repeated row has no panel %q (has %v)", want, titles)
		}
	}

	all := frontendAllValue(t)
	interpolated := frontendInterpolatedOptions(t)
	now := time.Now()
	from, err := parseGrafanaTime(fleet.Time.From, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []struct {
		label string
		env   *boardEnv
	}{{"SIM", newBoardEnv(t)}, {"SIM 2", newBoardEnvWith(t, "", "SIM 2", 7)}} {
		vals := map[string][]string{"datasource": {simulatedDataSourceUID}}
		labelled := 0
		for _, p := range row {
			for _, tg := range p.Targets {
				model := applyTemplateVariables(tg, vals, interpolated, all)
				res := tenant.env.h.queryDataWindows(t, tenant.env.ds, nil, boardQuery{model: model, from: from, to: now,
					interval: panelInterval(from, now, 1000, ""), maxDataPoints: 1000})
				refID := model["refId"].(string)
				r := res.Responses[refID]
				if r == nil || r.Error != "" {
					t.Errorf("%s panel %q: %v", tenant.label, p.Title, r)
					continue
				}
				for _, f := range decodeFrames(t, refID, r) {
					if l := frameTenant(f); l != "" {
						labelled++
						if l != tenant.label {
							t.Errorf("%s panel %q: frame %q is labelled tenant %q", tenant.label, p.Title, f.Name, l)
						}
					}
				}
			}
		}
		if labelled == 0 {
			t.Errorf("%s: no frame of the row names its tenant", tenant.label)
		}
	}
}

// frameTenant is the tenant a frame belongs to: its values' tenant label, or its tenant column ("" if none).
func frameTenant(f *data.Frame) string {
	for _, fld := range f.Fields {
		if l := fld.Labels["tenant"]; l != "" {
			return l
		}
		if fld.Name == "tenant" && fld.Len() > 0 {
			if s, ok := fld.ConcreteAt(0); ok {
				return fmt.Sprint(s)
			}
		}
	}
	return ""
}
