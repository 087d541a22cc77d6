package harness

// The bundled dashboards (src/dashboards, listed in plugin.json "includes", provisioned by
// provisioning/dashboards/sapcpi.yaml) checked the only way that proves they work without a Grafana: every
// panel, annotation and template-variable query is sent through the real plugin binary to a simulated tenant,
// configured exactly as the provisioned data source, after the dashboard's variables were resolved and
// substituted the way Grafana's frontend does it. Static checks cover what running cannot: the datasource
// references, the includes list, links between dashboards, option names and schema basics.

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
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
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
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

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type dashboardJSON struct {
	ID            any    `json:"id"`
	UID           string `json:"uid"`
	Title         string `json:"title"`
	Description   string `json:"description"`
	SchemaVersion int    `json:"schemaVersion"`
	Version       int    `json:"version"`
	Inputs        []any  `json:"__inputs"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []dashVariable `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []dashAnnotation `json:"list"`
	} `json:"annotations"`
	Panels []dashPanel `json:"panels"`
	Links  []dashLink  `json:"links"`
}

type dashVariable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Label      string          `json:"label"`
	Query      json.RawMessage `json:"query"`
	Datasource *dsRef          `json:"datasource"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Current    struct {
		Value any `json:"value"`
	} `json:"current"`
	Options []struct {
		Text  string `json:"text"`
		Value string `json:"value"`
	} `json:"options"`
}

type dashAnnotation struct {
	Name       string         `json:"name"`
	BuiltIn    int            `json:"builtIn"`
	Enable     bool           `json:"enable"`
	Datasource *dsRef         `json:"datasource"`
	Target     map[string]any `json:"target"`
}

type dashPanel struct {
	ID            int              `json:"id"`
	Type          string           `json:"type"`
	Title         string           `json:"title"`
	Description   string           `json:"description"`
	Datasource    *dsRef           `json:"datasource"`
	Targets       []map[string]any `json:"targets"`
	Panels        []dashPanel      `json:"panels"`
	TimeFrom      string           `json:"timeFrom"`
	Collapsed     bool             `json:"collapsed"`
	Repeat        string           `json:"repeat"`
	MaxDataPoints int64            `json:"maxDataPoints"`
	Interval      string           `json:"interval"`
	GridPos       struct {
		H int `json:"h"`
		W int `json:"w"`
		X int `json:"x"`
		Y int `json:"y"`
	} `json:"gridPos"`
}

type dashLink struct {
	Title string `json:"title"`
	Type  string `json:"type"`
	URL   string `json:"url"`
}

// boardFile is one dashboard file as shipped.
type boardFile struct {
	file string // base name in src/dashboards
	text string
	dash dashboardJSON
}

// allPanels flattens rows (a collapsed row holds its panels) into one list, rows excluded.
func (d dashboardJSON) allPanels() []dashPanel {
	var out []dashPanel
	var walk func(ps []dashPanel)
	walk = func(ps []dashPanel) {
		for _, p := range ps {
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			out = append(out, p)
		}
	}
	walk(d.Panels)
	return out
}

func loadDashboards(t *testing.T) []boardFile {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(root, dashboardsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no dashboards in %s", dashboardsDir)
	}
	var out []boardFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboardJSON
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%s is not a dashboard JSON: %v", filepath.Base(p), err)
		}
		out = append(out, boardFile{file: filepath.Base(p), text: string(b), dash: d})
	}
	return out
}

// ---------------------------------------------------------------------------------------------------------
// Static checks.

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

// boardEnv is one plugin process and one simulated tenant, configured as the stack provisions them.
type boardEnv struct {
	h  *pluginHost
	tn *tenant
	ds dataSource
}

// simulatedTenantConfig is the simulated tenant with the simulator's defaults (seed, 20 000 messages a day,
// 40 iFlows): the data every bundled panel must show without error.
func simulatedTenantConfig() simulator.Config {
	return simulator.Config{MessagesPerDay: 20000, IFlows: 40}
}

// newBoardEnv starts a simulated tenant and the plugin, and builds the data source from
// provisioning/datasources/sapcpi.yaml (the entry with uid sapcpi-sim): the stack's host name replaced by the
// test server, secrets expanded from the grafana service's environment as Grafana does.
func newBoardEnv(t *testing.T) *boardEnv {
	t.Helper()
	return newBoardEnvIn(t, "")
}

// newBoardEnvIn is newBoardEnv with the tenant (and the data source's environment setting) switched to
// environment ("neo" for the Neo-only APIs); "" keeps the provisioned environment.
func newBoardEnvIn(t *testing.T, environment string) *boardEnv {
	t.Helper()
	return newBoardEnvWith(t, environment, "", 0)
}

// newBoardEnvWith is newBoardEnvIn with, when not empty or zero, another tenant label and simulator seed: a
// second tenant beside the provisioned one.
func newBoardEnvWith(t *testing.T, environment, label string, seed int64) *boardEnv {
	t.Helper()
	var c composeFile
	readYAML(t, "docker-compose.yaml", &c)
	grafana, sim := c.Services[grafanaService], c.Services[simulatorService]
	var prov provisionedDatasources
	readYAML(t, "provisioning/datasources/sapcpi.yaml", &prov)

	cfg := simulatedTenantConfig()
	cfg.Environment = environment
	if seed != 0 {
		cfg.Seed = seed
	}
	tn := newTenant(t, tenantOptions{cfg: cfg})
	simHost := simulatorService + ":" + containerPort(t, sim.Ports)
	for _, p := range prov.Datasources {
		if p.UID != simulatedDataSourceUID {
			continue
		}
		if p.Type != pluginID {
			t.Fatalf("provisioned %s has type %q", p.UID, p.Type)
		}
		jd := map[string]any{}
		for k, v := range p.JSONData {
			if s, ok := v.(string); ok {
				v = strings.ReplaceAll(s, "http://"+simHost, tn.url())
			}
			jd[k] = v
		}
		if environment != "" {
			jd["environment"] = environment
		}
		if label != "" {
			jd["tenantLabel"] = label
		}
		secure := map[string]string{}
		for k, v := range p.SecureJSONData {
			secure[k] = os.Expand(v, func(name string) string { return grafana.Environment[name] })
		}
		h := startPlugin(t)
		for _, s := range secure {
			h.addSecrets(s)
		}
		return &boardEnv{h: h, tn: tn, ds: dataSource{Name: p.Name, JSONData: jd, Secure: secure}.saved()}
	}
	t.Fatalf("provisioning/datasources/sapcpi.yaml has no data source with uid %q", simulatedDataSourceUID)
	return nil
}

// variableValues calls GET variables/<kind>?filter=… as the variable editor and template variables do.
func (e *boardEnv) variableValues(t *testing.T, kind, filter string) ([]VariableValueJSON, error) {
	t.Helper()
	rawQuery := ""
	if filter != "" {
		rawQuery = url.Values{"filter": {filter}}.Encode()
	}
	status, body := e.h.callResource(t, e.ds, "variables/"+url.PathEscape(kind), rawQuery)
	if status != http.StatusOK {
		return nil, fmt.Errorf("variables/%s answered HTTP %d: %s", kind, status, body)
	}
	var values []VariableValueJSON
	if err := json.Unmarshal(body, &values); err != nil {
		return nil, fmt.Errorf("variables/%s: %v: %.200s", kind, err, body)
	}
	return values, nil
}

// VariableValueJSON is one value of GET variables/<kind> (src/variables.ts VariableValue).
type VariableValueJSON struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// resolveVariables gives each variable the values Grafana would select on load: the saved current value,
// else the first option, or every option when "All" is selected (or preselected by includeAll). Query
// variables are answered by the plugin; a query variable without values fails the test.
func (e *boardEnv) resolveVariables(t *testing.T, d dashboardJSON) map[string][]string {
	t.Helper()
	vals := map[string][]string{}
	for _, v := range d.Templating.List {
		current := dashCurrentValues(v.Current.Value)
		all := len(current) == 1 && current[0] == "$__all" || (len(current) == 0 && v.IncludeAll)
		var options []string
		switch v.Type {
		case "datasource":
			vals[v.Name] = []string{simulatedDataSourceUID}
			continue
		case "query":
			var q struct {
				Kind   string `json:"kind"`
				Filter string `json:"filter"`
			}
			if err := json.Unmarshal(v.Query, &q); err != nil || q.Kind == "" {
				t.Errorf("variable %s: query %s is not {kind, filter} (%v)", v.Name, v.Query, err)
				continue
			}
			filter := substituteVars(q.Filter, vals)
			if filter == frontendAllValue(t) {
				filter = "" // src/variables.ts: a filter variable set to All does not narrow the list
			}
			got, err := e.variableValues(t, q.Kind, filter)
			if err != nil {
				t.Errorf("variable %s: %v", v.Name, err)
				continue
			}
			if len(got) == 0 {
				t.Errorf("variable %s (kind %s, filter %q) has no values on the simulated tenant", v.Name, q.Kind, filter)
				continue
			}
			for _, g := range got {
				options = append(options, g.Value)
			}
		case "custom", "interval":
			for _, o := range v.Options {
				options = append(options, o.Value)
			}
			if len(options) == 0 {
				var s string
				_ = json.Unmarshal(v.Query, &s)
				for _, o := range strings.Split(s, ",") {
					if o = strings.TrimSpace(o); o != "" {
						options = append(options, o)
					}
				}
			}
		case "textbox", "constant":
			var s string
			_ = json.Unmarshal(v.Query, &s)
			if len(current) > 0 {
				s = current[0]
			}
			vals[v.Name] = []string{s}
			continue
		default:
			t.Errorf("variable %s has type %q, which the checks do not know", v.Name, v.Type)
			continue
		}
		switch {
		case all && v.AllValue != "":
			vals[v.Name] = []string{v.AllValue} // Grafana substitutes a custom all value as it is
		case all:
			vals[v.Name] = options
		case len(current) > 0 && slices.Contains(options, current[0]):
			vals[v.Name] = current
		case len(options) > 0:
			vals[v.Name] = options[:1]
		}
	}
	return vals
}

func dashCurrentValues(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// dashVarRE matches Grafana's variable syntaxes: $name, ${name}, ${name:format}, [[name]].
var dashVarRE = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]`)

