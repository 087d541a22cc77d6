package logfiles

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// listFrame lists the log files, newest first.
func listFrame(r Result, tenant string) *data.Frame {
	n := len(r.Files)
	names, apps, types := make([]string, n), make([]string, n), make([]string, n)
	sizes := make([]int64, n)
	modified := make([]*time.Time, n)
	for i, f := range r.Files {
		names[i], apps[i], types[i], sizes[i] = f.Name, f.Application, f.LogFileType, int64(f.Size)
		if !f.LastModified.IsZero() {
			t := f.LastModified.Time
			modified[i] = &t
		}
	}
	size := data.NewField("Size", nil, sizes)
	size.Config = &data.FieldConfig{Unit: "bytes"}
	frame := data.NewFrame("log files",
		data.NewField("Name", nil, names),
		data.NewField("Application", nil, apps),
		data.NewField("Type", nil, types),
		size,
		data.NewField("Last modified", nil, modified),
		frames.TenantColumn(tenant, n),
	)
	return tableMeta(frame, r)
}

// tableFrame is the parsed lines of the file: access log columns or trace log columns.
func tableFrame(r Result, tenant string) *data.Frame {
	if r.File != nil && isTrace(r) {
		return traceTable(r, tenant)
	}
	n := len(r.Access)
	ts := make([]time.Time, n)
	methods, paths, agents, ips, users := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	statuses, sizes := make([]*int64, n), make([]*int64, n)
	durations := make([]*float64, n)
	for i, a := range r.Access {
		ts[i], methods[i], paths[i], agents[i], ips[i], users[i] = a.Time, a.Method, a.Path, a.UserAgent, a.ClientIP, a.User
		statuses[i], sizes[i], durations[i] = a.Status, a.Bytes, a.DurationMS
	}
	duration := data.NewField("Duration", nil, durations)
	duration.Config = &data.FieldConfig{Unit: "ms"}
	size := data.NewField("Size", nil, sizes)
	size.Config = &data.FieldConfig{Unit: "bytes"}
	frame := data.NewFrame(frameName(r),
		data.NewField("Time", nil, ts),
		data.NewField("Method", nil, methods),
		data.NewField("Path", nil, paths),
		data.NewField("Status", nil, statuses),
		duration,
		size,
		data.NewField("User agent", nil, agents),
		data.NewField("Client IP", nil, ips),
		data.NewField("User", nil, users),
		frames.TenantColumn(tenant, n),
	)
	return tableMeta(frame, r)
}

func traceTable(r Result, tenant string) *data.Frame {
	n := len(r.Trace)
	ts := make([]time.Time, n)
	levels, cats, msgs := make([]string, n), make([]string, n), make([]string, n)
	for i, t := range r.Trace {
		ts[i], levels[i], cats[i], msgs[i] = t.Time, t.Level, t.Category, t.Message
	}
	frame := data.NewFrame(frameName(r),
		data.NewField("Time", nil, ts),
		data.NewField("Level", nil, levels),
		data.NewField("Category", nil, cats),
		data.NewField("Message", nil, msgs),
		frames.TenantColumn(tenant, n),
	)
	return tableMeta(frame, r)
}

// logsFrame is the data plane "log-lines" frame of the file's lines: the raw line as body, a severity
// from the HTTP status or the trace level, and labels to filter by.
func logsFrame(r Result, tenant string) *data.Frame {
	file := ""
	if r.File != nil {
		file = r.File.Name
	}
	lines := []frames.LogLine{}
	add := func(t time.Time, body, severity string, l map[string]string) {
		if file != "" {
			l["file"] = file
		}
		lines = append(lines, frames.LogLine{Time: t, Body: body, Severity: severity, ID: fmt.Sprintf("%s:%d", file, len(lines)), Labels: l})
	}
	if r.File != nil && isTrace(r) {
		for _, t := range r.Trace {
			add(t.Time, t.Raw, traceSeverity(t.Level), map[string]string{"level": t.Level, "category": t.Category})
		}
	} else {
		for _, a := range r.Access {
			l := map[string]string{"method": a.Method}
			sev := "info"
			if a.Status != nil {
				l["status"] = strconv.FormatInt(*a.Status, 10)
				switch {
				case *a.Status >= 500:
					sev = "error"
				case *a.Status >= 400:
					sev = "warning"
				}
			}
			add(a.Time, a.Raw, sev, l)
		}
	}
	return frames.LogsFrame(frameName(r), tenant, lines, frames.Meta(r.Requests, r.Notices...), nil)
}

func traceSeverity(level string) string {
	switch strings.ToUpper(level) {
	case "FATAL":
		return "critical"
	case "ERROR":
		return "error"
	case "WARNING", "WARN":
		return "warning"
	case "DEBUG", "PATH", "ALL":
		return "debug"
	}
	return "info"
}

func isTrace(r Result) bool {
	return len(r.Trace) > 0 || (r.File != nil && (r.File.LogFileType == "trace" || (r.File.LogFileType == "" && strings.Contains(r.File.Name, "trace"))))
}

func frameName(r Result) string {
	if r.File != nil {
		return r.File.Name
	}
	return "log file"
}

func tableMeta(frame *data.Frame, r Result) *data.Frame {
	frame.Meta = frames.Meta(r.Requests, r.Notices...)
	frame.Meta.Type = data.FrameTypeTable
	frame.Meta.PreferredVisualization = data.VisTypeTable
	return frame
}

// Frames is the answer in the query's format: without a file the list of log files; with one its lines as
// a table, or as log lines (logs).
func Frames(r Result, q models.LogFilesQuery, tenant string) data.Frames {
	switch {
	case strings.TrimSpace(q.FileName) == "":
		if q.Format == models.FormatLogs {
			r.Notices = append(r.Notices, data.Notice{Severity: data.NoticeSeverityInfo,
				Text: "Choose a file to see its lines as logs; without a file the query lists the log files."})
		}
		return data.Frames{listFrame(r, tenant)}
	case q.Format == models.FormatLogs:
		return data.Frames{logsFrame(r, tenant)}
	default:
		return data.Frames{tableFrame(r, tenant)}
	}
}
