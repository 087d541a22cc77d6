package harness

// The alert rule templates (provisioning/alerting/) checked as Grafana would use them: the files parse into
// Grafana's provisioning model, every data source query runs through the real plugin binary with the
// FromAlert header and the rule's relative time range, returns what Grafana's server-side expressions accept
// (numeric or time-series frames, one numeric field each, unique label sets with the tenant), and the
// rule's expressions, evaluated here the way Grafana evaluates reduce, math and threshold, fire for exactly
// what the simulated tenant says is wrong (an artifact in ERROR, certificates about to expire, stuck
// messages, …).

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"go.yaml.in/yaml/v3"
)

const alertingDir = "provisioning/alerting"

// alertingFile is Grafana's alerting provisioning file (pkg/services/provisioning/alerting, apiVersion 1).
type alertingFile struct {
	APIVersion    int                 `yaml:"apiVersion"`
	Groups        []alertGroup        `yaml:"groups"`
	ContactPoints []alertContactPoint `yaml:"contactPoints"`
	Policies      []map[string]any    `yaml:"policies"`
}

type alertGroup struct {
	OrgID    int         `yaml:"orgId"`
	Name     string      `yaml:"name"`
	Folder   string      `yaml:"folder"`
	Interval string      `yaml:"interval"`
	Rules    []alertRule `yaml:"rules"`
}

type alertRule struct {
	UID          string            `yaml:"uid"`
	Title        string            `yaml:"title"`
	Condition    string            `yaml:"condition"`
	Data         []alertQuery      `yaml:"data"`
	NoDataState  string            `yaml:"noDataState"`
	ExecErrState string            `yaml:"execErrState"`
	For          string            `yaml:"for"`
	DashboardUID string            `yaml:"dashboardUid"`
	PanelID      int               `yaml:"panelId"`
	Annotations  map[string]string `yaml:"annotations"`
	Labels       map[string]string `yaml:"labels"`
	IsPaused     bool              `yaml:"isPaused"`
}

type alertQuery struct {
	RefID             string `yaml:"refId"`
	RelativeTimeRange struct {
		From int64 `yaml:"from"`
		To   int64 `yaml:"to"`
	} `yaml:"relativeTimeRange"`
	DatasourceUID string         `yaml:"datasourceUid"`
	Model         map[string]any `yaml:"model"`
}

type alertContactPoint struct {
	OrgID     int    `yaml:"orgId"`
	Name      string `yaml:"name"`
	Receivers []struct {
		UID                   string         `yaml:"uid"`
		Type                  string         `yaml:"type"`
		Settings              map[string]any `yaml:"settings"`
		DisableResolveMessage bool           `yaml:"disableResolveMessage"`
	} `yaml:"receivers"`
}

// promDuration parses the durations Grafana's provisioning accepts (Prometheus style: 0s, 90s, 1h30m, 7d).
func promDuration(s string) (time.Duration, error) {
	re := regexp.MustCompile(`(\d+)(ms|s|m|h|d|w|y)`)
	if s == "0" {
		return 0, nil
	}
	if !regexp.MustCompile(`^((\d+)(ms|s|m|h|d|w|y))+$`).MatchString(s) {
		return 0, fmt.Errorf("%q is not a duration like 5m or 1h30m", s)
	}
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour}
	var d time.Duration
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		d += time.Duration(n) * units[m[2]]
	}
	return d, nil
}

// exprDatasourceUID is Grafana's server-side expressions ("-100" is the legacy spelling).
func isExpression(uid string) bool { return uid == "__expr__" || uid == "-100" }

type loadedAlerting struct {
	files map[string]alertingFile
	rules []alertRule
}

func loadAlerting(t *testing.T) loadedAlerting {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, ext := range []string{"*.yaml", "*.yml", "*.json"} {
		p, _ := filepath.Glob(filepath.Join(root, alertingDir, ext))
		paths = append(paths, p...)
	}
	if len(paths) == 0 {
		t.Fatalf("no alerting provisioning files in %s", alertingDir)
	}
	out := loadedAlerting{files: map[string]alertingFile{}}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f alertingFile
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true) // a misspelt key would be ignored by Grafana: refuse it here
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		out.files[filepath.Base(p)] = f
		for _, g := range f.Groups {
			out.rules = append(out.rules, g.Rules...)
		}
	}
	return out
}