func dashVarName(m []string) string {
	for _, s := range m[1:] {
		if s != "" {
			return s
		}
	}
	return ""
}

func holdsVariable(v any) bool {
	b, _ := json.Marshal(v)
	for _, m := range dashVarRE.FindAllStringSubmatch(string(b), -1) {
		if !strings.HasPrefix(dashVarName(m), "__") {
			return true
		}
	}
	return false
}

// substituteVars replaces the variables in s; a multi-value variable becomes Grafana's default glob format
// {a,b}. Unknown names are left as they are.
func substituteVars(s string, vals map[string][]string) string {
	return dashVarRE.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := vals[dashVarName(dashVarRE.FindStringSubmatch(m))]
		switch {
		case !ok || len(v) == 0:
			return m
		case len(v) == 1:
			return v[0]
		default:
			return "{" + strings.Join(v, ",") + "}"
		}
	})
}

// applyTemplateVariables does what src/datasource.ts does before a query leaves the browser: string options
// in the interpolated list are replaced, list options get one element per value of a multi-value variable,
// and an option that a variable set to All (its allValue, src/templating.ts ALL_VALUE) reached is dropped:
// All means no filter.
func applyTemplateVariables(model map[string]any, vals map[string][]string, interpolated map[string]bool, all string) map[string]any {
	out := map[string]any{}
	for k, v := range model {
		if interpolated[k] {
			v = interpolateValue(v, vals)
			if meansAll(v, all) {
				continue
			}
		}
		out[k] = v
	}
	return out
}

