package plugin

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/seed/sapcpi-datasource/pkg/artifacts"
	"github.com/seed/sapcpi-datasource/pkg/calm"
	"github.com/seed/sapcpi-datasource/pkg/logfiles"
	"github.com/seed/sapcpi-datasource/pkg/messages"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/runtime/certificates"
	"github.com/seed/sapcpi-datasource/pkg/runtime/inventory"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

var _ backend.CallResourceHandler = (*Datasource)(nil)

// CallResource serves /api/datasources/uid/<uid>/resources/… for the query editors: the pickers and
// template variables share GET variables/{kind}; the Cloud ALM editor asks POST calm/filters. They reuse
// the instance's clients and cache.
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

func newResourceHandler(d *Datasource) backend.CallResourceHandler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /variables/{kind}", d.serveVariable)
	mux.HandleFunc("POST /calm/filters", d.serveCalmFilters)
	return httpadapter.New(mux)
}

// variableProvider lists the values of one variable kind; filter is the editor's optional filter.
type variableProvider func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error)

// variableProviders lists the template-variable kinds; the editor lists the same kinds
// (src/queries/<family>.ts variableKinds).
var variableProviders = map[string]variableProvider{
	// Deployed iFlows (text = name, value = id; filter = a package id); packages, senders, receivers: seen in
	// the message logs of the last 24 hours (filter = part of the name); statuses: the status values.
	"iflows":    messageVariable("iflows"),
	"packages":  messageVariable("packages"),
	"statuses":  messageVariable("statuses"),
	"senders":   messageVariable("senders"),
	"receivers": messageVariable("receivers"),
	"artifacts": func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error) {
		return artifacts.Variables(ctx, d.client, filter)
	},
	// Named designPackages because "packages" lists the packages seen in message logs.
	"designPackages": func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error) {
		return inventory.PackageVariables(ctx, d.client, filter)
	},
	"certificateAliases": func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error) {
		return certificates.AliasVariables(ctx, d.client, filter)
	},
	"logFiles": func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error) {
		if d.settings.Environment != settings.EnvironmentNeo {
			return nil, logfiles.ErrNotNeo
		}
		return logfiles.FileVariables(ctx, d.client, filter)
	},
	"calmProviders": func(ctx context.Context, d *Datasource, _ string) ([]models.VariableValue, error) {
		c, err := d.calmClient()
		if err != nil {
			return nil, err
		}
		return calm.ProviderVariables(ctx, c)
	},
	"calmDimensionValues": func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error) {
		c, err := d.calmClient()
		if err != nil {
			return nil, err
		}
		return calm.DimensionValueVariables(ctx, c, d.calmState, filter)
	},
}

func messageVariable(kind string) variableProvider {
	return func(ctx context.Context, d *Datasource, filter string) ([]models.VariableValue, error) {
		opts, err := messages.Variables(ctx, d.messages, kind, filter, d.clock())
		if err != nil {
			return nil, err
		}
		out := make([]models.VariableValue, len(opts))
		for i, o := range opts {
			out[i] = models.VariableValue{Text: o.Text, Value: o.Value}
		}
		return out, nil
	}
}

// serveVariable answers GET variables/{kind}.
func (d *Datasource) serveVariable(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	provider, ok := variableProviders[kind]
	if !ok {
		writeJSONError(w, http.StatusNotFound, "unknown variable kind "+jsonString(kind)+": choose one of "+strings.Join(slices.Sorted(maps.Keys(variableProviders)), ", "))
		return
	}
	values, err := provider(r.Context(), d, r.URL.Query().Get("filter"))
	if err != nil {
		writeJSONError(w, http.StatusBadGateway, err.Error())
		return
	}
	if values == nil {
		values = []models.VariableValue{}
	}
	writeJSON(w, http.StatusOK, values)
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

// serveCalmFilters answers POST calm/filters.
func (d *Datasource) serveCalmFilters(w http.ResponseWriter, r *http.Request) {
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
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