// TestAlertingProvisioningFiles checks what Grafana's provisioning requires and what keeps the templates
// usable: unique uids, conditions and expressions that reference existing queries, known states,
// parseable durations, notification routing to existing contact points.
func TestAlertingProvisioningFiles(t *testing.T) {
	al := loadAlerting(t)
	boards := map[string]dashboardJSON{}
	for _, b := range loadDashboards(t) {
		boards[b.dash.UID] = b.dash
	}
	var prov provisionedDatasources
	readYAML(t, "provisioning/datasources/sapcpi.yaml", &prov)
	provisioned := map[string]string{}
	for _, d := range prov.Datasources {
		provisioned[d.UID] = d.Type
	}

	uids := map[string]bool{}
	contactPoints := map[string]bool{"grafana-default-email": true} // Grafana creates this one
	for name, f := range al.files {
		if f.APIVersion != 1 {
			t.Errorf("%s: apiVersion %d, want 1", name, f.APIVersion)
		}
		for _, cp := range f.ContactPoints {
			contactPoints[cp.Name] = true
			if len(cp.Receivers) == 0 {
				t.Errorf("%s: contact point %q has no receiver", name, cp.Name)
			}
			for _, r := range cp.Receivers {
				if r.UID == "" || r.Type == "" || len(r.Settings) == 0 {
					t.Errorf("%s: contact point %q: receivers need uid, type and settings: %+v", name, cp.Name, r)
				}
			}
		}
		for _, g := range f.Groups {
			if g.Name == "" || g.Folder == "" {
				t.Errorf("%s: rule groups need a name and a folder: %+v", name, g.Name)
			}
			if d, err := promDuration(g.Interval); err != nil || d < 10*time.Second {
				t.Errorf("%s: group %q interval %q (%v)", name, g.Name, g.Interval, err)
			}
			if len(g.Rules) == 0 {
				t.Errorf("%s: group %q has no rule", name, g.Name)
			}
		}
	}
	if len(al.rules) == 0 {
		t.Fatal("no alert rules provisioned")
	}
	uidRE := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)
	for _, r := range al.rules {
		t.Run(r.UID, func(t *testing.T) {
			if !uidRE.MatchString(r.UID) || uids[r.UID] {
				t.Errorf("uid %q must be unique, at most 40 letters, digits, - or _", r.UID)
			}
			uids[r.UID] = true
			// Grafana expands $NAME / ${NAME} from the environment in these values.
			for what, v := range map[string]string{"title": r.Title, "condition": r.Condition, "for": r.For} {
				if strings.Contains(v, "$") {
					t.Errorf("%s %q contains $, which provisioning would expand as an environment variable", what, v)
				}
			}
			for k, v := range r.Labels {
				if strings.Contains(k+v, "$") {
					t.Errorf("label %s=%s contains $", k, v)
				}
			}
			for k, v := range r.Annotations {
				if strings.Contains(v, "${") {
					t.Errorf("annotation %s uses ${…}, which provisioning expands as an environment variable: %s", k, v)
				}
			}
			if r.Title == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("every rule needs a title and summary and description annotations")
			}
			if r.Labels["product"] != "sap-cpi" || !slices.Contains([]string{"warning", "critical"}, r.Labels["severity"]) {
				t.Errorf("labels %v: product=sap-cpi routes the alert (sapcpi-notifications.yaml), severity warning|critical", r.Labels)
			}
			if !slices.Contains([]string{"", "NoData", "Alerting", "OK", "KeepLast"}, r.NoDataState) {
				t.Errorf("noDataState %q", r.NoDataState)
			}
			if !slices.Contains([]string{"", "Error", "Alerting", "OK", "KeepLast"}, r.ExecErrState) {
				t.Errorf("execErrState %q", r.ExecErrState)
			}
			if r.For != "" {
				if _, err := promDuration(r.For); err != nil {
					t.Errorf("for %q: %v", r.For, err)
				}
			}
			if r.DashboardUID != "" {
				d, ok := boards[r.DashboardUID]
				found := false
				for _, p := range d.allPanels() {
					found = found || p.ID == r.PanelID
				}
				if !ok || !found {
					t.Errorf("dashboardUid %q panelId %d: no such bundled dashboard panel", r.DashboardUID, r.PanelID)
				}
			}

			refs := map[string]alertQuery{}
			for _, q := range r.Data {
				if _, dup := refs[q.RefID]; dup || q.RefID == "" {
					t.Errorf("refId %q is empty or used twice", q.RefID)
				}
				refs[q.RefID] = q
				if q.Model["refId"] != q.RefID {
					t.Errorf("%s: model.refId %v differs", q.RefID, q.Model["refId"])
				}
			}
			if _, ok := refs[r.Condition]; !ok {
				t.Errorf("condition %q is not one of the rule's refIds", r.Condition)
			}
			queries := 0
			for _, q := range r.Data {
				if isExpression(q.DatasourceUID) {
					typ, _ := q.Model["type"].(string)
					expr, _ := q.Model["expression"].(string)
					switch typ {
					case "reduce", "threshold", "resample":
						if _, ok := refs[expr]; !ok || expr == q.RefID {
							t.Errorf("%s: %s of %q, which is not another refId", q.RefID, typ, expr)
						}
					case "math":
						for _, m := range regexp.MustCompile(`\$\{?(\w+)\}?`).FindAllStringSubmatch(expr, -1) {
							if _, ok := refs[m[1]]; !ok || m[1] == q.RefID {
								t.Errorf("%s: math refers to $%s, which is not another refId", q.RefID, m[1])
							}
						}
					default:
						t.Errorf("%s: expression type %q is not one the checks evaluate (reduce, math, threshold)", q.RefID, typ)
					}
					continue
				}
				queries++
				if provisioned[q.DatasourceUID] != pluginID {
					t.Errorf("%s: datasourceUid %q is not a provisioned %s data source", q.RefID, q.DatasourceUID, pluginID)
				}
				if q.RelativeTimeRange.From <= q.RelativeTimeRange.To {
					t.Errorf("%s: relativeTimeRange %+v is empty", q.RefID, q.RelativeTimeRange)
				}
				if s, _ := q.Model["queryType"].(string); s == "" {
					t.Errorf("%s: model has no queryType", q.RefID)
				}
				if f, _ := q.Model["format"].(string); f != "numeric" && f != "timeseries" {
					t.Errorf("%s: format %q; alert rules need numeric or timeseries frames", q.RefID, f)
				}
			}
			if queries == 0 {
				t.Errorf("the rule queries no data source")
			}
		})
	}

	// Notification policies may only route to contact points that exist.
	var receivers func(route map[string]any)
	receivers = func(route map[string]any) {
		if r, _ := route["receiver"].(string); r != "" && !contactPoints[r] {
			t.Errorf("notification policy routes to %q, which is no contact point", r)
		}
		if routes, ok := route["routes"].([]any); ok {
			for _, sub := range routes {
				if m, ok := sub.(map[string]any); ok {
					receivers(m)
				}
			}
		}
	}
	for _, f := range al.files {
		for _, p := range f.Policies {
			receivers(p)
		}
	}
}

