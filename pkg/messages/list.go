package messages

// messages: the message processing logs of the range, newest first (by LogEnd), as a table with the error
// text of failed rows and a link to the message in the Cloud Integration monitor, or as a logs frame for
// Explore.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
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

// FetchList reads the rows of a messages query, newest first, with the error texts of failed rows.
func FetchList(ctx context.Context, st *Store, rg Range, q models.MessagesQuery) ([]mplRow, map[string]string, *run, error) {
	maxRows := DefaultMaxRows
	if q.MaxRows != nil {
		maxRows = *q.MaxRows
		if maxRows < 1 || maxRows > MaxMaxRows {
			return nil, nil, nil, fmt.Errorf("maxRows must be between 1 and %d, not %d", MaxMaxRows, maxRows)
		}
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return nil, nil, nil, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	// Like the row store's open edge, the answer about the last minutes is reused for edgeFresh.
	s := scanSpec{filters: fs, timeField: "LogEnd", w: rg.window(), fields: listFields, desc: true, maxRows: maxRows, shared: edgeFresh}
	if s.w.empty() {
		return nil, nil, r, nil
	}
	p, err := r.probe(ctx, s)
	if err != nil {
		return nil, nil, r, err
	}
	var rows []mplRow
	seen := map[string]bool{}
	res, err := r.scan(ctx, s, p, func(page []mplRow) error {
		for _, m := range page {
			// Messages still running move their LogEnd between two pages: keep each message once.
			if !seen[m.MessageGuid] {
				seen[m.MessageGuid] = true
				rows = append(rows, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, r, err
	}
	r.set("messages", p.total)
	if res.capped {
		r.notice(data.NoticeSeverityWarning, "Showing the newest %d of %d messages (maxRows %d): narrow the time range or the filters, or raise maxRows.", len(rows), p.total, maxRows)
	}
	var texts map[string]string
	if q.WithErrorText == nil || *q.WithErrorText {
		var failed []string
		for _, m := range rows {
			if m.Status == "FAILED" {
				failed = append(failed, m.MessageGuid)
			}
		}
		before := r.requestCount()
		texts = r.errorTexts(ctx, failed, listErrorTexts)
		r.set("errorTextRequests", r.requestCount()-before)
		if missing := len(failed) - len(texts); missing > 0 {
			r.notice(data.NoticeSeverityInfo, "Error texts are read for at most %d failed messages per query, within the tenant's budget shared by every panel (%d at once, then %g a minute; texts read before are kept); %d failed messages are shown without one yet.", listErrorTexts, r.st.texts.burst, r.st.texts.perMinute, missing)
		}
	}
	return rows, texts, r, nil
}

// List answers a messages query.
func List(ctx context.Context, st *Store, rg Range, q models.MessagesQuery, tenant string) (data.Frames, error) {
	format, err := models.ResolveFormat(models.QueryMessages, q.Format)
	if err != nil {
		return nil, err
	}
	rows, texts, r, err := FetchList(ctx, st, rg, q)
	if err != nil {
		return nil, err
	}
	if format == models.FormatLogs {
		return data.Frames{logsFrame(r, rows, texts, tenant)}, nil
	}
	return data.Frames{listFrame(r, rows, texts, tenant)}, nil
}

// summary is one line describing a message: the annotation text and the log line.
func summary(m *mplRow, errText string) string {
	name := nameOr(m.IntegrationArtifact.Name, m.IntegrationArtifact.ID)
	if errText != "" {
		return fmt.Sprintf("%s %s: %s", m.Status, name, firstLine(errText, 300))
	}
	parts := []string{m.Status, name}
	if m.Sender != "" || m.Receiver != "" {
		parts = append(parts, orNone(m.Sender)+" → "+orNone(m.Receiver))
	}
	return strings.Join(parts, " ") + " (" + m.MessageGuid + ")"
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
// annotation query (time + text) for failed messages.
func listFrame(r *run, rows []mplRow, texts map[string]string, tenant string) *data.Frame {
	n := len(rows)
	times := make([]time.Time, n)
	started := make([]*time.Time, n)
	durations := make([]*float64, n)
	cols := map[string][]string{}
	names := []string{"status", "iFlow", "iFlow id", "package", "sender", "receiver", "message id", "correlation id",
		"application id", "application type", "custom status", "error", "text", "link"}
	for _, name := range names {
		cols[name] = make([]string, n)
	}
	for i := range rows {
		m := &rows[i]
		times[i] = m.LogEnd.Time
		started[i] = timePtr(m.LogStart.Time)
		durations[i] = durationMs(m)
		errText := texts[m.MessageGuid]
		for name, v := range map[string]string{"status": m.Status, "iFlow": nameOr(m.IntegrationArtifact.Name, m.IntegrationArtifact.ID),
			"iFlow id": m.IntegrationArtifact.ID, "package": m.IntegrationArtifact.PackageID, "sender": m.Sender,
			"receiver": m.Receiver, "message id": m.MessageGuid, "correlation id": m.CorrelationID,
			"application id": m.ApplicationMessageID, "application type": m.ApplicationMessageType,
			"custom status": m.CustomStatus, "error": errText, "text": summary(m, errText), "link": odata.WebLink(m.AlternateWebLink)} {
			cols[name][i] = v
		}
	}
	fields := []*data.Field{data.NewField("time", nil, times)}
	for _, name := range names[:11] {
		fields = append(fields, data.NewField(name, nil, cols[name]))
	}
	fields = append(fields,
		data.NewField("started", nil, started),
		data.NewField("duration", nil, durations),
		data.NewField("error", nil, cols["error"]),
		data.NewField("text", nil, cols["text"]),
		data.NewField("link", nil, cols["link"]),
	)
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
func logsFrame(r *run, rows []mplRow, texts map[string]string, tenant string) *data.Frame {
	lines := make([]frames.LogLine, len(rows))
	for i := range rows {
		m := &rows[i]
		lines[i] = frames.LogLine{Time: m.LogEnd.Time, Body: summary(m, texts[m.MessageGuid]), Severity: severity(m.Status),
			ID: m.MessageGuid, Labels: map[string]string{"iflow": m.IntegrationArtifact.ID, "status": m.Status, "package": m.IntegrationArtifact.PackageID},
			Link: m.AlternateWebLink}
	}
	return frames.LogsFrame("messages", tenant, lines, r.meta(), &data.FieldConfig{Links: monitorLink()})
}
