package messages

// messages: the message processing logs of the range, newest first (by LogEnd), as a table with the error
// text of failed rows and a link to the message in the Cloud Integration monitor, or as a logs frame for
// Explore.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

const (
	// DefaultMaxRows caps the messages query unless maxRows says otherwise.
	DefaultMaxRows = 10_000
	// MaxMaxRows is the largest maxRows accepted (memory of the plugin and of the browser).
	MaxMaxRows = 200_000
	// listErrorTexts is the number of error texts the messages query reads per query (cached ones are
	// free).
	listErrorTexts = 100
)

// listFields are the fields the table shows.
var listFields = []string{"AlternateWebLink", "ApplicationMessageId", "ApplicationMessageType", "CorrelationId",
	"CustomStatus", "IntegrationArtifact", "LogEnd", "LogStart", "Receiver", "Sender", "Status"}

// ListResult is the rows of a messages query, newest first, with the error texts of failed rows.
type ListResult struct {
	r      *run
	format models.Format
	rows   *listRows
	texts  map[string]string
}

// FetchList reads the rows of a messages query, newest first, with the error texts of failed rows.
func FetchList(ctx context.Context, st *Store, rg Range, q models.MessagesQuery) (ListResult, error) {
	format, err := models.ResolveFormat(models.QueryMessages, q.Format)
	if err != nil {
		return ListResult{}, err
	}
	maxRows, err := intOption("maxRows", q.MaxRows, DefaultMaxRows, 1, MaxMaxRows)
	if err != nil {
		return ListResult{}, err
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return ListResult{}, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	w := rg.window()
	if w.empty() {
		return ListResult{r: r, format: format, rows: &listRows{}}, nil
	}
	tx := &listTexts{r: r}
	rows, total, capped, ok, err := listFromStore(ctx, r, fs, w, maxRows)
	if !ok {
		var early *listTexts
		if q.WithErrorText == nil || *q.WithErrorText {
			early = tx
		}
		rows, total, capped, err = listDirect(ctx, r, fs, w, maxRows, early)
	}
	if err != nil {
		return ListResult{}, err
	}
	switch {
	case total == unknownTotal: // the tenant's counts proved wrong
		r.notice(data.NoticeSeverityWarning, "Showing the newest %d messages (maxRows %d): narrow the time range or the filters, or raise maxRows.", rows.len(), maxRows)
	case capped:
		r.set("messages", total)
		r.notice(data.NoticeSeverityWarning, "Showing the newest %d of %d messages (maxRows %d): narrow the time range or the filters, or raise maxRows.", rows.len(), total, maxRows)
	default:
		r.set("messages", total)
	}
	var texts map[string]string
	if q.WithErrorText == nil || *q.WithErrorText {
		failed := rows.failed
		texts = tx.end(ctx, failed)
		if missing := len(failed) - len(texts); missing > 0 {
			r.notice(data.NoticeSeverityInfo, "Error texts are read for at most %d failed messages per query, within the tenant's budget shared by every panel (%d at once, then %g a minute; texts read before are kept); %d failed messages are shown without one yet.", listErrorTexts, r.st.texts.burst, r.st.texts.perMinute, missing)
		}
	}
	return ListResult{r: r, format: format, rows: rows, texts: texts}, nil
}

// listTexts reads the error texts of a list's failed rows: while older slices are still listed once the
// newest rows decide which texts the query reads (see planFirst), else once every row is in.
type listTexts struct {
	r       *run
	reads   *textReads
	planned int // failed rows the plan saw
}

// early starts reading when the failed rows of the newest slices (in order) take every text the query
// may read.
func (t *listTexts) early(ctx context.Context, failed []string) {
	if t.reads != nil {
		return
	}
	if p, ok := t.r.st.texts.planFirst(t.r.now, failed, listErrorTexts, true); ok {
		t.reads, t.planned = t.r.readTexts(ctx, p), len(failed)
	}
}

// stop ends a reading started early (the list failed).
func (t *listTexts) stop() {
	if t.reads != nil {
		t.reads.stop()
	}
}

// end returns the texts of the failed rows (all of them, in order), as errorTexts does.
func (t *listTexts) end(ctx context.Context, failed []string) map[string]string {
	if t.reads == nil {
		t.reads, t.planned = t.r.readTexts(ctx, t.r.st.texts.plan(t.r.now, failed, listErrorTexts)), len(failed)
	}
	// A list read again over exactly its range may hold fewer failed rows than the first read planned for
	// (a tenant answers as it likes).
	texts := t.reads.end(ctx, failed, failed[min(t.planned, len(failed)):])
	t.r.set("errorTextRequests", t.reads.requests)
	return texts
}

// listFromStore answers from the row store a list that asks only for statuses other than COMPLETED
// (those rows keep every field the list shows), with the store's rule for narrow queries: it uses the
// minutes a dashboard keeps fresh and reads no more than a few (ok false: ask the tenant).
func listFromStore(ctx context.Context, r *run, fs *filterSet, w window, maxRows int) (rows *listRows, total int64, capped, ok bool, err error) {
	if len(fs.statuses) == 0 || slices.Contains(fs.statuses, "COMPLETED") {
		return nil, 0, false, false, nil
	}
	s := scanSpec{filters: fs, timeField: "LogEnd", w: w, fields: listFields, desc: true, maxRows: maxRows}
	b := newListBuilder(maxRows)
	res, ok, err := r.fromStore(ctx, s, func(rows []mplRow) error { return b.add(0, 0, rows) })
	if !ok || err != nil {
		return nil, 0, false, ok, err
	}
	rows = b.rows()
	return rows, max(int64(res.read), int64(rows.len())), res.capped, true, nil
}

// unknownTotal is the total of a capped list whose tenant's counts proved wrong.
const unknownTotal = -1

// implausibleCapShare: a capped list whose tenant counts more than this many times its cap has the count
// checked (one request) before it is shown; below, a wrong count could only come from a tenant that
// counts wrongly by a little, which the rows read cannot tell either.
const implausibleCapShare = 1000

// overcounted asks for the last of the total rows the tenant counted in s's window: none there, and the
// count is wrong (a tenant that ignores $skip answers its first row: its count is then believed).
func (r *run) overcounted(ctx context.Context, s scanSpec, total int64) (bool, error) {
	q := s.query(s.w)
	q.Set("$select", "MessageGuid")
	q.Set("$skip", strconv.FormatInt(total-1, 10))
	q.Set("$top", "1")
	col, resp, err := cpi.GetCollection[mplRow](r.scanCtx(ctx, s, s.w), r.c, mplPath, q)
	r.record(resp)
	if err != nil {
		return false, err
	}
	return len(col.Results) == 0, nil
}

// listDirect lists the range from the tenant with the query's filters, newest first, up to maxRows; with
// tx, the error texts of the newest failed rows are read while older slices are still listed.
func listDirect(ctx context.Context, r *run, fs *filterSet, w window, maxRows int, tx *listTexts) (rows *listRows, total int64, capped bool, err error) {
	// Like the row store's open edge, the answer about the last minutes is reused for edgeFresh; a range
	// that reaches now is read from its start's minute to the end of the current minute, so that a reload
	// seconds later (both ends moved) asks the same listing; the rows outside the range are dropped here.
	read := w
	if !w.closed(r.now) && !r.now.IsZero() {
		read = window{from: w.from.Truncate(time.Minute), to: r.now.UTC().Truncate(time.Minute).Add(time.Minute)}
	}
	rows, total, capped, short, err := listRead(ctx, r, fs, w, read, maxRows, tx)
	if err == nil && short {
		// The newest messages after the range took places under the cap: read exactly the range.
		rows, total, capped, _, err = listRead(ctx, r, fs, w, w, maxRows, tx)
	}
	return rows, total, capped, err
}

// listRead lists read (w widened to whole minutes, or w) and keeps the rows of w. short: the cap was
// reached with fewer rows of w than maxRows (rows after w took places); total counts the messages of w.
func listRead(ctx context.Context, r *run, fs *filterSet, w, read window, maxRows int, tx *listTexts) (rows *listRows, total int64, capped, short bool, err error) {
	s := scanSpec{filters: fs, timeField: "LogEnd", w: read, fields: listFields, desc: true, maxRows: maxRows, shared: edgeFresh}
	p, err := r.probe(ctx, s)
	if err != nil {
		return nil, 0, false, false, err
	}
	b := newListBuilder(maxRows)
	var before, after int64 // rows read outside w
	res, err := r.scanPages(ctx, s, p, func(slice, page int, rows []mplRow) error {
		kept := rows[:0:0]
		for i := range rows {
			switch t := rows[i].LogEnd.Time; {
			case t.Before(w.from):
				before++
			case !t.Before(w.to):
				after++
			default:
				kept = append(kept, rows[i])
			}
		}
		return b.add(slice, page, kept)
	}, func(slice int) error {
		if b.sliceDone(slice) && tx != nil {
			tx.early(ctx, b.failed)
		}
		return nil
	})
	if err != nil {
		if tx != nil {
			tx.stop()
		}
		return nil, 0, false, false, err
	}
	rows = b.rows()
	if res.capped && rows.len() < maxRows && after > 0 {
		return rows, 0, true, true, nil
	}
	if res.capped && read.from.Before(w.from) {
		// The oldest rows were not read: count the messages between the start's minute and the start.
		if before, err = r.countBefore(ctx, fs, window{from: read.from, to: w.from}); err != nil {
			return nil, 0, false, false, err
		}
	}
	if res.capped && !res.overcounted && p.total > int64(maxRows)*implausibleCapShare {
		if res.overcounted, err = r.overcounted(ctx, s, p.total); err != nil {
			return nil, 0, false, false, err
		}
	}
	if res.capped && res.overcounted {
		r.countNotice()
		return rows, unknownTotal, true, false, nil
	}
	total = max(p.total-before-after, int64(rows.len()))
	// The cap may have cut only rows before the range: then every row of the range is shown.
	return rows, total, res.capped && total > int64(rows.len()), false, nil
}

// countBefore counts the messages of w (part of one minute) that fs keeps: from the row store when it
// holds that minute, else with one $count.
func (r *run) countBefore(ctx context.Context, fs *filterSet, w window) (int64, error) {
	if n, ok := r.countHeld(fs, w); ok {
		return n, nil
	}
	return r.count(r.reqCtx(ctx, w), fs.query("LogEnd", w))
}

// ListFrames is the answer in the format FetchList resolved: the table, or log lines (logs).
func ListFrames(res ListResult, _ models.MessagesQuery, tenant string) data.Frames {
	if res.format == models.FormatLogs {
		return data.Frames{logsFrame(res.r, res.rows, res.texts, tenant)}
	}
	return data.Frames{listFrame(res.r, res.rows, res.texts, tenant)}
}

// summary is one line describing row i: the annotation text and the log line.
func (l *listRows) summary(i int, errText string) string {
	status, iflow := l.at(l.status, i), l.at(l.iflow, i)
	// One concatenation each: a line per row of up to 200 000.
	if errText != "" {
		return status + " " + iflow + ": " + firstLine(errText, 300)
	}
	if sender, receiver := l.at(l.sender, i), l.at(l.receiver, i); sender != "" || receiver != "" {
		return status + " " + iflow + " " + orNone(sender) + " → " + orNone(receiver) + " (" + l.guid[i] + ")"
	}
	return status + " " + iflow + " (" + l.guid[i] + ")"
}

func firstLine(s string, maxRunes int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > maxRunes {
		s = string(r[:maxRunes]) + "…"
	}
	return s
}

func durationMs(m *mplRow) *float64 {
	if m.LogStart.IsZero() || m.LogEnd.IsZero() {
		return nil
	}
	d := float64(m.LogEnd.Sub(m.LogStart.Time).Milliseconds())
	return &d
}

// listFrame is the table: time (LogEnd) first and a "text" column, so the same query serves as an
// annotation query (time + text) for failed messages. It takes the columns over: each is dropped once
// its field holds a copy.
func listFrame(r *run, rows *listRows, texts map[string]string, tenant string) *data.Frame {
	n := rows.len()
	started := make([]*time.Time, n)
	durations := make([]*float64, n)
	ms := make([]float64, n)
	errs, text, links := make([]string, n), make([]string, n), make([]string, n)
	for i := 0; i < n; i++ {
		if start, end := rows.start[i], rows.end[i]; !start.IsZero() {
			started[i] = &rows.start[i]
			if !end.IsZero() {
				ms[i] = float64(end.Sub(start).Milliseconds())
				durations[i] = &ms[i]
			}
		}
		errs[i] = texts[rows.guid[i]]
		text[i] = rows.summary(i, errs[i])
		links[i] = rows.link(i)
	}
	rows.linkHead, rows.linkTail = nil, nil
	strs := func(name string, col *[]string) *data.Field {
		f := data.NewField(name, nil, *col)
		*col = nil
		return f
	}
	dict := func(name string, col *[]uint32) *data.Field {
		f := data.NewField(name, nil, rows.strings(*col))
		*col = nil
		return f
	}
	fields := []*data.Field{data.NewField("time", nil, rows.end)}
	rows.end = nil
	fields = append(fields, dict("status", &rows.status), dict("iFlow", &rows.iflow), dict("iFlow id", &rows.iflowID),
		dict("package", &rows.pkg), dict("sender", &rows.sender), dict("receiver", &rows.receiver),
		strs("message id", &rows.guid), strs("correlation id", &rows.corr), strs("application id", &rows.appID),
		dict("application type", &rows.appType), dict("custom status", &rows.custom),
		data.NewField("started", nil, started), data.NewField("duration", nil, durations),
		strs("error", &errs), strs("text", &text), strs("link", &links))
	for _, f := range fields {
		switch f.Name {
		case "message id", "iFlow":
			f.Config = &data.FieldConfig{Links: monitorLink()}
		case "duration":
			f.Config = &data.FieldConfig{Unit: "ms"}
		}
	}
	return tableFrame(r, "messages", tenant, fields...)
}

// severity maps a status to a log level.
func severity(status string) string {
	switch status {
	case "FAILED", "ESCALATED":
		return "error"
	case "RETRY", "CANCELLED", "ABANDONED":
		return "warning"
	}
	return "info"
}

// logsFrame is the messages as log lines for Explore, with the monitor link on the id.
func logsFrame(r *run, rows *listRows, texts map[string]string, tenant string) *data.Frame {
	lines := make([]frames.LogLine, rows.len())
	for i := range lines {
		g := rows.guid[i]
		status := rows.at(rows.status, i)
		lines[i] = frames.LogLine{Time: rows.end[i], Body: rows.summary(i, texts[g]), Severity: severity(status),
			ID: g, Labels: map[string]string{"iflow": rows.at(rows.iflowID, i), "status": status, "package": rows.at(rows.pkg, i)},
			Link: rows.link(i)}
	}
	return frames.LogsFrame("messages", tenant, lines, r.meta(), &data.FieldConfig{Links: monitorLink()})
}