// TestAlertRuleQueryOptionsExist: the options of every rule query are those of its query type (as for the
// dashboards), and no rule uses a template variable (alert rules have none).
func TestAlertRuleQueryOptionsExist(t *testing.T) {
	models := goQueryModels(t)
	for _, r := range loadAlerting(t).rules {
		for _, q := range r.Data {
			if isExpression(q.DatasourceUID) {
				continue
			}
			qt, _ := q.Model["queryType"].(string)
			known, ok := models[qt]
			if !ok {
				t.Errorf("%s/%s: query type %q has no Go model", r.UID, q.RefID, qt)
				continue
			}
			for k, v := range q.Model {
				if commonQueryKeys[k] || k == "intervalMs" || k == "maxDataPoints" {
					continue
				}
				if !known[k] {
					t.Errorf("%s/%s: %s has no option %q", r.UID, q.RefID, qt, k)
				}
				if holdsVariable(v) {
					t.Errorf("%s/%s: option %q holds a template variable; alert rules have none", r.UID, q.RefID, k)
				}
			}
		}
	}
}

// TestAlertRulesRunThroughPlugin evaluates every provisioned rule against the simulated tenant.
func TestAlertRulesRunThroughPlugin(t *testing.T) {
	rules := loadAlerting(t).rules
	env := newBoardEnv(t)
	direct := env.tn.direct(t, env.ds.JSONData["clientId"].(string), env.ds.Secure["clientSecret"])
	for _, r := range rules {
		t.Run(r.UID, func(t *testing.T) {
			start := time.Now()
			now := time.Now()
			firing, results := runRule(t, env, r, now, 0)
			t.Logf("%d series, %d firing in %s", len(results[r.Data[0].RefID]), len(firing), time.Since(start).Round(time.Millisecond))
			if verify, ok := ruleVerifiers[r.UID]; ok {
				verify(t, ruleCheck{env: env, direct: direct, rule: r, now: now, firing: firing})
			}
		})
	}
}

// runRule evaluates a rule at now: its data source queries in one request with the FromAlert header, each
// with its relative time range (or, when window > 0, the last window seconds instead), then its expressions.
func runRule(t *testing.T, env *boardEnv, r alertRule, now time.Time, window int64) ([]data.Labels, map[string][]sseItem) {
	t.Helper()
	results := map[string][]sseItem{}
	var qs []boardQuery
	for _, q := range r.Data {
		if isExpression(q.DatasourceUID) {
			continue
		}
		iv := 1000.0 // Grafana's default for alert queries
		if v, ok := q.Model["intervalMs"].(int); ok {
			iv = float64(v)
		}
		from, to := q.RelativeTimeRange.From, q.RelativeTimeRange.To
		if window > 0 {
			from, to = window, 0
		}
		qs = append(qs, boardQuery{
			model:         q.Model,
			from:          now.Add(-time.Duration(from) * time.Second),
			to:            now.Add(-time.Duration(to) * time.Second),
			interval:      time.Duration(iv) * time.Millisecond,
			maxDataPoints: 43200,
		})
	}
	// Grafana's alerting sends a rule's queries of one data source in one request, marked FromAlert.
	res := env.h.queryDataWindows(t, env.ds, map[string]string{"FromAlert": "true"}, qs...)
	for _, q := range qs {
		refID := q.model["refId"].(string)
		resp := res.Responses[refID]
		if resp == nil || resp.Error != "" {
			t.Fatalf("%s (%s): %v", refID, q.model["queryType"], resp)
		}
		items := alertSeries(t, refID, decodeFrames(t, refID, resp))
		if len(items) == 0 && q.model["queryType"] != "errorGroups" {
			// errorGroups has series only when messages failed in the window; the others are zero-filled
			// or describe what exists (artifacts, certificates, the broker).
			t.Errorf("%s (%s) returned no series on the simulated tenant", refID, q.model["queryType"])
		}
		results[refID] = items
	}
	firing, err := evaluateRule(r, results)
	if err != nil {
		t.Fatal(err)
	}
	return firing, results
}

