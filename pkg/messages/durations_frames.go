package messages

import (
	"math"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// statistics are the columns/series of messageDurations, in order.
var statistics = []string{"avg", "p50", "p95", "max"}

type durationStats struct{ count, avg, p50, p95, max float64 }

func (d durationStats) value(stat string) float64 {
	switch stat {
	case "avg":
		return d.avg
	case "p50":
		return d.p50
	case "p95":
		return d.p95
	}
	return d.max
}

// stats computes the statistics of durations (sorted in place); nearest-rank percentiles.
func stats(ms []int32) durationStats {
	if len(ms) == 0 {
		return durationStats{}
	}
	slices.Sort(ms)
	total := 0.0
	for _, v := range ms {
		total += float64(v)
	}
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(ms)))) - 1
		return float64(ms[max(i, 0)])
	}
	return durationStats{count: float64(len(ms)), avg: math.Round(total / float64(len(ms))),
		p50: rank(0.50), p95: rank(0.95), max: float64(ms[len(ms)-1])}
}

// DurationsFrames is the answer in the format FetchDurations resolved: a table with the statistics per
// group, or one series per group and statistic over the buckets (time series).
func DurationsFrames(res DurationsResult, _ models.MessageDurationsQuery, tenant string) data.Frames {
	r, groupBy, b, nb := res.r, res.groupBy, res.b, res.nb
	if res.format == models.FormatTable {
		var iflowNames, iflowIDs, pkgs []string
		counts := []float64{}
		cols := make([][]float64, len(statistics))
		for _, a := range res.groups {
			var all []int32
			for _, bk := range a.buckets {
				all = append(all, bk...)
			}
			st := stats(all)
			if groupBy == GroupIFlow {
				iflowNames, iflowIDs, pkgs = append(iflowNames, a.g.cols[0]), append(iflowIDs, a.g.cols[1]), append(pkgs, a.pkg)
			}
			counts = append(counts, st.count)
			for i, name := range statistics {
				cols[i] = append(cols[i], st.value(name))
			}
		}
		var fields []*data.Field
		if groupBy == GroupIFlow {
			fields = append(fields, data.NewField("iFlow", nil, nonNil(iflowNames)), data.NewField("iFlow id", nil, nonNil(iflowIDs)),
				data.NewField("package", nil, nonNil(pkgs)))
		}
		fields = append(fields, data.NewField("messages", nil, counts))
		for i, name := range statistics {
			vals := cols[i]
			if vals == nil {
				vals = []float64{}
			}
			f := data.NewField(name, nil, vals)
			f.Config = &data.FieldConfig{Unit: "ms"}
			fields = append(fields, f)
		}
		return data.Frames{tableFrame(r, "message durations", tenant, fields...)}
	}

	var list []series
	times := b.times()
	for _, a := range res.groups {
		per := make([]durationStats, nb)
		has := make([]bool, nb)
		for i, bk := range a.buckets {
			if len(bk) > 0 {
				per[i], has[i] = stats(bk), true
			}
		}
		for _, stat := range statistics {
			vals := make([]*float64, nb)
			for i := range per {
				if has[i] {
					v := per[i].value(stat)
					vals[i] = &v
				}
			}
			labels := data.Labels{"statistic": stat}
			for k, v := range a.g.labels {
				labels[k] = v
			}
			list = append(list, series{name: "duration", labels: labels, display: a.g.display + " " + stat, unit: "ms", times: times, values: vals})
		}
	}
	return seriesFrames(r, tenant, data.FrameTypeTimeSeriesMulti, list)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
