package auditlog

import (
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// tableFrame lists the records, newest first.
func tableFrame(r Result, tenant string) *data.Frame {
	n := len(r.Records)
	times := make([]time.Time, n)
	cols := make([][]string, 8)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	for i, rec := range r.Records {
		times[i] = rec.Time
		for j, v := range []string{rec.User, rec.Action, rec.ObjectType, rec.ObjectName, rec.SourceIP, rec.Outcome, rec.Category, rec.Message} {
			cols[j][i] = v
		}
	}
	return frames.Table("audit log", tenant, frames.Meta(r.Requests, r.Notices...),
		data.NewField("Time", nil, times),
		data.NewField("User", nil, cols[0]),
		data.NewField("Action", nil, cols[1]),
		data.NewField("Object type", nil, cols[2]),
		data.NewField("Object name", nil, cols[3]),
		data.NewField("Source IP", nil, cols[4]),
		data.NewField("Outcome", nil, cols[5]),
		data.NewField("Category", nil, cols[6]),
		data.NewField("Message", nil, cols[7]),
	)
}

// logsFrame is the data plane "log-lines" frame (timestamp, body, severity, id, labels) that Explore's
// logs view and the logs panel read. The body is a readable line; the labels carry what one filters by.
func logsFrame(r Result, tenant string) *data.Frame {
	lines := make([]frames.LogLine, len(r.Records))
	for i, rec := range r.Records {
		line := frames.LogLine{Time: rec.Time, Body: Line(rec), Severity: "info", ID: rec.ID, Labels: map[string]string{}}
		if rec.Outcome == OutcomeFailure {
			line.Severity = "error"
		}
		if line.ID == "" {
			// An event without an id gets its position.
			line.ID = fmt.Sprintf("%d-%d", rec.Time.UnixNano(), i)
		}
		for k, v := range map[string]string{"category": rec.Category, "user": rec.User, "action": rec.Action,
			"objectType": rec.ObjectType, "outcome": rec.Outcome, "application": rec.Application} {
			if v != "" {
				line.Labels[k] = v
			}
		}
		lines[i] = line
	}
	return frames.LogsFrame("audit log", tenant, lines, frames.Meta(r.Requests, r.Notices...), nil)
}

// Line renders one record as a log line: "user action objectType 'name' from ip: message".
func Line(r Record) string {
	var b strings.Builder
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	add(r.User)
	add(r.Action)
	add(r.ObjectType)
	if r.ObjectName != "" {
		add("'" + r.ObjectName + "'")
	}
	if r.SourceIP != "" {
		add("from " + r.SourceIP)
	}
	if r.Outcome == OutcomeFailure {
		add("(failed)")
	}
	if r.Message != "" && r.Message != r.Action {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		add(r.Message)
	}
	if b.Len() == 0 {
		return r.Raw
	}
	return b.String()
}

// Frames is the answer in the query's format: a table, or log lines (logs).
func Frames(r Result, q models.AuditLogsQuery, tenant string) data.Frames {
	if q.Format == models.FormatLogs {
		return data.Frames{logsFrame(r, tenant)}
	}
	return data.Frames{tableFrame(r, tenant)}
}
