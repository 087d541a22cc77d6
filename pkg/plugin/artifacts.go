package plugin

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/artifacts"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

var artifactHandlers = map[models.QueryType]queryHandler{
	models.QueryArtifacts: queryArtifacts,
}

func queryArtifacts(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
	var aq models.ArtifactsQuery
	if err := models.Parse(models.QueryArtifacts, q.JSON, &aq); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	var err error
	if aq.Format, err = models.ResolveFormat(models.QueryArtifacts, aq.Format); err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
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

var artifactVariables = map[string]variableProvider{
	// The ids of the deployed artifacts; filter = part of the name or id, as in the query.
	"artifacts": func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error) {
		res, err := artifacts.List(ctx, d.client, models.ArtifactsQuery{ArtifactName: params.Get("filter")})
		if err != nil {
			return nil, err
		}
		out := make([]VariableValue, len(res.Artifacts))
		for i, a := range res.Artifacts {
			out[i] = VariableValue{Text: a.Name, Value: a.ID}
		}
		slices.SortFunc(out, func(a, b VariableValue) int { return strings.Compare(a.Text, b.Text) })
		return out, nil
	},
}
