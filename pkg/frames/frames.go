// Package frames holds what every query type's frames share: the tenant label and the request log shown
// in the Query inspector.
package frames

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// TenantLabel is the label every numeric series carries, and the column every table carries, so that
// several tenants can share one panel or alert rule.
const TenantLabel = "tenant"

// Meta builds frame meta: the OData requests made (Query inspector) and any notices.
func Meta(requests []string, notices ...data.Notice) *data.FrameMeta {
	return &data.FrameMeta{
		ExecutedQueryString: strings.Join(requests, "\n"),
		Notices:             notices,
		Stats: []data.QueryStat{{
			FieldConfig: data.FieldConfig{DisplayName: "OData requests"},
			Value:       float64(len(requests)),
		}},
	}
}

// TenantColumn returns a string field repeating the tenant label for n rows.
func TenantColumn(tenant string, n int) *data.Field {
	values := make([]string, n)
	for i := range values {
		values[i] = tenant
	}
	return data.NewField(TenantLabel, nil, values)
}

// Table finishes a table frame: the fields, the tenant column for as many rows as the first field holds,
// meta (requests, notices) and the table type shown as a table.
func Table(name, tenant string, meta *data.FrameMeta, fields ...*data.Field) *data.Frame {
	n := 0
	if len(fields) > 0 {
		n = fields[0].Len()
	}
	f := data.NewFrame(name, append(fields, TenantColumn(tenant, n))...)
	if meta == nil {
		meta = &data.FrameMeta{}
	}
	meta.Type = data.FrameTypeTable
	meta.PreferredVisualization = data.VisTypeTable
	f.Meta = meta
	return f
}

// LogLine is one line of a log-lines frame.
type LogLine struct {
	Time     time.Time
	Body     string
	Severity string // info, warning, error, critical, debug
	ID       string // Grafana deduplicates lines by id: it must be unique within the frame
	Labels   map[string]string
	// Link is where SAP shows the line's record (e.g. a message's AlternateWebLink in the monitor); kept only
	// when odata.WebLink accepts it.
	Link string
}

// LinkField is the name of the field that holds each line's link; the data link on the id field reads it.
const LinkField = "link"

// lineLinks is the data link of a logs frame whose lines have links: shown in the log details of a line.
func lineLinks() *data.FieldConfig {
	return &data.FieldConfig{Links: []data.DataLink{{Title: "Open in Cloud Integration",
		URL: `${__data.fields["` + LinkField + `"]}`, TargetBlank: true}}}
}

// LogsFrame builds a data plane "log-lines" frame (timestamp, body, severity, id, labels) for Explore's logs
// view, with the tenant label on every line. idConfig (e.g. data links) goes on the id field; extra fields
// are appended after the contract's fields. When a line has a link (odata.WebLink), a "link" field follows and,
// unless idConfig says otherwise, a data link on the id field opens it from the line's details.
func LogsFrame(name, tenant string, lines []LogLine, meta *data.FrameMeta, idConfig *data.FieldConfig, extra ...*data.Field) *data.Frame {
	n := len(lines)
	ts := make([]time.Time, n)
	bodies, severities, ids, links := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	labels := make([]json.RawMessage, n)
	linked := false
	for i, l := range lines {
		ts[i], bodies[i], severities[i], ids[i] = l.Time, l.Body, l.Severity, l.ID
		links[i] = odata.WebLink(l.Link)
		linked = linked || links[i] != ""
		withTenant := make(map[string]string, len(l.Labels)+1)
		for k, v := range l.Labels {
			withTenant[k] = v
		}
		withTenant[TenantLabel] = tenant
		labels[i], _ = json.Marshal(withTenant) // a map of strings always marshals
	}
	idField := data.NewField("id", nil, ids)
	if linked {
		extra = append([]*data.Field{data.NewField(LinkField, nil, links)}, extra...)
		if idConfig == nil {
			idConfig = lineLinks()
		}
	}
	idField.Config = idConfig
	frame := data.NewFrame(name, append([]*data.Field{
		data.NewField("timestamp", nil, ts),
		data.NewField("body", nil, bodies),
		data.NewField("severity", nil, severities),
		idField,
		data.NewField("labels", nil, labels),
	}, extra...)...)
	if meta == nil {
		meta = &data.FrameMeta{}
	}
	meta.Type, meta.TypeVersion = data.FrameTypeLogLines, data.FrameTypeVersion{0, 0}
	meta.PreferredVisualization = data.VisTypeLogs
	frame.Meta = meta
	return frame
}

// Series is one labelled numeric series: one frame of a multi-frame answer, as alert rules need it
// (exactly one numeric field; labels unique across frames, the tenant among them).
type Series struct {
	Frame  string            // frame name
	Field  string            // value field name, e.g. "count"
	Labels data.Labels       // the series' own labels; the tenant label is added
	Config *data.FieldConfig // display name, unit, thresholds…; may be nil
	Times  []time.Time       // nil for one number per series
	Values any               // []float64 or []*float64: one per time, or one
}

// NumericFrames builds one frame per series of the given kind (numeric-multi, or timeseries-multi when the
// series have times). The first frame carries meta (request log, notices); with no series one empty frame
// carries it, which Grafana reads as "no data", not as an error.
func NumericFrames(tenant string, kind data.FrameType, meta *data.FrameMeta, series []Series) data.Frames {
	if meta == nil {
		meta = &data.FrameMeta{}
	}
	meta.Type, meta.TypeVersion = kind, data.FrameTypeVersion{0, 1}
	if len(series) == 0 {
		f := data.NewFrame("")
		f.Meta = meta
		return data.Frames{f}
	}
	out := make(data.Frames, 0, len(series))
	for i, s := range series {
		labels := data.Labels{TenantLabel: tenant}
		for k, v := range s.Labels {
			labels[k] = v
		}
		value := data.NewField(s.Field, labels, s.Values)
		value.Config = s.Config
		f := data.NewFrame(s.Frame, value)
		if s.Times != nil {
			f = data.NewFrame(s.Frame, data.NewField("time", nil, s.Times), value)
		}
		f.Meta = &data.FrameMeta{Type: kind, TypeVersion: data.FrameTypeVersion{0, 1}}
		if i == 0 {
			f.Meta = meta
		}
		out = append(out, f)
	}
	return out
}
