package messages

// messageCounts: how many messages per group, as time series over the panel interval, as one number
// per group (alert rules) or as a table, zero-filled for the groups that are known to exist (every
// status; the deployed iFlows), so that silence is the value 0 and not "no data".
//
// The data path: a strategy (count_strategy.go) counts the groups (count_groups.go) per bucket
// (count_buckets.go); this file is the entry and the frames.

import (
	"context"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// Grouping values of messageCounts.
const (
	GroupStatus     = "status"
	GroupIFlow      = "iflow"
	GroupPackage    = "package"
	GroupSender     = "sender"
	GroupReceiver   = "receiver"
	GroupIFlowState = "iflowStatus"
	GroupNone       = "none" // messageDurations only
)

// CountsResult is what a messageCounts query counted: per group (per bucket for time series), with the
// groups that are shown even at zero.
type CountsResult struct {
	r        *run
	format   models.Format
	groupBy  string
	counts   *groupCounts
	zeroFill []group
	b        *buckets // nil: one number per group
}

// FetchCounts counts the messages of a messageCounts query per group, in the buckets of the range for
// time series.
func FetchCounts(ctx context.Context, st *Store, rg Range, q models.MessageCountsQuery) (CountsResult, error) {
	groupBy := q.GroupBy
	if groupBy == "" || groupBy == GroupNone { // none: messageDurations' value, kept when the type is switched
		groupBy = GroupStatus
	}
	format, err := models.ResolveFormat(models.QueryMessageCounts, q.Format)
	if err != nil {
		return CountsResult{}, err
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return CountsResult{}, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	known, countable, err := r.knownGroups(ctx, fs, groupBy)
	if err != nil {
		return CountsResult{}, err
	}
	s := countsSpec{filters: fs, timeField: "LogEnd", w: rg.window(), groupBy: groupBy, countable: countable}
	zeroFill := known
	if groupBy == GroupIFlowState && len(fs.statuses) == 0 {
		s.known = nil
	} else {
		s.known = known
	}
	if format == models.FormatTimeSeries {
		b := makeBuckets(rg)
		s.b = &b
		r.set("bucketSeconds", int(b.width.Seconds()))
	}
	out, err := r.countGroups(ctx, s)
	if err != nil {
		return CountsResult{}, err
	}
	if groupBy == GroupIFlowState && len(fs.statuses) == 0 {
		zeroFill = zeroFillIFlowStatus(out, known)
	}
	return CountsResult{r: r, format: format, groupBy: groupBy, counts: out, zeroFill: zeroFill, b: s.b}, nil
}

// CountsFrames is the answer in the format FetchCounts resolved: a table with one row per group, one
// series per group over the buckets (time series) or one number per group (numeric).
func CountsFrames(res CountsResult, _ models.MessageCountsQuery, tenant string) data.Frames {
	r, out, b := res.r, res.counts, res.b
	groups := out.sorted(res.zeroFill)
	if res.format == models.FormatTable {
		cols := groupColumns(res.groupBy)
		values := make([][]string, len(cols))
		counts := make([]float64, len(groups))
		for i, g := range groups {
			for c := range cols {
				values[c] = append(values[c], g.cols[c])
			}
			for _, v := range out.counts[g.key] {
				counts[i] += v
			}
		}
		var fields []*data.Field
		for c, name := range cols {
			if values[c] == nil {
				values[c] = []string{}
			}
			fields = append(fields, data.NewField(name, nil, values[c]))
		}
		fields = append(fields, data.NewField("messages", nil, counts))
		return data.Frames{tableFrame(r, "message counts", tenant, fields...)}
	}
	list := make([]series, len(groups))
	for i, g := range groups {
		c := out.counts[g.key]
		list[i] = series{name: "count", labels: g.labels, display: g.display}
		if b != nil {
			list[i].times, list[i].values = b.times(), c
		} else {
			list[i].values = []float64{sum(c)}
		}
	}
	t := data.FrameTypeNumericMulti
	if b != nil {
		t = data.FrameTypeTimeSeriesMulti
	}
	return seriesFrames(r, tenant, t, list)
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// groupByError explains an invalid groupBy.
func groupByError(v string, allowed ...string) error {
	return fmt.Errorf("groupBy %q is not one of %s", v, strings.Join(allowed, ", "))
}
