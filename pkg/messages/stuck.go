package messages

// stuckMessages: messages in PROCESSING or RETRY whose LogStart is older than N minutes (and within the
// range): a table, oldest first, or a count per iFlow for alert rules, zero-filled for the deployed
// iFlows. SAP notes that such entries can linger until the 30-day clean-up; this finds them.
//
// The window is on LogStart: [range start, min(range end, now − N minutes)).

import (
	"context"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

const (
	// DefaultStuckMinutes is the age from which a message in PROCESSING or RETRY counts as stuck.
	DefaultStuckMinutes = 60
	maxStuckMinutes     = Retention / time.Minute
	maxStuckRows        = 10_000
	// stuckShared: the stuck listing is shared by the panels of one refresh.
	stuckShared = 30 * time.Second
)

var stuckStatuses = []string{"PROCESSING", "RETRY"}

func stuckSetup(rg Range, q models.StuckMessagesQuery) (*filterSet, window, int, error) {
	minutes := DefaultStuckMinutes
	if q.StuckMinutes != nil {
		minutes = *q.StuckMinutes
		if minutes < 1 || minutes > int(maxStuckMinutes) {
			return nil, window{}, 0, fmt.Errorf("stuckMinutes must be between 1 and %d, not %d", int(maxStuckMinutes), minutes)
		}
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return nil, window{}, 0, err
	}
	if fs, err = fs.narrowStatuses("stuckMessages", stuckStatuses); err != nil {
		return nil, window{}, 0, err
	}
	w := rg.window()
	// At a whole minute, so that the panels of one refresh ask the same (shared) listing.
	if limit := rg.Now.UTC().Add(-time.Duration(minutes) * time.Minute).Truncate(time.Minute); limit.Before(w.to) {
		w.to = limit
	}
	return fs, w, minutes, nil
}

// Stuck answers a stuckMessages query.
func Stuck(ctx context.Context, st *Store, rg Range, q models.StuckMessagesQuery, tenant string) (data.Frames, error) {
	format, err := models.ResolveFormat(models.QueryStuckMessages, q.Format)
	if err != nil {
		return nil, err
	}
	fs, w, minutes, err := stuckSetup(rg, q)
	if err != nil {
		return nil, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	r.set("stuckMinutes", minutes)
	rows, total, capped, err := r.stuckRows(ctx, fs, w)
	if err != nil {
		return nil, err
	}
	if format == models.FormatNumeric {
		known, _, err := r.knownGroups(ctx, fs, GroupIFlow)
		if err != nil {
			return nil, err
		}
		out := newGroupCounts(1)
		for _, k := range known {
			out.add(k, 0, 0)
		}
		if capped {
			// More stuck messages than one listing holds: count them per iFlow instead.
			if out, err = r.countGroups(ctx, countsSpec{filters: fs, timeField: "LogStart", w: w, groupBy: GroupIFlow, known: known, countable: true}); err != nil {
				return nil, err
			}
		} else {
			for i := range rows {
				out.add(groupOf(GroupIFlow, &rows[i]), 0, 1)
			}
		}
		groups := out.sorted(known)
		list := make([]series, len(groups))
		for i, g := range groups {
			list[i] = series{name: "stuck", labels: g.labels, display: g.display, values: []float64{sum(out.counts[g.key])}}
		}
		return seriesFrames(r, tenant, data.FrameTypeNumericMulti, list), nil
	}
	if capped {
		r.notice(data.NoticeSeverityWarning, "Showing the oldest %d of %d stuck messages.", len(rows), total)
	}
	n := len(rows)
	started, updated := make([]time.Time, n), make([]*time.Time, n)
	age := make([]float64, n)
	names := []string{"status", "iFlow", "iFlow id", "package", "sender", "receiver", "message id", "correlation id", "link"}
	cols := make([][]string, len(names))
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i := range rows {
		m := &rows[i]
		started[i], updated[i] = m.LogStart.Time, timePtr(m.LogEnd.Time)
		age[i] = float64(int(rg.Now.Sub(m.LogStart.Time).Minutes()))
		for c, v := range []string{m.Status, nameOr(m.IntegrationArtifact.Name, m.IntegrationArtifact.ID), m.IntegrationArtifact.ID,
			m.IntegrationArtifact.PackageID, m.Sender, m.Receiver, m.MessageGuid, m.CorrelationID, odata.WebLink(m.AlternateWebLink)} {
			cols[c][i] = v
		}
	}
	fields := []*data.Field{data.NewField("started", nil, started)}
	for c, name := range names[:len(names)-1] {
		f := data.NewField(name, nil, cols[c])
		if name == "message id" || name == "iFlow" {
			f.Config = &data.FieldConfig{Links: monitorLink()}
		}
		fields = append(fields, f)
		if name == "status" {
			a := data.NewField("stuck for", nil, age)
			a.Config = &data.FieldConfig{Unit: "m"}
			fields = append(fields, a, data.NewField("last update", nil, updated))
		}
	}
	fields = append(fields, data.NewField("link", nil, cols[len(names)-1]))
	return data.Frames{tableFrame(r, "stuck messages", tenant, fields...)}, nil
}

// stuckRows lists the stuck messages of w, oldest first, with every field the table shows: one listing
// that both formats (the stat and the table of a dashboard) share within a refresh.
func (r *run) stuckRows(ctx context.Context, fs *filterSet, w window) (rows []mplRow, total int64, capped bool, err error) {
	if w.empty() {
		return nil, 0, false, nil
	}
	// The listing starts at a whole minute, so that a reload seconds later asks the same (shared) listing;
	// the seconds before the range are dropped here.
	wide := window{from: w.from.Truncate(time.Minute), to: w.to}
	s := scanSpec{filters: fs, timeField: "LogStart", w: wide, maxRows: maxStuckRows, fields: listFields, shared: stuckShared}
	p, err := r.probe(ctx, s)
	if err != nil {
		return nil, 0, false, err
	}
	var early int64
	res, err := r.scan(ctx, s, p, func(page []mplRow) error {
		for _, m := range page {
			if m.LogStart.Before(w.from) {
				early++
				continue
			}
			rows = append(rows, m)
		}
		return nil
	})
	if err != nil {
		return nil, 0, false, err
	}
	total = max(p.total-early, int64(len(rows)))
	r.set("messages", total)
	return rows, total, res.capped, nil
}
