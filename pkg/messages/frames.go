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

// seriesFrames turns series into frames of type t (time series multi or numeric multi), the run's meta on
// the first (frames.NumericFrames).
func seriesFrames(r *run, tenant string, t data.FrameType, list []series) data.Frames {
	out := make([]frames.Series, len(list))
	for i, s := range list {
		out[i] = frames.Series{Frame: s.display, Field: s.name, Labels: s.labels, Times: s.times, Values: s.values,
			Config: &data.FieldConfig{DisplayNameFromDS: s.display, Unit: s.unit}}
	}
	return frames.NumericFrames(tenant, t, r.meta(), out)
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