// ---------------------------------------------------------------------------------------------------------
// What each rule must flag, asked directly from the simulated tenant (not through the plugin).

type ruleCheck struct {
	env    *boardEnv
	direct *direct
	rule   alertRule
	now    time.Time
	firing []data.Labels
}

func (c ruleCheck) firingValues(label string) []string {
	var out []string
	for _, l := range c.firing {
		out = append(out, l[label])
	}
	sort.Strings(out)
	return out
}

func (c ruleCheck) query(refID string) alertQuery {
	for _, q := range c.rule.Data {
		if q.RefID == refID {
			return q
		}
	}
	panic("no query " + refID)
}

var ruleVerifiers = map[string]func(t *testing.T, c ruleCheck){
	"sapcpi-artifact-not-started": func(t *testing.T, c ruleCheck) {
		var want []string
		for _, a := range c.direct.artifacts(t) {
			if a.Status != "STARTED" {
				want = append(want, a.ID)
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			t.Fatal("the simulated tenant has no artifact outside STARTED; the check proves nothing")
		}
		if got := c.firingValues("artifact"); !slices.Equal(got, want) {
			t.Errorf("firing for %v, the tenant has these artifacts not STARTED: %v", got, want)
		}
	},
	"sapcpi-certificate-expiring": func(t *testing.T, c ruleCheck) { verifyCertificates(t, c, 30) },
	"sapcpi-certificate-critical": func(t *testing.T, c ruleCheck) { verifyCertificates(t, c, 7) },
	"sapcpi-failed-messages": func(t *testing.T, c ruleCheck) {
		q := c.query("A")
		verifyFailedIFlows(t, c, c.firing, c.now.Add(-time.Duration(q.RelativeTimeRange.From)*time.Second))
		// Five minutes of the simulated traffic often hold no failure; over an hour some iFlows certainly
		// fail, so the same rule is also evaluated over the last hour.
		firing, _ := runRule(t, c.env, c.rule, c.now, 3600)
		if len(firing) == 0 {
			t.Fatal("over the last hour the rule fires for no iFlow; the simulated tenant fails messages every hour")
		}
		verifyFailedIFlows(t, c, firing, c.now.Add(-time.Hour))
	},
	"sapcpi-stuck-messages": func(t *testing.T, c ruleCheck) {
		got := c.firingValues("iflow")
		if len(got) == 0 {
			t.Fatal("no stuck messages found, although the simulated tenant leaves messages in PROCESSING and RETRY")
		}
		q := c.query("A")
		from := c.now.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second)
		stuck := c.direct.iflowsInStatus(t, []string{"PROCESSING", "RETRY"}, from.Add(-time.Hour), c.now.Add(-59*time.Minute))
		for _, id := range got {
			if !stuck[id] {
				t.Errorf("the rule fires for %s, which has no message in PROCESSING or RETRY for an hour", id)
			}
		}
	},
	"sapcpi-no-traffic": func(t *testing.T, c ruleCheck) {
		for _, id := range c.firingValues("iflow") {
			if n := c.direct.iflowMessageCount(t, id, c.now.Add(-59*time.Minute), c.now); n > 0 {
				t.Errorf("the rule fires for %s, which had %d messages in the last hour", id, n)
			}
			if n := c.direct.iflowMessageCount(t, id, c.now.Add(-24*time.Hour), c.now.Add(-time.Hour)); n == 0 {
				t.Errorf("the rule fires for %s, which had no traffic in the baseline either", id)
			}
		}
	},
	"sapcpi-error-groups": func(t *testing.T, c ruleCheck) {
		firing, _ := runRule(t, c.env, c.rule, c.now, 3600)
		if len(firing) == 0 {
			t.Fatal("over the last hour the rule fires for no error group; the simulated tenant fails messages every hour")
		}
		for _, l := range append(firing, c.firing...) {
			if l["signature"] == "" {
				t.Errorf("error group alert without the signature label its annotation names: %v", l)
			}
		}
	},
	"sapcpi-jms-queue-state": func(t *testing.T, c ruleCheck) {
		var want []string
		for name, state := range c.direct.jmsQueueStateCodes(t) {
			if state > 0 {
				want = append(want, name)
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			t.Fatal("no JMS queue of the simulated tenant is near capacity; the check proves nothing")
		}
		if got := c.firingValues("queue"); !slices.Equal(got, want) {
			t.Errorf("firing for queues %v, the broker reports these not OK: %v", got, want)
		}
	},
}

// verifyFailedIFlows: messages near the window's edges may be counted on either side (LogStart vs LogEnd,
// clocks), so the rule must fire for every iFlow with failures well inside the window and for none without
// failures in a slightly wider one.
func verifyFailedIFlows(t *testing.T, c ruleCheck, firing []data.Labels, from time.Time) {
	t.Helper()
	inner := c.direct.iflowsFailed(t, from.Add(time.Minute), c.now.Add(-time.Minute))
	outer := c.direct.iflowsFailed(t, from.Add(-4*time.Minute), c.now.Add(time.Minute))
	var got []string
	for _, l := range firing {
		got = append(got, l["iflow"])
	}
	for id := range inner {
		if !slices.Contains(got, id) {
			t.Errorf("%s had failed messages since %s, the rule does not fire for it (firing: %v)", id, from.Format(time.TimeOnly), got)
		}
	}
	for _, id := range got {
		if !outer[id] {
			t.Errorf("the rule fires for %s, which had no failed message around the window", id)
		}
	}
}

// verifyCertificates: the rule fires for every system keystore entry valid for less than `days` days and
// for no other; entries within a day of the threshold are skipped (rounding is the plugin's choice).
func verifyCertificates(t *testing.T, c ruleCheck, days float64) {
	t.Helper()
	entries := c.direct.keystoreValidity(t, "system")
	got := c.firingValues("alias")
	checked := 0
	for alias, validTo := range entries {
		left := validTo.Sub(c.now).Hours() / 24
		if math.Abs(left-days) < 1 {
			continue
		}
		checked++
		if fires := slices.Contains(got, alias); fires != (left < days) {
			t.Errorf("certificate %s expires in %.1f days: firing=%v, want %v (threshold %v days)", alias, left, fires, left < days, days)
		}
	}
	if checked == 0 || len(got) == 0 {
		t.Errorf("%d entries checked, %d firing: the simulated keystore should have entries on both sides of %v days", checked, len(got), days)
	}
}

// ---------------------------------------------------------------------------------------------------------
// Direct questions to the simulated tenant.

func directDateTime(t time.Time) string {
	return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'"
}

func directEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// mplEntries lists message logs matching filter (all pages) and returns the raw entries.
func (d *direct) mplEntries(t *testing.T, filter string) []map[string]any {
	t.Helper()
	var out []map[string]any
	path := "MessageProcessingLogs?$filter=" + directEscape(filter) + "&$select=MessageGuid,Status,LogStart,LogEnd,IntegrationArtifact&$top=100000"
	for path != "" {
		var env struct {
			D struct {
				Results []map[string]any `json:"results"`
				Next    string           `json:"__next"`
			} `json:"d"`
		}
		body := d.get(t, path)
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("MessageProcessingLogs: %v: %.200s", err, body)
		}
		out = append(out, env.D.Results...)
		path = ""
		if next := env.D.Next; next != "" {
			_, rest, _ := strings.Cut(next, "MessageProcessingLogs")
			path = "MessageProcessingLogs" + rest
		}
	}
	return out
}

