package plugin

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/auditlog"
	"github.com/seed/sapcpi-datasource/pkg/logfiles"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// logHandlers: the log query types.
var logHandlers = map[models.QueryType]queryHandler{
	models.QueryAuditLogs: queryAuditLogs,
	models.QueryLogFiles:  queryLogFiles,
}

// logVariables: the log template-variable kinds. "logFiles" also feeds the file picker of the logFiles
// editor; filter = http | trace.
var logVariables = map[string]variableProvider{
	"logFiles": func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error) {
		if d.settings.Environment != settings.EnvironmentNeo {
			return nil, logfiles.ErrNotNeo
		}
		res, err := logfiles.List(ctx, d.client, logfiles.Options{Query: models.LogFilesQuery{LogFileType: params.Get("filter")}})
		if err != nil {
			return nil, err
		}
		out := make([]VariableValue, 0, len(res.Files))
		for _, f := range res.Files {
			if !slices.ContainsFunc(out, func(v VariableValue) bool { return v.Value == f.Name }) {
				out = append(out, VariableValue{Text: f.Name, Value: f.Name})
			}
		}
		// Newest first, as listed: the file of today is what one usually wants.
		return out, nil
	},
}

func logQueryError(format string, args ...any) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, fmt.Sprintf(format, args...))
}

func queryAuditLogs(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var aq models.AuditLogsQuery
	if err := models.Parse(models.QueryAuditLogs, q.JSON, &aq); err != nil {
		return logQueryError("%s", err.Error())
	}
	var err error
	if aq.Format, err = models.ResolveFormat(models.QueryAuditLogs, aq.Format); err != nil {
		return logQueryError("%s", err.Error())
	}
	c, err := d.auditLogGetter()
	if err != nil {
		return logQueryError("%s", err.Error())
	}
	res, err := auditlog.Fetch(ctx, c, auditlog.Options{
		From: q.TimeRange.From, To: q.TimeRange.To, Query: aq,
		Neo: d.settings.Environment == settings.EnvironmentNeo,
	})
	if err != nil {
		return errorResponse(err)
	}
	if aq.Format == models.FormatLogs {
		return backend.DataResponse{Frames: data.Frames{auditlog.LogsFrame(res, d.settings.TenantLabel)}}
	}
	return backend.DataResponse{Frames: data.Frames{auditlog.TableFrame(res, d.settings.TenantLabel)}}
}

// auditLogGetter is the audit log connection's client (built with the API's own rate limit), or an error
// that says how to configure the connection for the tenant's environment.
func (d *Datasource) auditLogGetter() (auditlog.Getter, error) {
	if d.auditLog == nil && d.auditLogErr == nil {
		return nil, auditlog.NotConfiguredError(d.settings.Environment)
	}
	return d.auditLogClient()
}

func queryLogFiles(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var lq models.LogFilesQuery
	if err := models.Parse(models.QueryLogFiles, q.JSON, &lq); err != nil {
		return logQueryError("%s", err.Error())
	}
	var err error
	if lq.Format, err = models.ResolveFormat(models.QueryLogFiles, lq.Format); err != nil {
		return logQueryError("%s", err.Error())
	}
	if d.settings.Environment != settings.EnvironmentNeo {
		return logQueryError("%s", logfiles.ErrNotNeo.Error())
	}
	lq.FileName = strings.TrimSpace(lq.FileName)
	res, err := logfiles.Fetch(ctx, d.client, logfiles.Options{From: q.TimeRange.From, To: q.TimeRange.To, Query: lq})
	if err != nil {
		return errorResponse(err)
	}
	tenant := d.settings.TenantLabel
	switch {
	case lq.FileName == "":
		if lq.Format == models.FormatLogs {
			res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityInfo,
				Text: "Choose a file to see its lines as logs; without a file the query lists the log files."})
		}
		return backend.DataResponse{Frames: data.Frames{logfiles.ListFrame(res, tenant)}}
	case lq.Format == models.FormatLogs:
		return backend.DataResponse{Frames: data.Frames{logfiles.LogsFrame(res, tenant)}}
	default:
		return backend.DataResponse{Frames: data.Frames{logfiles.LinesTableFrame(res, tenant)}}
	}
}
