package plugin

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/concurrent"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

// queryHandler answers one query of one type.
type queryHandler func(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse

// handlers lists the implemented query types, one map per family, each in the family's own file
// (artifacts.go, messages.go, runtime.go, logs.go, calm.go); the editor offers the same list (src/types.ts).
var handlers = mergeHandlers(artifactHandlers, messageHandlers, runtimeHandlers, logHandlers, calmHandlers)

func mergeHandlers(families ...map[models.QueryType]queryHandler) map[models.QueryType]queryHandler {
	out := map[models.QueryType]queryHandler{}
	for _, f := range families {
		for t, h := range f {
			if _, dup := out[t]; dup {
				panic("query type registered twice: " + string(t))
			}
			out[t] = h
		}
	}
	return out
}

// maxParallelQueries bounds how many queries of one request run at once; the client bounds requests.
const maxParallelQueries = 4

// QueryData answers each query on its own: one failing query never fails the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	// The handlers see every query of the request, so calmMetrics queries sharing a time range go to Cloud
	// ALM in one POST.
	ctx = withRequestQueries(ctx, req.Queries)
	return concurrent.QueryData(ctx, req, func(ctx context.Context, q concurrent.Query) backend.DataResponse {
		return d.redactResponse(d.query(ctx, q.DataQuery))
	}, maxParallelQueries)
}

func (d *Datasource) query(ctx context.Context, q backend.DataQuery) backend.DataResponse {
	handler, ok := handlers[models.QueryType(q.QueryType)]
	if !ok {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			fmt.Sprintf("unknown query type %q: choose one of %s", q.QueryType, implementedTypes()))
	}
	if d.configErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			"the data source is not configured correctly: "+d.configErr.Error())
	}
	if err := checkQuery(q); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
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
