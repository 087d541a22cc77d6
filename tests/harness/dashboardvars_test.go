package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// Running a dashboard as Grafana would: a simulated tenant, template variables resolved through the plugin's
// resources and interpolated into the query models, Grafana's relative times and panel intervals.

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
