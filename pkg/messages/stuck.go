package messages

// stuckMessages: messages in PROCESSING or RETRY whose LogStart is older than N minutes (and within the
// range): a table, oldest first, or a count per iFlow for alert rules, zero-filled for the deployed
// iFlows. SAP notes that such entries can linger until the 30-day clean-up; this finds them.
//
// The window is on LogStart: [range start, min(range end, now − N minutes)).

import (
	"context"
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
	minutes, err := intOption("stuckMinutes", q.StuckMinutes, DefaultStuckMinutes, 1, int(maxStuckMinutes))
	if err != nil {
		return nil, window{}, 0, err
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

// StuckResult is the stuck messages of a stuckMessages query, oldest first; for the numeric format, their
// number per iFlow.
type StuckResult struct {
	r      *run
	format models.Format
	now    time.Time
	rows   []mplRow
	counts *groupCounts // numeric format
	known  []group      // numeric format: the deployed iFlows, shown even at zero
}

// FetchStuck lists the stuck messages of a stuckMessages query and, for the numeric format, counts them per
// iFlow.
func FetchStuck(ctx context.Context, st *Store, rg Range, q models.StuckMessagesQuery) (StuckResult, error) {
	format, err := models.ResolveFormat(models.QueryStuckMessages, q.Format)
	if err != nil {
		return StuckResult{}, err
	}
	fs, w, minutes, err := stuckSetup(rg, q)
	if err != nil {
		return StuckResult{}, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	r.set("stuckMinutes", minutes)
	rows, total, capped, err := r.stuckRows(ctx, fs, w)
	if err != nil {
		return StuckResult{}, err
	}
	res := StuckResult{r: r, format: format, now: rg.Now, rows: rows}
	if format != models.FormatNumeric {
		if capped {
			r.notice(data.NoticeSeverityWarning, "Showing the oldest %d of %d stuck messages.", len(rows), total)
		}
		return res, nil
	}
	if res.known, _, err = r.knownGroups(ctx, fs, GroupIFlow); err != nil {
		return StuckResult{}, err
	}
	res.counts = newGroupCounts(1)
	for _, k := range res.known {
		res.counts.add(k, 0, 0)
	}
	if capped {
		// More stuck messages than one listing holds: count them per iFlow instead.
		if res.counts, err = r.countGroups(ctx, countsSpec{filters: fs, timeField: "LogStart", w: w, groupBy: GroupIFlow, known: res.known, countable: true}); err != nil {
			return StuckResult{}, err
		}
	} else {
		for i := range rows {
			res.counts.addRow(GroupIFlow, &rows[i], 0, 1)
		}
	}
	return res, nil
}

// StuckFrames is the answer in the format FetchStuck resolved: a table of the stuck messages, or one
// number per iFlow (numeric).
func StuckFrames(res StuckResult, _ models.StuckMessagesQuery, tenant string) data.Frames {
	r, rows := res.r, res.rows
	if res.format == models.FormatNumeric {
		groups := res.counts.sorted(res.known)
		list := make([]series, len(groups))
		for i, g := range groups {
			list[i] = series{name: "stuck", labels: g.labels, display: g.display, values: []float64{sum(res.counts.counts[g.key])}}
		}
		return seriesFrames(r, tenant, data.FrameTypeNumericMulti, list)
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
		age[i] = float64(int(res.now.Sub(m.LogStart.Time).Minutes()))
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
	return data.Frames{tableFrame(r, "stuck messages", tenant, fields...)}
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