func mplIFlow(e map[string]any) string {
	ia, _ := e["IntegrationArtifact"].(map[string]any)
	id, _ := ia["Id"].(string)
	return id
}

// iflowsFailed are the iFlows with FAILED messages that ended in [from, to].
func (d *direct) iflowsFailed(t *testing.T, from, to time.Time) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, e := range d.mplEntries(t, fmt.Sprintf("Status eq 'FAILED' and LogEnd ge %s and LogEnd le %s", directDateTime(from), directDateTime(to))) {
		out[mplIFlow(e)] = true
	}
	return out
}

// iflowsInStatus are the iFlows with messages in one of statuses that started in [from, to].
func (d *direct) iflowsInStatus(t *testing.T, statuses []string, from, to time.Time) map[string]bool {
	t.Helper()
	var or []string
	for _, s := range statuses {
		or = append(or, "Status eq '"+s+"'")
	}
	out := map[string]bool{}
	filter := fmt.Sprintf("(%s) and LogStart ge %s and LogStart le %s", strings.Join(or, " or "), directDateTime(from), directDateTime(to))
	for _, e := range d.mplEntries(t, filter) {
		out[mplIFlow(e)] = true
	}
	return out
}

// iflowMessageCount is $count of an iFlow's messages that ended in [from, to].
func (d *direct) iflowMessageCount(t *testing.T, iflow string, from, to time.Time) int {
	t.Helper()
	filter := fmt.Sprintf("IntegrationArtifact/Id eq '%s' and LogEnd ge %s and LogEnd le %s", strings.ReplaceAll(iflow, "'", "''"), directDateTime(from), directDateTime(to))
	body := d.get(t, "MessageProcessingLogs/$count?$filter="+directEscape(filter))
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("$count answered %q", body)
	}
	return n
}

// stuckCount is $count of the messages that started in [from, to) and are in PROCESSING or RETRY.
func (d *direct) stuckCount(t *testing.T, from, to time.Time) int {
	t.Helper()
	filter := fmt.Sprintf("(Status eq 'PROCESSING' or Status eq 'RETRY') and LogStart ge %s and LogStart lt %s", directDateTime(from), directDateTime(to))
	body := d.get(t, "MessageProcessingLogs/$count?$filter="+directEscape(filter))
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("$count answered %q", body)
	}
	return n
}