// allValueRE finds the frontend's all value in src/templating.ts.
var allValueRE = regexp.MustCompile(`export const ALL_VALUE = '([^']+)';`)

// frontendAllValue is src/templating.ts ALL_VALUE, the allValue of the dashboards' multi-value variables.
func frontendAllValue(t *testing.T) string {
	t.Helper()
	m := allValueRE.FindStringSubmatch(readRepoFile(t, "src/templating.ts"))
	if m == nil {
		t.Fatal("src/templating.ts has no `export const ALL_VALUE = '…';`")
	}
	return m[1]
}

// meansAll reports whether an interpolated option holds the all value (a list element or the whole string).
func meansAll(v any, all string) bool {
	switch x := v.(type) {
	case string:
		return x == all
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == all {
				return true
			}
		}
	}
	return false
}

func interpolateValue(v any, vals map[string][]string) any {
	switch x := v.(type) {
	case string:
		return substituteVars(x, vals)
	case []any:
		out := []any{}
		seen := map[string]bool{}
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				out = append(out, interpolateValue(e, vals))
				continue
			}
			for _, expanded := range expandElement(s, vals) {
				if expanded != "" && !seen[expanded] {
					seen[expanded] = true
					out = append(out, expanded)
				}
			}
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = interpolateValue(e, vals)
		}
		return out
	}
	return v
}

