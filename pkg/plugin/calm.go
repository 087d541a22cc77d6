package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/calm"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// calmHandlers: the calm query types.
var calmHandlers = map[models.QueryType]queryHandler{
	models.QueryCalmMetrics: queryCalmMetrics,
}

// calmVariables: the calm template-variable kinds. They answer the editors' pickers as well.
var calmVariables = map[string]variableProvider{
	// Providers: text = description (e.g. "IM - Cloud Platform Integration"), value = name (CPI_MESSAGES).
	"calmProviders": func(ctx context.Context, d *Datasource, _ url.Values) ([]VariableValue, error) {
		c, err := d.calmClient()
		if err != nil {
			return nil, err
		}
		providers, err := calm.Providers(ctx, c)
		if err != nil {
			return nil, err
		}
		out := make([]VariableValue, 0, len(providers))
		for _, p := range providers {
			out = append(out, VariableValue{Text: p.Label(), Value: p.Name})
		}
		slices.SortFunc(out, func(a, b VariableValue) int { return strings.Compare(strings.ToLower(a.Text), strings.ToLower(b.Text)) })
		return out, nil
	},
	// The values of one dimension of one provider; filter = "<provider>:<dimension>", e.g.
	// "CPI_MESSAGES:IntegrationArtifactName" (the iFlows Cloud ALM knows).
	"calmDimensionValues": func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error) {
		c, err := d.calmClient()
		if err != nil {
			return nil, err
		}
		provider, dimension, ok := strings.Cut(params.Get("filter"), ":")
		provider, dimension = strings.TrimSpace(provider), strings.TrimSpace(dimension)
		if !ok || provider == "" || dimension == "" {
			return nil, errors.New("the filter of calmDimensionValues must be <provider>:<dimension>, e.g. CPI_MESSAGES:IntegrationArtifactName")
		}
		filters, err := calm.Filters(ctx, c, d.calmState, provider, dimension, nil)
		if err != nil {
			return nil, err
		}
		for _, f := range filters {
			if f.Key != dimension {
				continue
			}
			out := make([]VariableValue, 0, len(f.Values))
			for _, v := range f.Values {
				text := v.Label
				if text == "" {
					text = v.Key
				}
				out = append(out, VariableValue{Text: text, Value: v.Key})
			}
			return out, nil
		}
		return nil, fmt.Errorf("the Cloud ALM provider %s has no dimension %s", provider, dimension)
	},
}

// calmFiltersRequest is the body of POST calm/filters: the editor's look-up of a provider's dimensions,
// measures and filters, narrowed by the current selection (dependent filters of a triggerRefresh filter).
type calmFiltersRequest struct {
	Provider string                 `json:"provider"`
	Name     string                 `json:"name,omitempty"`
	Filters  []calm.FilterSelection `json:"filters,omitempty"`
}

// calmFiltersResponse lists the provider's filters (Required set) and the required keys.
type calmFiltersResponse struct {
	Filters  []calm.Filter `json:"filters"`
	Required []string      `json:"required"`
}

// registerCalmResources serves POST calm/filters (listed in resourceRoutes).
func registerCalmResources(mux *http.ServeMux, d *Datasource) {
	mux.HandleFunc("POST /calm/filters", func(w http.ResponseWriter, r *http.Request) {
		c, err := d.calmClient()
		if err != nil {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		var req calmFiltersRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
			writeJSONError(w, http.StatusBadRequest, "the body must be JSON {provider, name?, filters?}")
			return
		}
		if strings.TrimSpace(req.Provider) == "" {
			writeJSONError(w, http.StatusBadRequest, "choose a Cloud ALM data provider first")
			return
		}
		filters, err := calm.Filters(r.Context(), c, d.calmState, strings.TrimSpace(req.Provider), req.Name, req.Filters)
		if err != nil {
			writeJSONError(w, http.StatusBadGateway, err.Error())
			return
		}
		if filters == nil {
			filters = []calm.Filter{}
		}
		required := d.calmState.Required(req.Provider)
		if required == nil {
			required = []string{}
		}
		writeJSON(w, http.StatusOK, calmFiltersResponse{Filters: filters, Required: required})
	})
}

func queryCalmMetrics(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	c, err := d.calmClient()
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	var cq models.CalmMetricsQuery
	if err := models.Parse(models.QueryCalmMetrics, q.JSON, &cq); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	cq, window, err := calm.Plan(cq, q, d.calmState)
	if err != nil {
		return errorResponse(err)
	}
	run := func(items []calm.Item) map[string]calm.Result {
		return calm.Run(ctx, c, d.calmState, window, items, d.settings.TenantLabel)
	}
	var results map[string]calm.Result
	if st, ok := ctx.Value(requestQueriesKey{}).(*calmRequestState); ok {
		results, err = st.run(ctx, window.Key(), func() map[string]calm.Result {
			return run(st.siblings(d, window))
		})
		if err != nil {
			return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourceDownstream,
				"the query was cancelled while waiting for the Cloud ALM request it shares with other queries: "+err.Error())
		}
	}
	res, ok := results[q.RefID]
	if !ok {
		// Not batched (no request state, or the query is not among the siblings): send it alone.
		res = run([]calm.Item{{RefID: q.RefID, Query: cq}})[q.RefID]
	}
	if res.Err != nil {
		return errorResponse(res.Err)
	}
	return backend.DataResponse{Frames: res.Frames}
}

// requestQueriesKey carries the queries of one QueryData request (withRequestQueries).
type requestQueriesKey struct{}

// withRequestQueries gives the query handlers all queries of the request, so that calmMetrics queries
// sharing a time range go to Cloud ALM in one POST (Cloud ALM answers several queries per request, index-
// aligned). QueryData calls it once per request.
func withRequestQueries(ctx context.Context, queries []backend.DataQuery) context.Context {
	return context.WithValue(ctx, requestQueriesKey{}, &calmRequestState{queries: queries, calls: map[string]*calmCall{}})
}

// calmRequestState runs one POST per window for the calmMetrics queries of a request: the first query of
// a window sends it for all, the others wait for its result.
type calmRequestState struct {
	queries []backend.DataQuery
	mu      sync.Mutex
	calls   map[string]*calmCall
}

type calmCall struct {
	done    chan struct{}
	results map[string]calm.Result
}

// run returns the results of the window's request, sending it when this query is the first of its window.
// A query waiting for another one's request stops waiting when its own context ends.
func (st *calmRequestState) run(ctx context.Context, key string, fn func() map[string]calm.Result) (map[string]calm.Result, error) {
	st.mu.Lock()
	if call, ok := st.calls[key]; ok {
		st.mu.Unlock()
		select {
		case <-call.done:
			return call.results, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &calmCall{done: make(chan struct{})}
	st.calls[key] = call
	st.mu.Unlock()
	defer close(call.done)
	call.results = fn()
	return call.results, nil
}

// siblings are the request's calmMetrics queries (in request order) that plan to window w; queries that do
// not plan (invalid, missing a required filter) are answered on their own with their error.
func (st *calmRequestState) siblings(d *Datasource, w calm.Window) []calm.Item {
	var items []calm.Item
	for _, q := range st.queries {
		if models.QueryType(q.QueryType) != models.QueryCalmMetrics || q.RefID == "" {
			continue
		}
		var cq models.CalmMetricsQuery
		if models.Parse(models.QueryCalmMetrics, q.JSON, &cq) != nil {
			continue
		}
		planned, qw, err := calm.Plan(cq, q, d.calmState)
		if err != nil || qw.Key() != w.Key() {
			continue
		}
		items = append(items, calm.Item{RefID: q.RefID, Query: planned})
	}
	return items
}
