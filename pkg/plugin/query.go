package plugin

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/concurrent"

	"github.com/seed/sapcpi-datasource/pkg/artifacts"
	"github.com/seed/sapcpi-datasource/pkg/auditlog"
	"github.com/seed/sapcpi-datasource/pkg/calm"
	"github.com/seed/sapcpi-datasource/pkg/logfiles"
	"github.com/seed/sapcpi-datasource/pkg/messages"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/runtime/certificates"
	"github.com/seed/sapcpi-datasource/pkg/runtime/endpoints"
	"github.com/seed/sapcpi-datasource/pkg/runtime/inventory"
	"github.com/seed/sapcpi-datasource/pkg/runtime/jms"
	"github.com/seed/sapcpi-datasource/pkg/safe"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// queryHandler answers one query of one type.
type queryHandler func(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse

// handlers lists the implemented query types; the editor offers the same list (src/queries/*.ts).
var handlers = map[models.QueryType]queryHandler{
	models.QueryMessages:         messageHandler(models.QueryMessages, messages.List),
	models.QueryMessageCounts:    messageHandler(models.QueryMessageCounts, messages.Counts),
	models.QueryMessageDurations: messageHandler(models.QueryMessageDurations, messages.Durations),
	models.QueryErrorGroups:      messageHandler(models.QueryErrorGroups, messages.ErrorGroups),
	models.QueryStuckMessages:    messageHandler(models.QueryStuckMessages, messages.Stuck),
	models.QueryArtifacts:        queryArtifacts,
	models.QueryEndpoints:        queryEndpoints,
	models.QueryCertificates:     queryCertificates,
	models.QueryJMS:              queryJMS,
	models.QueryInventory:        queryInventory,
	models.QueryAuditLogs:        queryAuditLogs,
	models.QueryLogFiles:         queryLogFiles,
	models.QueryCalmMetrics:      queryCalmMetrics,
}

// maxParallelQueries bounds how many queries of one request run at once; the client bounds requests.
const maxParallelQueries = 4

// QueryData answers each query on its own: one failing query never fails the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	// The calmMetrics queries of the request that share a time window go to Cloud ALM in one POST.
	ctx = withCalmBatch(ctx, req.Queries)
	return concurrent.QueryData(ctx, req, func(ctx context.Context, q concurrent.Query) backend.DataResponse {
		return d.redactResponse(d.query(ctx, q.DataQuery))
	}, maxParallelQueries)
}

func (d *Datasource) query(ctx context.Context, q backend.DataQuery) backend.DataResponse {
	handler, ok := handlers[models.QueryType(q.QueryType)]
	if !ok {
		return badQuery(fmt.Errorf("unknown query type %q: choose one of %s", q.QueryType, implementedTypes()))
	}
	if d.configErr != nil {
		return badQuery(fmt.Errorf("the data source is not configured correctly: %w", d.configErr))
	}
	if err := checkQuery(q); err != nil {
		return badQuery(err)
	}
	var resp backend.DataResponse
	if err := safe.Call(func() error { resp = handler(ctx, d, q); return nil }); err != nil {
		return errorResponse(err)
	}
	return resp
}

func implementedTypes() string {
	names := slices.Sorted(maps.Keys(handlers))
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return strings.Join(out, ", ")
}

// badQuery fails one query whose options are invalid.
func badQuery(err error) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
}

// checkFormat refuses a format the query type does not produce, instead of silently answering a table.
func checkFormat(qt models.QueryType, f models.Format, allowed ...models.Format) error {
	if f == "" || slices.Contains(allowed, f) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return fmt.Errorf("the %s query has no format %q: choose %s", qt, f, strings.Join(names, " or "))
}

// messagesNow is the clock of the message queries (tests fix it to the simulated tenant's "now"); a
// Datasource built with NewDatasourceAt has its own.
var messagesNow = time.Now

// clock is the data source's clock for the message queries.
func (d *Datasource) clock() time.Time {
	if d.now != nil {
		return d.now()
	}
	return messagesNow()
}

// messageHandler decodes the query's options (refusing unknown ones) and runs it with the query's time
// range, which is applied in the backend so alert rules get the same answer as panels.
func messageHandler[Q any](qt models.QueryType, answer func(context.Context, *messages.Store, messages.Range, Q, string) (data.Frames, error)) queryHandler {
	return func(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
		var opts Q
		if err := models.ParseMessageQuery(qt, q.JSON, &opts); err != nil {
			return badQuery(err)
		}
		rg := messages.Range{From: q.TimeRange.From, To: q.TimeRange.To, Interval: q.Interval,
			MaxDataPoints: q.MaxDataPoints, Now: d.clock()}
		frames, err := answer(ctx, d.messages, rg, opts, d.settings.TenantLabel)
		if err != nil {
			return errorResponse(err)
		}
		return backend.DataResponse{Frames: frames}
	}
}

func queryArtifacts(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var aq models.ArtifactsQuery
	if err := models.Parse(models.QueryArtifacts, q.JSON, &aq); err != nil {
		return badQuery(err)
	}
	if aq.Format == models.FormatAnnotations {
		// Deployments within the panel's (or annotation query's) time range, as annotation events.
		res, err := artifacts.Deployments(ctx, d.client, aq, q.TimeRange.From, q.TimeRange.To)
		if err != nil {
			return errorResponse(err)
		}
		return backend.DataResponse{Frames: []*data.Frame{artifacts.AnnotationFrame(res, d.settings.TenantLabel)}}
	}
	res, err := artifacts.Fetch(ctx, d.client, aq)
	if err != nil {
		return errorResponse(err)
	}
	if aq.Format == models.FormatNumeric {
		return backend.DataResponse{Frames: artifacts.StatusFrames(res, d.settings.TenantLabel)}
	}
	return backend.DataResponse{Frames: []*data.Frame{artifacts.TableFrame(res, d.settings.TenantLabel)}}
}
func queryEndpoints(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var eq models.EndpointsQuery
	if err := models.Parse(models.QueryEndpoints, q.JSON, &eq); err != nil {
		return badQuery(err)
	}
	res, err := endpoints.Fetch(ctx, d.client, eq)
	if err != nil {
		return errorResponse(err)
	}
	return backend.DataResponse{Frames: data.Frames{endpoints.TableFrame(res, d.settings.TenantLabel)}}
}