// expandElement turns one list element into every combination of its variables' values.
func expandElement(s string, vals map[string][]string) []string {
	loc := dashVarRE.FindStringSubmatchIndex(s)
	if loc == nil {
		return []string{s}
	}
	m := dashVarRE.FindStringSubmatch(s)
	v, ok := vals[dashVarName(m)]
	if !ok {
		v = []string{s[loc[0]:loc[1]]}
	}
	var out []string
	for _, rest := range expandElement(s[loc[1]:], vals) {
		for _, val := range v {
			out = append(out, s[:loc[0]]+val+rest)
		}
	}
	return out
}

// dashQuery is one query of a dashboard with where it sits.
type dashQuery struct {
	where string
	panel *dashPanel // nil for annotations
	model map[string]any
}

func dashboardQueries(d dashboardJSON) []dashQuery {
	var out []dashQuery
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			out = append(out, dashQuery{where: fmt.Sprintf("panel %q target %v", p.Title, tg["refId"]), panel: &p, model: tg})
		}
	}
	for _, a := range d.Annotations.List {
		if a.BuiltIn == 1 || a.Target == nil {
			continue
		}
		model := map[string]any{"refId": "Anno"}
		for k, v := range a.Target {
			model[k] = v
		}
		out = append(out, dashQuery{where: fmt.Sprintf("annotation %q", a.Name), model: model})
	}
	return out
}

// boardQuery is one query of a QueryDataRequest with its own time range, as Grafana sends them.
type boardQuery struct {
	model         map[string]any
	from, to      time.Time
	interval      time.Duration
	maxDataPoints int64
}

