package plugin

import (
	"context"
	"net/http"

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
	res, err := artifacts.Fetch(ctx, d.client, aq)
	if err != nil {
		return errorResponse(err)
	}
	if aq.Format == models.FormatNumeric {
		return backend.DataResponse{Frames: artifacts.StatusFrames(res, d.settings.TenantLabel)}
	}
	return backend.DataResponse{Frames: []*data.Frame{artifacts.TableFrame(res, d.settings.TenantLabel)}}
}

// registerArtifactResources adds the artifacts look-ups for the editors (none yet).
func registerArtifactResources(_ *http.ServeMux, _ *Datasource) {}
