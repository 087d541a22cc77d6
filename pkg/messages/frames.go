package messages

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/frames"
)

// series is one labelled series: one frame of a multi-frame answer, as alert rules need it (exactly one
// numeric field, labels unique across frames, the tenant among them).
type series struct {
	name    string      // value field name, e.g. "count"
	labels  data.Labels // group labels, without the tenant
	display string      // legend / display name
	unit    string
	times   []time.Time // nil for numeric frames
	values  any         // []float64 or []*float64
}

// seriesFrames turns series into frames of type t (time series multi or numeric multi). The first
// frame carries the run's meta; with no series at all one empty frame carries it, which Grafana reads as
// "no data" (not an error).
func seriesFrames(r *run, tenant string, t data.FrameType, list []series) data.Frames {
	meta := r.meta()
	meta.Type, meta.TypeVersion = t, data.FrameTypeVersion{0, 1}
	if len(list) == 0 {
		f := data.NewFrame("")
		f.Meta = meta
		return data.Frames{f}
	}
	out := make(data.Frames, 0, len(list))
	for i, s := range list {
		labels := data.Labels{frames.TenantLabel: tenant}
		for k, v := range s.labels {
			labels[k] = v
		}
		value := data.NewField(s.name, labels, s.values)
		value.Config = &data.FieldConfig{DisplayNameFromDS: s.display, Unit: s.unit}
		var f *data.Frame
		if s.times != nil {
			f = data.NewFrame(s.display, data.NewField("time", nil, s.times), value)
		} else {
			f = data.NewFrame(s.display, value)
		}
		if i == 0 {
			f.Meta = meta
		} else {
			f.Meta = &data.FrameMeta{Type: t, TypeVersion: data.FrameTypeVersion{0, 1}}
		}
		out = append(out, f)
	}
	return out
}

// tableFrame finishes a table frame: tenant column, meta, table type.
func tableFrame(r *run, name, tenant string, fields ...*data.Field) *data.Frame {
	n := 0
	if len(fields) > 0 {
		n = fields[0].Len()
	}
	f := data.NewFrame(name, append(fields, frames.TenantColumn(tenant, n))...)
	f.Meta = r.meta()
	f.Meta.Type = data.FrameTypeTable
	f.Meta.PreferredVisualization = data.VisTypeTable
	return f
}

// monitorLink is the data link to the message in the Cloud Integration monitor: AlternateWebLink, which
// the table carries in its "link" column.
func monitorLink() []data.DataLink {
	return []data.DataLink{{Title: "Open in Cloud Integration", URL: `${__data.fields["link"]}`, TargetBlank: true}}
}

// timePtr returns nil for the zero time (a null cell).
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