// queryDataWindows sends one QueryDataRequest; unlike queryData each query carries its own range and interval.
func (h *pluginHost) queryDataWindows(t *testing.T, ds dataSource, headers map[string]string, qs ...boardQuery) *pluginv2.QueryDataResponse {
	t.Helper()
	req := &pluginv2.QueryDataRequest{PluginContext: h.pluginContext(t, ds), Headers: headers}
	for _, q := range qs {
		model := map[string]any{}
		for k, v := range q.model {
			model[k] = v
		}
		model["datasource"] = map[string]string{"type": pluginID, "uid": req.PluginContext.DataSourceInstanceSettings.Uid}
		raw, err := json.Marshal(model)
		if err != nil {
			t.Fatal(err)
		}
		refID, _ := model["refId"].(string)
		queryType, _ := model["queryType"].(string)
		req.Queries = append(req.Queries, &pluginv2.DataQuery{
			RefId:         refID,
			QueryType:     queryType,
			Json:          raw,
			MaxDataPoints: q.maxDataPoints,
			IntervalMS:    q.interval.Milliseconds(),
			TimeRange:     &pluginv2.TimeRange{FromEpochMS: q.from.UnixMilli(), ToEpochMS: q.to.UnixMilli()},
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
	defer cancel()
	res, err := h.data.QueryData(ctx, req)
	if err != nil {
		t.Fatalf("QueryData returned a gRPC error (a plugin failure): %v", err)
	}
	return res
}

// parseGrafanaTime understands the relative times dashboards use: now, now-6h, now-7d, now-30m.
func parseGrafanaTime(s string, now time.Time) (time.Time, error) {
	if s == "now" {
		return now, nil
	}
	rest, ok := strings.CutPrefix(s, "now-")
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not relative to now", s)
	}
	d, err := parseGrafanaDuration(rest)
	return now.Add(-d), err
}

// parseGrafanaDuration parses 30s, 15m, 6h, 7d, 2w (panel timeFrom, intervals).
func parseGrafanaDuration(s string) (time.Duration, error) {
	m := regexp.MustCompile(`^(\d+)([smhdw])$`).FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a duration like 6h", s)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

// panelInterval is Grafana's $__interval: the range over the points the panel can draw, at least the
// panel's min interval.
func panelInterval(from, to time.Time, maxDataPoints int64, minInterval string) time.Duration {
	iv := to.Sub(from) / time.Duration(maxDataPoints)
	if d, err := parseGrafanaDuration(minInterval); err == nil && d > iv {
		iv = d
	}
	return max(iv.Round(time.Second), time.Second)
}

// framesDumpEnv names a directory to write each panel's frames to (<dashboard uid>-<panel id>.json, Grafana's
// data frame JSON), to look at what a panel receives or to try its transformations outside Grafana.
const framesDumpEnv = "SAPCPI_DASHBOARD_FRAMES"

func dumpFrames(t *testing.T, path string, frames data.Frames) {
	t.Helper()
	if frames == nil {
		frames = data.Frames{}
	}
	b, err := json.MarshalIndent(frames, "", " ")
	if err != nil {
		t.Fatalf("encoding frames for %s: %v", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// neoOnlyPanels are the panels inside a collapsed row whose title says "Neo": Grafana does not query a
// collapsed row until it is opened, so on Cloud Foundry tenants (the stack's) these panels stay quiet; the
// test runs them against a simulated Neo tenant instead.
func neoOnlyPanels(d dashboardJSON) map[int]bool {
	out := map[int]bool{}
	for _, row := range d.Panels {
		if row.Type == "row" && row.Collapsed && strings.Contains(row.Title, "Neo") {
			for _, p := range row.Panels {
				out[p.ID] = true
			}
		}
	}
	return out
}

// emptyPanels may legitimately return no rows on the simulated tenant; each says why. Everything else must
// show data, because the stack is how users first meet the dashboards.
var emptyPanels = map[string]string{
	"sapcpi-iflow/Stuck messages":         "most iFlows never leave a message stuck",
	"sapcpi-iflow/Service endpoints":      "iFlows started by a timer, SFTP, JMS or IDoc have no service endpoint",
	"sapcpi-iflow/annotation Deployments": "most iFlows were not deployed within the last hours",
}

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

// goQueryModels reads pkg/models: for each query type (the QueryType constants) the JSON names of its model
// struct, found by the package's naming convention <QueryType>Query (case-insensitive: jms → JMSQuery),
// with the fields of embedded structs (shared filters) included.
func goQueryModels(t *testing.T) map[string]map[string]bool {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	paths, _ := filepath.Glob(filepath.Join(root, "pkg", "models", "*.go"))
	structs := map[string]*ast.StructType{}
	var queryTypes []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatalf("parsing %s: %v", p, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if st, ok := s.Type.(*ast.StructType); ok {
						structs[s.Name.Name] = st
					}
				case *ast.ValueSpec:
					if id, ok := s.Type.(*ast.Ident); gd.Tok == token.CONST && ok && id.Name == "QueryType" {
						for _, v := range s.Values {
							if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								q, _ := strconv.Unquote(lit.Value)
								queryTypes = append(queryTypes, q)
							}
						}
					}
				}
			}
		}
	}
	var fieldsOf func(st *ast.StructType, depth int) map[string]bool
	fieldsOf = func(st *ast.StructType, depth int) map[string]bool {
		out := map[string]bool{}
		for _, f := range st.Fields.List {
			name := ""
			if f.Tag != nil {
				tag, _ := strconv.Unquote(f.Tag.Value)
				name, _, _ = strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			}
			if name == "-" {
				continue
			}
			if len(f.Names) == 0 && name == "" { // embedded struct: its fields are promoted
				if id, ok := f.Type.(*ast.Ident); ok && structs[id.Name] != nil && depth < 5 {
					for k := range fieldsOf(structs[id.Name], depth+1) {
						out[k] = true
					}
				}
				continue
			}
			if name == "" && len(f.Names) > 0 {
				name = f.Names[0].Name
			}
			out[name] = true
		}
		return out
	}
	out := map[string]map[string]bool{}
	for _, q := range queryTypes {
		for name, st := range structs {
			if strings.EqualFold(name, q+"Query") {
				out[q] = fieldsOf(st, 0)
			}
		}
	}
	return out
}

// frontendInterpolatedOptions reads the `interpolated` lists of src/queries/*.ts (string literals and spread
// constants such as ...LIST_FILTER_KEYS, resolved from any .ts file under src/): the options whose template
// variables the data source replaces before sending a query (src/datasource.ts applyTemplateVariables).
func frontendInterpolatedOptions(t *testing.T) map[string]bool {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	_ = filepath.WalkDir(filepath.Join(root, "src"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".ts") || strings.HasSuffix(p, ".tsx")) && !strings.Contains(p, ".test.") {
			b, err := os.ReadFile(p)
			if err == nil {
				sources = append(sources, string(b))
			}
		}
		return nil
	})
	literalRE := regexp.MustCompile(`'([^']*)'|"([^"]*)"`)
	literals := func(s string) []string {
		var out []string
		for _, m := range literalRE.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1]+m[2])
		}
		return out
	}
	constRE := regexp.MustCompile(`(?s)const\s+([A-Z][A-Z0-9_]*)\s*(?::[^=]+)?=\s*\[(.*?)\]`)
	consts := map[string][]string{}
	for _, s := range sources {
		for _, m := range constRE.FindAllStringSubmatch(s, -1) {
			consts[m[1]] = literals(m[2])
		}
	}
	out := map[string]bool{}
	listRE := regexp.MustCompile(`(?s)interpolated:\s*\[(.*?)\]`)
	spreadRE := regexp.MustCompile(`\.\.\.\s*([A-Za-z_][A-Za-z0-9_]*)`)
	queryFiles, _ := filepath.Glob(filepath.Join(root, "src", "queries", "*.ts"))
	for _, p := range queryFiles {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range listRE.FindAllStringSubmatch(string(b), -1) {
			for _, l := range literals(m[1]) {
				out[l] = true
			}
			for _, sp := range spreadRE.FindAllStringSubmatch(m[1], -1) {
				vals, ok := consts[sp[1]]
				if !ok {
					t.Fatalf("%s: interpolated spreads %s, which no `const %s = [...]` under src/ defines", filepath.Base(p), sp[1], sp[1])
				}
				for _, v := range vals {
					out[v] = true
				}
			}
		}
	}
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
