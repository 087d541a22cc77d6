package messages

// messageDurations: processing time (LogEnd − LogStart) per iFlow or over all messages: average, median
// (p50), 95th percentile and maximum in milliseconds, as time series over the panel interval or as a
// table. Percentiles need every duration, so the rows are read ($select of LogStart, LogEnd and the
// iFlow: the cheapest read that answers). Messages still in PROCESSING or RETRY have no final duration
// and are left out unless the status filter asks for them.

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// finalStatuses are the statuses with a final duration.
var finalStatuses = []string{"COMPLETED", "ESCALATED", "FAILED", "CANCELLED", "DISCARDED", "ABANDONED"}

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

// Durations answers a messageDurations query.
func Durations(ctx context.Context, st *Store, rg Range, q models.MessageDurationsQuery, tenant string) (data.Frames, error) {
	groupBy := q.GroupBy
	switch groupBy {
	case GroupIFlow, GroupNone:
	case "", GroupStatus, GroupPackage, GroupSender, GroupReceiver, GroupIFlowState:
		groupBy = GroupIFlow // messageCounts' values are kept when the type is switched: the default applies
	default:
		return nil, groupByError(groupBy, GroupIFlow, GroupNone)
	}
	format, err := models.ResolveFormat(models.QueryMessageDurations, q.Format)
	if err != nil {
		return nil, err
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return nil, err
	}
	if len(fs.statuses) == 0 {
		fs = fs.withStatuses(finalStatuses)
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	s := scanSpec{filters: fs, timeField: "LogEnd", w: rg.window(), fields: []string{"IntegrationArtifact", "LogEnd", "LogStart"}, align: time.Minute}
	var b *buckets
	if format == models.FormatTimeSeries {
		bb := makeBuckets(rg)
		b, s.align = &bb, bb.width
		r.set("bucketSeconds", int(bb.width.Seconds()))
	}
	nb := 1
	if b != nil {
		nb = b.n
	}
	type acc struct {
		g       group
		pkg     string
		buckets [][]int32
	}
	groups := map[string]*acc{}
	if !s.w.empty() {
		collect := func(rows []mplRow) error {
			for i := range rows {
				m := &rows[i]
				d := durationMs(m)
				if d == nil {
					continue
				}
				bi := 0
				if b != nil {
					if bi = b.index(m.LogEnd.Time); bi < 0 {
						continue
					}
				}
				g := group{key: "all", labels: data.Labels{}, display: "all messages"}
				if groupBy == GroupIFlow {
					g = iflowGroup(orNone(m.IntegrationArtifact.ID), m.IntegrationArtifact.Name)
				}
				a := groups[g.key]
				if a == nil {
					a = &acc{g: g, pkg: m.IntegrationArtifact.PackageID, buckets: make([][]int32, nb)}
					groups[g.key] = a
				}
				a.buckets[bi] = append(a.buckets[bi], int32(min(*d, math.MaxInt32)))
			}
			return nil
		}
		_, ok, err := r.fromStore(ctx, s, collect)
		if !ok {
			var p probeResult
			if p, err = r.probe(ctx, s); err != nil {
				return nil, err
			}
			r.set("messages", p.total)
			r.set("strategy", StrategyRows)
			_, err = r.scan(ctx, s, p, collect)
		}
		if err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		gi, gj := groups[keys[i]].g, groups[keys[j]].g
		if gi.display != gj.display {
			return gi.display < gj.display
		}
		return gi.key < gj.key
	})

	if format == models.FormatTable {
		var iflowNames, iflowIDs, pkgs []string
		counts := []float64{}
		cols := make([][]float64, len(statistics))
		for _, k := range keys {
			a := groups[k]
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
		return data.Frames{tableFrame(r, "message durations", tenant, fields...)}, nil
	}

	var list []series
	times := b.times()
	for _, k := range keys {
		a := groups[k]
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
	return seriesFrames(r, tenant, data.FrameTypeTimeSeriesMulti, list), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
