package messages

// messageDurations: processing time (LogEnd − LogStart) per iFlow or over all messages: average, median
// (p50), 95th percentile and maximum in milliseconds, as time series over the panel interval or as a
// table. Percentiles need every duration, so the rows are read ($select of LogStart, LogEnd and the
// iFlow: the cheapest read that answers). Messages still in PROCESSING or RETRY have no final duration
// and are left out unless the status filter asks for them.

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// finalStatuses are the statuses with a final duration.
var finalStatuses = []string{"COMPLETED", "ESCALATED", "FAILED", "CANCELLED", "DISCARDED", "ABANDONED"}

// DurationsResult is the durations of a messageDurations query, per group and bucket (one bucket for a
// table), groups in display order.
type DurationsResult struct {
	r       *run
	format  models.Format
	groupBy string
	groups  []*durationGroup
	b       *buckets // nil: one bucket
	nb      int
}

// durationGroup is the durations (ms) of one group per bucket.
type durationGroup struct {
	g       group
	pkg     string
	buckets [][]int32
}

// FetchDurations reads the durations of the messages of a messageDurations query, per group and, for time
// series, per bucket.
func FetchDurations(ctx context.Context, st *Store, rg Range, q models.MessageDurationsQuery) (DurationsResult, error) {
	groupBy := q.GroupBy
	switch groupBy {
	case GroupIFlow, GroupNone:
	case "", GroupStatus, GroupPackage, GroupSender, GroupReceiver, GroupIFlowState:
		groupBy = GroupIFlow // messageCounts' values are kept when the type is switched: the default applies
	default:
		return DurationsResult{}, groupByError(groupBy, GroupIFlow, GroupNone)
	}
	format, err := models.ResolveFormat(models.QueryMessageDurations, q.Format)
	if err != nil {
		return DurationsResult{}, err
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return DurationsResult{}, err
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
	groups := map[string]*durationGroup{}
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
				key := "all"
				if groupBy == GroupIFlow {
					key = orNone(m.IntegrationArtifact.ID)
				}
				a := groups[key]
				if a == nil {
					g := group{key: "all", labels: data.Labels{}, display: "all messages"}
					if groupBy == GroupIFlow {
						g = iflowGroup(key, m.IntegrationArtifact.Name)
					}
					a = &durationGroup{g: g, pkg: m.IntegrationArtifact.PackageID, buckets: make([][]int32, nb)}
					groups[key] = a
				}
				a.buckets[bi] = append(a.buckets[bi], int32(min(*d, math.MaxInt32)))
			}
			return nil
		}
		_, ok, err := r.fromStore(ctx, s, collect)
		if !ok {
			var p probeResult
			if p, err = r.probe(ctx, s); err != nil {
				return DurationsResult{}, err
			}
			r.set("messages", p.total)
			r.set("strategy", StrategyRows)
			_, err = r.scan(ctx, s, p, collect)
		}
		if err != nil {
			return DurationsResult{}, err
		}
	}
	list := make([]*durationGroup, 0, len(groups))
	for _, a := range groups {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		gi, gj := list[i].g, list[j].g
		if gi.display != gj.display {
			return gi.display < gj.display
		}
		return gi.key < gj.key
	})
	return DurationsResult{r: r, format: format, groupBy: groupBy, groups: list, b: b, nb: nb}, nil
}
