package calm

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// measureLabel names the measure of a series when a query has several (the series are otherwise told
// apart by their labels only, and alert rules need unique labels).
const measureLabel = "measure"

// measureOf finds which measure a series carries: its measure field, else the part of serieName after
// "<query name>-" (Cloud ALM names series "<name>-<measure>"), else the query's only measure.
func measureOf(refID string, q models.CalmMetricsQuery, s Series) string {
	if s.Measure != "" {
		return s.Measure
	}
	if rest, ok := strings.CutPrefix(s.Name, refID+"-"); ok && rest != "" {
		return rest
	}
	if len(q.Measures) == 1 {
		return q.Measures[0].Name
	}
	for _, m := range q.Measures {
		if strings.HasSuffix(s.Name, "-"+m.Name) {
			return m.Name
		}
	}
	if s.Name != "" {
		return s.Name
	}
	return "value"
}

// labelled is one series of an answer with the labels and field name its frame gets.
type labelled struct {
	key     string // sort key: Cloud ALM's order is not stable; a fixed order keeps panels and goldens steady
	measure string // the value field's name
	method  string // the aggregation method asked for the measure ("" = the provider's default)
	labels  data.Labels
	points  []Point
}

// label names each series: labelled with its attributes and the tenant, plus the measure when the query
// has several. Sorted by measure and labels.
func label(refID string, q models.CalmMetricsQuery, series []Series, tenant string) []labelled {
	// The same measure may be asked for with several methods (counter SUM and counter MAX). Cloud ALM
	// names series by measure only, so the n-th series of a measure and attribute set is taken to carry the
	// n-th method asked for it (the order of the request's metrics).
	methods := map[string][]string{}
	for _, m := range q.Measures {
		methods[m.Name] = append(methods[m.Name], m.Method)
	}
	seen := map[string]int{}
	var out []labelled
	for _, s := range series {
		measure := measureOf(refID, q, s)
		measureText := measure
		var method string
		if ms := methods[measure]; len(ms) == 1 {
			method = ms[0]
		} else if len(ms) > 1 {
			key := measure + "\x00" + attributesKey(s.Attributes)
			if i := seen[key]; i < len(ms) {
				method = ms[i]
				text := method
				if text == "" {
					text = "default"
				}
				measureText = measure + " " + text
			}
			seen[key]++
		}
		labels := data.Labels{}
		for _, a := range s.Attributes {
			key := a.Key
			if key == frames.TenantLabel || key == measureLabel {
				// Keep Cloud ALM's own value apart from ours.
				key = "calm_" + key
			}
			labels[key] = a.Value
		}
		if len(q.Measures) > 1 {
			labels[measureLabel] = measureText
		}
		labels[frames.TenantLabel] = tenant
		out = append(out, labelled{key: measure + "\x00" + labels.String(), measure: measure, method: method,
			labels: labels, points: s.Points})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// timeSeriesFrames builds one frame per series (data plane time series multi): a time field and one numeric
// field named after the measure, labelled as label says. meta (requests, notices) goes on the first
// frame. No series gives one empty frame, so the Query inspector still shows the request and alert rules
// see "no data".
func timeSeriesFrames(refID string, q models.CalmMetricsQuery, series []Series, tenant string, meta *data.FrameMeta) data.Frames {
	out := label(refID, q, series, tenant)
	result := make(data.Frames, 0, max(1, len(out)))
	for _, l := range out {
		times := make([]time.Time, len(l.points))
		values := make([]*float64, len(l.points))
		for i, p := range l.points {
			times[i], values[i] = p.Time, p.Value
		}
		f := data.NewFrame("",
			data.NewField("time", nil, times),
			data.NewField(l.measure, l.labels, values),
		)
		f.RefID = refID
		result = append(result, f)
	}
	if len(result) == 0 {
		measure := "value"
		if len(q.Measures) == 1 {
			measure = q.Measures[0].Name
		}
		f := data.NewFrame("", data.NewField("time", nil, []time.Time{}),
			data.NewField(measure, data.Labels{frames.TenantLabel: tenant}, []*float64{}))
		f.RefID = refID
		result = append(result, f)
	}
	for i, f := range result {
		m := &data.FrameMeta{}
		if i == 0 && meta != nil {
			cp := *meta
			m = &cp
		}
		m.Type = data.FrameTypeTimeSeriesMulti
		m.TypeVersion = data.FrameTypeVersion{0, 1}
		f.Meta = m
	}
	return result
}

// numericFrames builds one frame per series with one value (data plane numeric multi), for alert rules:
// the series' buckets over the range reduced by the measure's own method, so the number answers the
// question the measure asks of one bucket for the whole range: SUM and the provider's default (Count is
// a sum) add the buckets, MIN and MAX take the extreme, AVG the mean of the buckets, LAST the latest
// bucket with a value. Buckets without a value are skipped; a series without any has a null value.
func numericFrames(refID string, q models.CalmMetricsQuery, series []Series, tenant string, meta *data.FrameMeta) data.Frames {
	out := label(refID, q, series, tenant)
	numeric := make([]frames.Series, len(out))
	for i, l := range out {
		numeric[i] = frames.Series{Field: l.measure, Labels: l.labels, Values: []*float64{reduce(l.method, l.points)}}
	}
	var m *data.FrameMeta
	if meta != nil {
		cp := *meta
		m = &cp
	}
	result := frames.NumericFrames(tenant, data.FrameTypeNumericMulti, m, numeric)
	for _, f := range result {
		f.RefID = refID
	}
	return result
}

// reduce folds the points of a series by an aggregation method (see numericFrames).
func reduce(method string, points []Point) *float64 {
	var acc float64
	n := 0
	for _, p := range points {
		if p.Value == nil {
			continue
		}
		v := *p.Value
		switch {
		case n == 0:
			acc = v
		case method == "MIN":
			acc = min(acc, v)
		case method == "MAX":
			acc = max(acc, v)
		case method == "LAST":
			acc = v
		default: // SUM, AVG (divided below) and the provider's default
			acc += v
		}
		n++
	}
	if n == 0 {
		return nil
	}
	if method == "AVG" {
		acc /= float64(n)
	}
	return &acc
}

// tableFrame builds the frame of a table answer: Cloud ALM's columns in its order (time, string and
// number columns by their declared type) and the tenant column.
func tableFrame(refID string, t Table, tenant string, meta *data.FrameMeta) (*data.Frame, error) {
	f := data.NewFrame("")
	f.RefID = refID
	n := len(t.Rows)
	for c, col := range t.Columns {
		name := col.Text
		if name == frames.TenantLabel {
			name = "calm_" + name
		}
		switch strings.ToLower(col.Type) {
		case "time", "timestamp", "date":
			vals := make([]*time.Time, n)
			for r, row := range t.Rows {
				if scalarText(row[c]) == "" {
					continue
				}
				ts, err := timestamp(row[c])
				if err != nil {
					return nil, fmt.Errorf("column %q row %d: %w", col.Text, r+1, err)
				}
				vals[r] = &ts
			}
			f.Fields = append(f.Fields, data.NewField(name, nil, vals))
		case "number":
			vals := make([]*float64, n)
			for r, row := range t.Rows {
				v, err := number(row[c])
				if err != nil {
					return nil, fmt.Errorf("column %q row %d: %w", col.Text, r+1, err)
				}
				vals[r] = v
			}
			f.Fields = append(f.Fields, data.NewField(name, nil, vals))
		default:
			vals := make([]string, n)
			for r, row := range t.Rows {
				vals[r] = scalarText(row[c])
			}
			f.Fields = append(f.Fields, data.NewField(name, nil, vals))
		}
	}
	f.Fields = append(f.Fields, frames.TenantColumn(tenant, n))
	if meta != nil {
		cp := *meta
		f.Meta = &cp
	}
	return f, nil
}

func attributesKey(attrs []Attribute) string {
	var b strings.Builder
	for _, a := range attrs {
		b.WriteString(a.Key + "\x00" + a.Value + "\x00")
	}
	return b.String()
}
