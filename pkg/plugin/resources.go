package plugin

import (
	"context"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

var _ backend.CallResourceHandler = (*Datasource)(nil)

// resourceRoutes register the editors' look-ups (pickers and template variables share variables/{kind}),
// so they reuse the instance's client and cache.
var resourceRoutes = []func(mux *http.ServeMux, d *Datasource){
	registerVariableResources, registerCalmResources,
}

func newResourceHandler(d *Datasource) backend.CallResourceHandler {
	mux := http.NewServeMux()
	for _, register := range resourceRoutes {
		register(mux, d)
	}
	return httpadapter.New(mux)
}

// CallResource serves /api/datasources/uid/<uid>/resources/… for the query editors.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	sender = redactingSender{d: d, next: sender}
	if d.configErr != nil {
		return sender.Send(&backend.CallResourceResponse{
			Status: http.StatusBadRequest,
			Body:   []byte(`{"error":` + jsonString("the data source is not configured correctly: "+d.configErr.Error()) + `}`),
		})
	}
	return d.resources.CallResource(ctx, req, sender)
}