// jmsQueueStateCodes maps queue name → State (0 OK, 1 warning, 2 critical) of the broker Broker1.
func (d *direct) jmsQueueStateCodes(t *testing.T) map[string]int {
	t.Helper()
	body := d.get(t, "JmsBrokers('Broker1')?$expand=QueueStates")
	var env struct {
		D struct {
			QueueStates struct {
				Results []struct {
					Name  string          `json:"Name"`
					State json.RawMessage `json:"State"` // Edm.Int32, as a number or (as the tenant sends it) a string
				} `json:"results"`
			} `json:"QueueStates"`
		} `json:"d"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("JmsBrokers: %v: %.300s", err, body)
	}
	out := map[string]int{}
	for _, q := range env.D.QueueStates.Results {
		n, err := strconv.Atoi(strings.Trim(string(q.State), `"`))
		if err != nil {
			t.Fatalf("queue %s: State %s is not a number", q.Name, q.State)
		}
		out[q.Name] = n
	}
	if len(out) == 0 {
		t.Fatalf("JmsBrokers('Broker1') lists no queue states: %.300s", body)
	}
	return out
}

// keystoreValidity maps alias → ValidNotAfter of the certificates in a keystore.
func (d *direct) keystoreValidity(t *testing.T, keystore string) map[string]time.Time {
	t.Helper()
	body := d.get(t, "KeystoreEntries?keystoreName="+keystore)
	var env struct {
		D struct {
			Results []struct {
				Alias         string `json:"Alias"`
				Type          string `json:"Type"`
				ValidNotAfter string `json:"ValidNotAfter"`
			} `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("KeystoreEntries: %v: %.200s", err, body)
	}
	out := map[string]time.Time{}
	for _, e := range env.D.Results {
		ms, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(e.ValidNotAfter, "/Date("), ")/"), 10, 64)
		if err != nil || e.ValidNotAfter == "" {
			continue // not a certificate (e.g. an SSH key without validity)
		}
		out[e.Alias] = time.UnixMilli(ms)
	}
	return out
}

// ---------------------------------------------------------------------------------------------------------
// A small model of Grafana's server-side expressions (pkg/expr): enough to evaluate the provisioned rules.

// sseItem is one series (values) or one number (values of length 1 with number set) with its labels.
type sseItem struct {
	labels data.Labels
	values []float64
	number bool
}

// alertSeries converts a data source answer as Grafana's alerting does, and fails on frames it would
// refuse: each frame numeric (one numeric field) or a time series (one time field and one numeric field),
// labels unique across frames and carrying the tenant.
func alertSeries(t *testing.T, refID string, frames data.Frames) []sseItem {
	t.Helper()
	var out []sseItem
	seen := map[string]bool{}
	for _, f := range frames {
		if len(f.Fields) == 0 {
			continue // an empty frame is how a backend says "no data"
		}
		var times, nums []*data.Field
		for _, fld := range f.Fields {
			switch {
			case fld.Type().Time():
				times = append(times, fld)
			case numeric(fld):
				nums = append(nums, fld)
			default:
				t.Errorf("%s: frame %q has a %s field %q; alerting accepts only numbers (and one time field)", refID, f.Name, fld.Type(), fld.Name)
			}
		}
		if len(nums) != 1 || len(times) > 1 {
			t.Errorf("%s: frame %q has %d numeric and %d time fields; want exactly one number (and at most one time)", refID, f.Name, len(nums), len(times))
			continue
		}
		if f.Meta == nil || (f.Meta.Type != data.FrameTypeNumericMulti && f.Meta.Type != data.FrameTypeTimeSeriesMulti) {
			t.Errorf("%s: frame %q meta type %v; want numeric-multi or timeseries-multi", refID, f.Name, f.Meta)
		}
		labels := nums[0].Labels
		if labels[alertTenantLabel] == "" {
			t.Errorf("%s: series %v has no %s label", refID, labels, alertTenantLabel)
		}
		key := labels.String()
		if seen[key] {
			t.Errorf("%s: two series share the labels %s; Grafana refuses duplicate label sets", refID, key)
		}
		seen[key] = true
		item := sseItem{labels: labels, number: len(times) == 0}
		for i := 0; i < nums[0].Len(); i++ {
			v, ok := nums[0].ConcreteAt(i)
			if !ok {
				item.values = append(item.values, math.NaN())
				continue
			}
			item.values = append(item.values, sseFloat(v))
		}
		if item.number && len(item.values) != 1 {
			t.Errorf("%s: numeric frame %q has %d rows, want 1", refID, f.Name, len(item.values))
		}
		out = append(out, item)
	}
	return out
}

const alertTenantLabel = "tenant"

func sseFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	}
	return math.NaN()
}

// evaluateRule runs the rule's expressions in refId dependency order and returns the label sets of the
// condition's series that are non-zero (firing).
func evaluateRule(r alertRule, results map[string][]sseItem) ([]data.Labels, error) {
	pending := map[string]alertQuery{}
	for _, q := range r.Data {
		if isExpression(q.DatasourceUID) {
			pending[q.RefID] = q
		}
	}
	for len(pending) > 0 {
		progressed := false
		for ref, q := range pending {
			deps := expressionDeps(q.Model)
			ready := true
			for _, d := range deps {
				if _, ok := results[d]; !ok {
					ready = false
				}
			}
			if !ready {
				continue
			}
			out, err := evalExpression(q.Model, results)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ref, err)
			}
			results[ref] = out
			delete(pending, ref)
			progressed = true
		}
		if !progressed {
			return nil, fmt.Errorf("expressions %v depend on each other or on missing refIds", dashSortedKeys(pending))
		}
	}
	var firing []data.Labels
	for _, it := range results[r.Condition] {
		if len(it.values) == 0 {
			continue
		}
		if v := it.values[len(it.values)-1]; v != 0 && !math.IsNaN(v) {
			firing = append(firing, it.labels)
		}
	}
	return firing, nil
}

func expressionDeps(m map[string]any) []string {
	expr, _ := m["expression"].(string)
	if m["type"] == "math" {
		var out []string
		for _, s := range regexp.MustCompile(`\$\{?(\w+)\}?`).FindAllStringSubmatch(expr, -1) {
			out = append(out, s[1])
		}
		return out
	}
	return []string{expr}
}

func evalExpression(m map[string]any, results map[string][]sseItem) ([]sseItem, error) {
	expr, _ := m["expression"].(string)
	switch m["type"] {
	case "reduce":
		reducer, _ := m["reducer"].(string)
		var out []sseItem
		for _, it := range results[expr] {
			v, err := reduceValues(reducer, it.values)
			if err != nil {
				return nil, err
			}
			out = append(out, sseItem{labels: it.labels, values: []float64{v}, number: true})
		}
		return out, nil
	case "threshold":
		conds, _ := m["conditions"].([]any)
		if len(conds) != 1 {
			return nil, fmt.Errorf("threshold wants one condition, has %d", len(conds))
		}
		ev, _ := conds[0].(map[string]any)["evaluator"].(map[string]any)
		typ, _ := ev["type"].(string)
		var params []float64
		for _, p := range ev["params"].([]any) {
			params = append(params, sseFloat(p))
		}
		var out []sseItem
		for _, it := range results[expr] {
			vals := make([]float64, len(it.values))
			for i, v := range it.values {
				ok, err := thresholdHolds(typ, params, v)
				if err != nil {
					return nil, err
				}
				if ok {
					vals[i] = 1
				}
			}
			out = append(out, sseItem{labels: it.labels, values: vals, number: it.number})
		}
		return out, nil
	case "math":
		p := &mathParser{toks: tokenizeMath(expr), results: results}
		out, err := p.parse(0)
		if err != nil {
			return nil, fmt.Errorf("math %q: %w", expr, err)
		}
		if p.pos != len(p.toks) {
			return nil, fmt.Errorf("math %q: unexpected %q", expr, p.toks[p.pos])
		}
		return out, nil
	}
	return nil, fmt.Errorf("expression type %v", m["type"])
}

func reduceValues(reducer string, values []float64) (float64, error) {
	var vs []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			vs = append(vs, v) // mode dropNN
		}
	}
	if len(vs) == 0 {
		return math.NaN(), nil
	}
	switch reducer {
	case "last":
		return vs[len(vs)-1], nil
	case "sum", "mean":
		s := 0.0
		for _, v := range vs {
			s += v
		}
		if reducer == "mean" {
			return s / float64(len(vs)), nil
		}
		return s, nil
	case "max":
		return slices.Max(vs), nil
	case "min":
		return slices.Min(vs), nil
	case "count":
		return float64(len(vs)), nil
	}
	return 0, fmt.Errorf("reducer %q", reducer)
}

func thresholdHolds(typ string, p []float64, v float64) (bool, error) {
	need := map[string]int{"gt": 1, "lt": 1, "gte": 1, "lte": 1, "eq": 1, "ne": 1, "within_range": 2, "outside_range": 2,
		"within_range_included": 2, "outside_range_included": 2}[typ]
	if need == 0 || len(p) < need {
		return false, fmt.Errorf("threshold %q with params %v", typ, p)
	}
	if math.IsNaN(v) {
		return false, nil
	}
	switch typ {
	case "gt":
		return v > p[0], nil
	case "lt":
		return v < p[0], nil
	case "gte":
		return v >= p[0], nil
	case "lte":
		return v <= p[0], nil
	case "eq":
		return v == p[0], nil
	case "ne":
		return v != p[0], nil
	case "within_range":
		return v > p[0] && v < p[1], nil
	case "outside_range":
		return v < p[0] || v > p[1], nil
	case "within_range_included":
		return v >= p[0] && v <= p[1], nil
	default: // outside_range_included
		return v <= p[0] || v >= p[1], nil
	}
}

// mathParser evaluates Grafana math expressions over numbers: $REF, constants, ( ), unary ! and -, and the
// binary operators * / + - < > <= >= == != && ||, joining series by equal labels or labels that are a
// subset of the other side's (Grafana's union rule).
type mathParser struct {
	toks    []string
	pos     int
	results map[string][]sseItem
}

var mathPrec = map[string]int{"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6}

func tokenizeMath(s string) []string {
	return regexp.MustCompile(`\$\{?\w+\}?|\d+(?:\.\d+)?|&&|\|\||==|!=|<=|>=|[-+*/<>!()]`).FindAllString(s, -1)
}

func (p *mathParser) parse(minPrec int) ([]sseItem, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.pos < len(p.toks) {
		op := p.toks[p.pos]
		prec, ok := mathPrec[op]
		if !ok || prec < minPrec {
			break
		}
		p.pos++
		right, err := p.parse(prec + 1)
		if err != nil {
			return nil, err
		}
		left = joinSeries(left, right, op)
	}
	return left, nil
}

func (p *mathParser) unary() ([]sseItem, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("unexpected end")
	}
	tok := p.toks[p.pos]
	p.pos++
	switch {
	case tok == "(":
		v, err := p.parse(0)
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos] != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return v, nil
	case tok == "!" || tok == "-":
		v, err := p.unary()
		if err != nil {
			return nil, err
		}
		zero := []sseItem{{values: []float64{0}, number: true}}
		if tok == "-" {
			return joinSeries(zero, v, "-"), nil
		}
		return joinSeries(v, zero, "=="), nil
	case strings.HasPrefix(tok, "$"):
		ref := strings.Trim(tok, "${}")
		v, ok := p.results[ref]
		if !ok {
			return nil, fmt.Errorf("unknown ref %s", ref)
		}
		return v, nil
	default:
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return nil, fmt.Errorf("unexpected %q", tok)
		}
		return []sseItem{{values: []float64{f}, number: true}}, nil
	}
}

func subsetOf(a, b data.Labels) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func joinSeries(a, b []sseItem, op string) []sseItem {
	var out []sseItem
	for _, x := range a {
		for _, y := range b {
			var labels data.Labels
			switch {
			case subsetOf(x.labels, y.labels):
				labels = y.labels
			case subsetOf(y.labels, x.labels):
				labels = x.labels
			default:
				continue
			}
			n := min(len(x.values), len(y.values))
			vals := make([]float64, n)
			for i := 0; i < n; i++ {
				vals[i] = applyOp(op, x.values[len(x.values)-n+i], y.values[len(y.values)-n+i])
			}
			out = append(out, sseItem{labels: labels, values: vals, number: x.number && y.number})
		}
	}
	return out
}

func applyOp(op string, a, b float64) float64 {
	bool2f := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		return a / b
	case "<":
		return bool2f(a < b)
	case ">":
		return bool2f(a > b)
	case "<=":
		return bool2f(a <= b)
	case ">=":
		return bool2f(a >= b)
	case "==":
		return bool2f(a == b)
	case "!=":
		return bool2f(a != b)
	case "&&":
		return bool2f(a != 0 && b != 0)
	default: // ||
		return bool2f(a != 0 || b != 0)
	}
}

// TestAlertMathModel keeps the expression model honest: the cases Grafana documents for math and
// threshold, evaluated by the model above.
func TestAlertMathModel(t *testing.T) {
	a := []sseItem{
		{labels: data.Labels{"iflow": "x", "tenant": "T"}, values: []float64{0}, number: true},
		{labels: data.Labels{"iflow": "y", "tenant": "T"}, values: []float64{3}, number: true},
	}
	b := []sseItem{
		{labels: data.Labels{"iflow": "x", "tenant": "T"}, values: []float64{5}, number: true},
		{labels: data.Labels{"iflow": "y", "tenant": "T"}, values: []float64{5}, number: true},
		{labels: data.Labels{"iflow": "z", "tenant": "T"}, values: []float64{0}, number: true},
	}
	res := map[string][]sseItem{"A": a, "B": b}
	got, err := evalExpression(map[string]any{"type": "math", "expression": "$A == 0 && $B > 0"}, res)
	if err != nil {
		t.Fatal(err)
	}
	fired := map[string]float64{}
	for _, it := range got {
		fired[it.labels["iflow"]] = it.values[0]
	}
	if len(got) != 2 || fired["x"] != 1 || fired["y"] != 0 {
		t.Fatalf("math join: %+v", got)
	}
	if v, _ := evalExpression(map[string]any{"type": "math", "expression": "-2 + 3 * 2 > 3 || !1"}, res); len(v) != 1 || v[0].values[0] != 1 {
		t.Fatalf("precedence: %+v", v)
	}
	if v, _ := evalExpression(map[string]any{"type": "math", "expression": "(1 + 1) * 2 == 4"}, res); len(v) != 1 || v[0].values[0] != 1 {
		t.Fatalf("parentheses: %+v", v)
	}
	if r, _ := reduceValues("last", []float64{1, math.NaN()}); r != 1 {
		t.Fatalf("dropNN last: %v", r)
	}
	for _, c := range []struct {
		typ  string
		p    []float64
		v    float64
		want bool
	}{{"gt", []float64{0}, 1, true}, {"gt", []float64{0}, 0, false}, {"lt", []float64{30}, -12, true}, {"lt", []float64{7}, 7, false},
		{"within_range", []float64{7, 30}, 20, true}, {"outside_range", []float64{7, 30}, 20, false}} {
		if got, err := thresholdHolds(c.typ, c.p, c.v); err != nil || got != c.want {
			t.Errorf("threshold %s %v on %v = %v (%v), want %v", c.typ, c.p, c.v, got, err, c.want)
		}
	}
}
