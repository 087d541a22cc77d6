package plugin

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/runtime/certificates"
	"github.com/seed/sapcpi-datasource/pkg/runtime/endpoints"
	"github.com/seed/sapcpi-datasource/pkg/runtime/inventory"
	"github.com/seed/sapcpi-datasource/pkg/runtime/jms"
)

// runtimeHandlers: the runtime, security and inventory query types.
var runtimeHandlers = map[models.QueryType]queryHandler{
	models.QueryEndpoints:    queryEndpoints,
	models.QueryCertificates: queryCertificates,
	models.QueryJMS:          queryJMS,
	models.QueryInventory:    queryInventory,
}

// badQuery fails one query whose options are invalid.
func badQuery(err error) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
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
	var err error
	if cq.Format, err = models.ResolveFormat(models.QueryCertificates, cq.Format); err != nil {
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
	var err error
	if jq.Format, err = models.ResolveFormat(models.QueryJMS, jq.Format); err != nil {
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

// runtimeVariables: the runtime template-variable kinds.
var runtimeVariables = map[string]variableProvider{
	// Design-time integration packages (text = name, value = id); filter = part of the name or id.
	// Named designPackages because "packages" lists the packages seen in message logs (messages family).
	"designPackages": func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error) {
		pkgs, err := inventory.ListPackages(ctx, d.client)
		if err != nil {
			return nil, err
		}
		filter := strings.ToLower(strings.TrimSpace(params.Get("filter")))
		out := []VariableValue{}
		for _, p := range pkgs {
			name := p.Name
			if name == "" {
				name = p.ID
			}
			if filter != "" && !strings.Contains(strings.ToLower(name+"\x00"+p.ID), filter) {
				continue
			}
			out = append(out, VariableValue{Text: name, Value: p.ID})
		}
		slices.SortFunc(out, func(a, b VariableValue) int { return strings.Compare(strings.ToLower(a.Text), strings.ToLower(b.Text)) })
		return out, nil
	},
	// Certificate aliases of a keystore; filter = keystore name (system, backup_admin_system, KeyRenewal).
	"certificateAliases": func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error) {
		res, err := certificates.Fetch(ctx, d.client, models.CertificatesQuery{KeystoreName: params.Get("filter")}, time.Now())
		if err != nil {
			return nil, err
		}
		out := make([]VariableValue, 0, len(res.Entries))
		for _, e := range res.Entries {
			out = append(out, VariableValue{Text: e.Alias, Value: e.Alias})
		}
		slices.SortFunc(out, func(a, b VariableValue) int { return strings.Compare(a.Text, b.Text) })
		return out, nil
	},
}
