package plugin

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Checks every query passes before its handler runs, whatever its family: a reversed time range and a
// template variable nobody replaced are refused with a 400 that says so, instead of an answer about a
// range or a value nobody asked for.

// grafanaKeys are what Grafana itself puts into a query model; they are not options.
var grafanaKeys = []string{"refId", "queryType", "datasource", "datasourceId", "hide", "key", "intervalMs", "maxDataPoints",
	"interval", "timeRange", "queryCaching", "legendFormat", "editorMode"}

// unreplacedVar is a value that is a template variable ($name, ${name…}, [[name]]) or holds a ${…} or
// [[…]] one: the frontend replaces them, so one that arrives here comes from an alert rule or a recorded
// query (no dashboard variables there) or names a variable that does not exist. A "$" inside a value
// ("Orders$endpointAddress=x") is text.
var unreplacedVar = regexp.MustCompile(`^\$\w+$|\$\{[^}]*\}|\[\[[^\]]*\]\]`)

func checkQuery(q backend.DataQuery) error {
	if q.TimeRange.To.Before(q.TimeRange.From) {
		return fmt.Errorf("the time range ends (%s) before it starts (%s): choose a range whose start is before its end",
			q.TimeRange.To.UTC().Format("2006-01-02 15:04:05 UTC"), q.TimeRange.From.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	var model map[string]any
	if len(q.JSON) == 0 || json.Unmarshal(q.JSON, &model) != nil {
		return nil // the handler reports a model that is not JSON
	}
	keys := make([]string, 0, len(model))
	for k := range model {
		if !slices.Contains(grafanaKeys, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := findVar(model[k]); ok {
			return fmt.Errorf("option %s contains %s, a template variable that was not replaced: alert rules and queries outside a dashboard have no dashboard variables, so give the value itself", k, v)
		}
	}
	return nil
}

// findVar looks for an unreplaced variable in a value, its list elements and object members.
func findVar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if m := unreplacedVar.FindString(strings.TrimSpace(x)); m != "" {
			return m, true
		}
	case []any:
		for _, e := range x {
			if m, ok := findVar(e); ok {
				return m, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if m, ok := findVar(x[k]); ok {
				return m, true
			}
		}
	}
	return "", false
}
