package calm

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// Result is one query's answer: its frames or the error that only this query reports.
type Result struct {
	Frames data.Frames
	Err    error
	// Requests is how many HTTP requests answering this query took part in (shared ones included).
	Requests int
}

// Run sends the items that share window w in one POST and builds each query's frames. When Cloud ALM
// rejects a POST carrying several queries, each is sent again on its own, so that one bad query fails
// alone. A PRECONDITION_REQUIRED answer about a single query teaches reg the required filter, so the next
// query missing it is refused before it is sent.
func Run(ctx context.Context, c cpi.Source, reg *Registry, w Window, items []Item, tenant string) map[string]Result {
	out := make(map[string]Result, len(items))
	if len(items) == 0 {
		return out
	}
	req := BuildRequest(w, items)
	body, err := json.Marshal(req)
	if err != nil {
		for _, it := range items {
			out[it.RefID] = Result{Err: err}
		}
		return out
	}
	resp, err := c.Post(ctx, pathData, body)
	if err != nil {
		err = Explain(resp, err, c.ServiceRoot())
		if len(items) > 1 && splittable(err) {
			for _, it := range items {
				for ref, r := range Run(ctx, c, reg, w, []Item{it}, tenant) {
					r.Requests++
					out[ref] = r
				}
			}
			return out
		}
		if len(items) == 1 {
			reg.learn(items[0].Query.Provider, MissingFilter(err))
		}
		for _, it := range items {
			out[it.RefID] = Result{Err: err, Requests: 1}
		}
		return out
	}

	meta := frames.Meta([]string{"POST " + resp.URL + "\n" + string(body)}, Notices(resp.Header)...)
	for i := range meta.Stats {
		meta.Stats[i].DisplayName = "Cloud ALM requests"
	}
	if w.Format == models.CalmFormatTimeSeries || w.Format == models.FormatNumeric {
		// numeric asks for the time series and reduces each to one value.
		perQuery, err := DecodeSeries(resp.Body, len(items))
		if err != nil {
			return failAll(out, items, malformed(resp, err))
		}
		build := timeSeriesFrames
		if w.Format == models.FormatNumeric {
			build = numericFrames
		}
		for i, it := range items {
			out[it.RefID] = Result{Frames: build(it.RefID, it.Query, perQuery[i], tenant, meta), Requests: 1}
		}
		return out
	}
	tables, err := DecodeTables(resp.Body, len(items))
	if err != nil {
		return failAll(out, items, malformed(resp, err))
	}
	for i, it := range items {
		f, err := tableFrame(it.RefID, tables[i], tenant, meta)
		if err != nil {
			out[it.RefID] = Result{Err: malformed(resp, err), Requests: 1}
			continue
		}
		out[it.RefID] = Result{Frames: data.Frames{f}, Requests: 1}
	}
	return out
}

func failAll(out map[string]Result, items []Item, err error) map[string]Result {
	for _, it := range items {
		out[it.RefID] = Result{Err: err, Requests: 1}
	}
	return out
}

// splittable reports whether a failed POST may be caused by one of its queries (Cloud ALM refused the
// content), as opposed to a failure that would repeat for every query (authentication, rate limit, network).
func splittable(err error) bool {
	e, ok := cpi.AsError(err)
	if !ok {
		return false
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusPreconditionRequired,
		http.StatusPreconditionFailed, http.StatusInternalServerError:
		return e.Kind != cpi.KindNotFound
	}
	return false
}
