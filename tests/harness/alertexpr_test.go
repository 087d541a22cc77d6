package harness

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// A model of the alert expressions Grafana evaluates after the plugin answers (Reduce, Math, Threshold, classic
// conditions): enough to tell, from the plugin's frames, which instances of a provisioned rule fire.

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
