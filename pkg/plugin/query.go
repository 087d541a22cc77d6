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
	models.QueryMessages:         fetchFrames(models.QueryMessages, messageFetch(messages.FetchList), messages.ListFrames),
	models.QueryMessageCounts:    fetchFrames(models.QueryMessageCounts, messageFetch(messages.FetchCounts), messages.CountsFrames),
	models.QueryMessageDurations: fetchFrames(models.QueryMessageDurations, messageFetch(messages.FetchDurations), messages.DurationsFrames),
	models.QueryErrorGroups:      fetchFrames(models.QueryErrorGroups, messageFetch(messages.FetchErrorGroups), messages.ErrorGroupsFrames),
	models.QueryStuckMessages:    fetchFrames(models.QueryStuckMessages, messageFetch(messages.FetchStuck), messages.StuckFrames),
	models.QueryArtifacts:        fetchFrames(models.QueryArtifacts, fetchArtifacts, artifacts.Frames),
	models.QueryEndpoints:        fetchFrames(models.QueryEndpoints, fetchEndpoints, endpoints.Frames),
	models.QueryCertificates:     fetchFrames(models.QueryCertificates, fetchCertificates, certificates.Frames),
	models.QueryJMS:              fetchFrames(models.QueryJMS, fetchJMS, jms.Frames),
	models.QueryInventory:        fetchFrames(models.QueryInventory, fetchInventory, inventory.Frames),
	models.QueryAuditLogs:        fetchFrames(models.QueryAuditLogs, fetchAuditLogs, auditlog.Frames),
	models.QueryLogFiles:         fetchFrames(models.QueryLogFiles, fetchLogFiles, logfiles.Frames),
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

// messageFetch is the fetch step of a message type: the type's fetch on the instance's messages.Store and
// the query's time range, which is applied in the backend so alert rules get the same answer as panels. The
// message types resolve their format themselves.
func messageFetch[Q, R any](fetch func(context.Context, *messages.Store, messages.Range, Q) (R, error)) func(context.Context, *Datasource, backend.DataQuery, *Q) (R, error) {
	return func(ctx context.Context, d *Datasource, q backend.DataQuery, o *Q) (R, error) {
		rg := messages.Range{From: q.TimeRange.From, To: q.TimeRange.To, Interval: q.Interval,
			MaxDataPoints: q.MaxDataPoints, Now: d.clock()}
		return fetch(ctx, d.messages, rg, *o)
	}
}

// fetchFrames is the shape of every query type but calmMetrics: the options are decoded
// (refusing unknown ones), fetch resolves the format (models.ResolveFormat) and reads the result, and the
// domain package frames it for the format.
func fetchFrames[Q, R any](qt models.QueryType, fetch func(context.Context, *Datasource, backend.DataQuery, *Q) (R, error),
	frames func(R, Q, string) data.Frames) queryHandler {
	return func(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
		var opts Q
		if err := models.Parse(qt, q.JSON, &opts); err != nil {
			return badQuery(err)
		}
		res, err := fetch(ctx, d, q, &opts)
		var refused *refusedError
		if errors.As(err, &refused) {
			return badQuery(refused.err)
		}
		if err != nil {
			return errorResponse(err)
		}
		return backend.DataResponse{Frames: frames(res, opts, d.settings.TenantLabel)}
	}
}

// refusedError marks what a fetch step refuses before any request: options or a connection that cannot
// work (HTTP 400 on the query).
type refusedError struct{ err error }

func (e *refusedError) Error() string { return e.err.Error() }

func refuse(err error) error {
	if err == nil {
		return nil
	}
	return &refusedError{err: err}
}

func fetchArtifacts(ctx context.Context, d *Datasource, q backend.DataQuery, o *models.ArtifactsQuery) (artifacts.Result, error) {
	var err error
	if o.Format, err = models.ResolveFormat(models.QueryArtifacts, o.Format); err != nil {
		return artifacts.Result{}, refuse(err)
	}
	if o.Format == models.FormatAnnotations {
		// Deployments within the panel's (or annotation query's) time range, as annotation events.
		return artifacts.Deployments(ctx, d.client, *o, q.TimeRange.From, q.TimeRange.To)
	}
	return artifacts.Fetch(ctx, d.client, *o)
}

func fetchEndpoints(ctx context.Context, d *Datasource, _ backend.DataQuery, o *models.EndpointsQuery) (endpoints.Result, error) {
	return endpoints.Fetch(ctx, d.client, *o)
}

func fetchCertificates(ctx context.Context, d *Datasource, _ backend.DataQuery, o *models.CertificatesQuery) (certificates.Result, error) {
	var err error
	if o.Format, err = models.ResolveFormat(models.QueryCertificates, o.Format); err != nil {
		return certificates.Result{}, refuse(err)
	}
	// Days left are counted from the moment of the query (the panel's time range does not change them).
	return certificates.Fetch(ctx, d.client, *o, time.Now())
}

func fetchJMS(ctx context.Context, d *Datasource, _ backend.DataQuery, o *models.JMSQuery) (jms.Result, error) {
	var err error
	if o.Format, err = models.ResolveFormat(models.QueryJMS, o.Format); err != nil {
		return jms.Result{}, refuse(err)
	}
	if err := jms.CheckMetric(o.JMSMetric); err != nil {
		return jms.Result{}, refuse(err)
	}
	return jms.Fetch(ctx, d.client)
}

func fetchInventory(ctx context.Context, d *Datasource, _ backend.DataQuery, o *models.InventoryQuery) (inventory.Result, error) {
	return d.inventory.Fetch(ctx, d.client, *o)
}

func fetchAuditLogs(ctx context.Context, d *Datasource, q backend.DataQuery, o *models.AuditLogsQuery) (auditlog.Result, error) {
	var err error
	if o.Format, err = models.ResolveFormat(models.QueryAuditLogs, o.Format); err != nil {
		return auditlog.Result{}, refuse(err)
	}
	c, err := d.auditLogGetter()
	if err != nil {
		return auditlog.Result{}, refuse(err)
	}
	return auditlog.Fetch(ctx, c, auditlog.Options{
		From: q.TimeRange.From, To: q.TimeRange.To, Query: *o,
		Neo: d.settings.Environment == settings.EnvironmentNeo,
	})
}

func fetchLogFiles(ctx context.Context, d *Datasource, q backend.DataQuery, o *models.LogFilesQuery) (logfiles.Result, error) {
	var err error
	if o.Format, err = models.ResolveFormat(models.QueryLogFiles, o.Format); err != nil {
		return logfiles.Result{}, refuse(err)
	}
	if d.settings.Environment != settings.EnvironmentNeo {
		return logfiles.Result{}, refuse(logfiles.ErrNotNeo)
	}
	o.FileName = strings.TrimSpace(o.FileName)
	return logfiles.Fetch(ctx, d.client, logfiles.Options{From: q.TimeRange.From, To: q.TimeRange.To, Query: *o})
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