func queryCertificates(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var cq models.CertificatesQuery
	if err := models.Parse(models.QueryCertificates, q.JSON, &cq); err != nil {
		return badQuery(err)
	}
	if err := checkFormat(models.QueryCertificates, cq.Format, models.FormatTable, models.FormatNumeric); err != nil {
		return badQuery(err)
	}
	// Days left are counted from the moment of the query (the panel's time range does not change them).
	now := time.Now()
	res, err := certificates.Fetch(ctx, d.client, cq, now)
	if err != nil {
		return errorResponse(err)
	}
	if cq.Format == models.FormatNumeric {
		return backend.DataResponse{Frames: certificates.DaysLeftFrames(res, d.settings.TenantLabel)}
	}
	return backend.DataResponse{Frames: data.Frames{certificates.TableFrame(res, d.settings.TenantLabel, cq.WithChain, now)}}
}

func queryJMS(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var jq models.JMSQuery
	if err := models.Parse(models.QueryJMS, q.JSON, &jq); err != nil {
		return badQuery(err)
	}
	if err := checkFormat(models.QueryJMS, jq.Format, models.FormatTable, models.FormatNumeric); err != nil {
		return badQuery(err)
	}
	if err := jms.CheckMetric(jq.JMSMetric); err != nil {
		return badQuery(err)
	}
	res, err := jms.Fetch(ctx, d.client)
	if err != nil {
		return errorResponse(err)
	}
	if jq.Format == models.FormatNumeric {
		return backend.DataResponse{Frames: jms.NumericFrames(res, d.settings.TenantLabel, jq.JMSMetric)}
	}
	return backend.DataResponse{Frames: jms.TableFrames(res, d.settings.TenantLabel)}
}

func queryInventory(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var iq models.InventoryQuery
	if err := models.Parse(models.QueryInventory, q.JSON, &iq); err != nil {
		return badQuery(err)
	}
	res, err := d.inventory.Fetch(ctx, d.client, iq)
	if err != nil {
		return errorResponse(err)
	}
	return backend.DataResponse{Frames: data.Frames{inventory.TableFrame(res, d.settings.TenantLabel)}}
}

func logQueryError(format string, args ...any) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, fmt.Sprintf(format, args...))
}

func queryAuditLogs(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var aq models.AuditLogsQuery
	if err := models.Parse(models.QueryAuditLogs, q.JSON, &aq); err != nil {
		return logQueryError("%s", err.Error())
	}
	if aq.Format != "" && aq.Format != models.FormatTable && aq.Format != models.FormatLogs {
		return logQueryError("the auditLogs query has no format %q: use table or logs", aq.Format)
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

func queryLogFiles(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var lq models.LogFilesQuery
	if err := models.Parse(models.QueryLogFiles, q.JSON, &lq); err != nil {
		return logQueryError("%s", err.Error())
	}
	if lq.Format != "" && lq.Format != models.FormatTable && lq.Format != models.FormatLogs {
		return logQueryError("the logFiles query has no format %q: use table or logs", lq.Format)
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

func queryCalmMetrics(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	c, err := d.calmClient()
	if err != nil {
		return badQuery(err)
	}
	cq, err := decodeCalmQuery(q)
	if err != nil {
		return badQuery(err)
	}
	batch, _ := ctx.Value(calmBatchKey{}).(*calm.Batch)
	res := batch.Answer(ctx, c, d.calmState, cq, d.settings.TenantLabel)
	var wait *calm.WaitError
	if errors.As(res.Err, &wait) {
		return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourceDownstream, res.Err.Error())
	}
	if res.Err != nil {
		return errorResponse(res.Err)
	}
	return backend.DataResponse{Frames: res.Frames}
}

// calmBatchKey carries the calm.Batch of one QueryData request (withCalmBatch).
type calmBatchKey struct{}

// withCalmBatch gives the calmMetrics handlers the request's calmMetrics queries, so those sharing a
// window go to Cloud ALM in one POST; queries whose model does not decode are answered alone.
func withCalmBatch(ctx context.Context, queries []backend.DataQuery) context.Context {
	var cqs []calm.Query
	for _, q := range queries {
		if models.QueryType(q.QueryType) != models.QueryCalmMetrics {
			continue
		}
		if cq, err := decodeCalmQuery(q); err == nil {
			cqs = append(cqs, cq)
		}
	}
	return context.WithValue(ctx, calmBatchKey{}, calm.NewBatch(cqs))
}

// decodeCalmQuery decodes a calmMetrics query.
func decodeCalmQuery(q backend.DataQuery) (calm.Query, error) {
	var opts models.CalmMetricsQuery
	if err := models.Parse(models.QueryCalmMetrics, q.JSON, &opts); err != nil {
		return calm.Query{}, err
	}
	return calm.Query{RefID: q.RefID, Options: opts, Range: calm.Range{From: q.TimeRange.From, To: q.TimeRange.To,
		Interval: q.Interval, MaxDataPoints: q.MaxDataPoints}}, nil
}
