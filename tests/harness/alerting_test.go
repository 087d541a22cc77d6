package harness

// The alert rule templates (provisioning/alerting/) checked as Grafana would use them: the files parse into
// Grafana's provisioning model, every data source query runs through the real plugin binary with the
// FromAlert header and the rule's relative time range, returns what Grafana's server-side expressions accept
// (numeric or time-series frames, one numeric field each, unique label sets with the tenant), and the
// rule's expressions, evaluated here the way Grafana evaluates reduce, math and threshold, fire for exactly
// what the simulated tenant says is wrong (an artifact in ERROR, certificates about to expire, stuck
// messages, …).

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

const alertingDir = "provisioning/alerting"

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

// failureWindow (seconds) is a window that holds failed messages at any hour of any day: the simulated
// traffic has whole hours without a failure at night and on weekends, never six.
const failureWindow = 6 * 3600

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
		// Five minutes of the simulated traffic often hold no failure, and in quiet hours (nights, weekends)
		// neither does a whole hour; every six hours hold failures, so the rule is also evaluated over those.
		firing, _ := runRule(t, c.env, c.rule, c.now, failureWindow)
		if len(firing) == 0 {
			t.Fatal("over the last six hours the rule fires for no iFlow; the simulated tenant fails messages every six hours")
		}
		verifyFailedIFlows(t, c, firing, c.now.Add(-failureWindow*time.Second))
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
		firing, _ := runRule(t, c.env, c.rule, c.now, failureWindow)
		if len(firing) == 0 {
			t.Fatal("over the last six hours the rule fires for no error group; the simulated tenant fails messages every six hours")
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
