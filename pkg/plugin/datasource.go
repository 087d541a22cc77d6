// Package plugin is the Grafana-facing side of the backend: one Datasource instance per configured data
// source, with the health check, query dispatch and resource calls.
package plugin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/health"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// ID is the plugin id of plugin.json.
const ID = "seed-sapcpi-datasource"

// Version is the plugin version, sent in the user agent; main sets it from the build.
var Version = "dev"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured SAP Cloud Integration tenant.
type Datasource struct {
	settings settings.Settings
	// configErr holds a configuration that cannot work; the health check and every query report it, so
	// a half-filled form still gets a useful answer instead of a failed plugin instance.
	configErr error
	client    *cpi.Client
	resources backend.CallResourceHandler
}

// NewDatasource is the instance factory: settings are parsed and the HTTP client is built once here.
func NewDatasource(_ context.Context, instance backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	ds := &Datasource{}
	s, err := settings.Load(instance)
	if err == nil {
		err = s.Validate()
	}
	if err != nil {
		ds.configErr = err
		return ds, nil
	}
	ds.settings = s
	client, err := cpi.New(s, cpi.WithVersion(Version))
	if err != nil {
		ds.configErr = err
		return ds, nil
	}
	ds.client = client
	ds.resources = newResourceHandler(ds)
	return ds, nil
}

// Dispose releases idle connections when Grafana replaces the instance after a settings change.
func (d *Datasource) Dispose() {
	if d.client != nil {
		d.client.Close()
	}
}

// CheckHealth makes real calls to the tenant and explains what works and what does not.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.configErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.configErr.Error()}, nil
	}
	res := health.Check(ctx, d.settings, d.client)
	status := backend.HealthStatusOk
	if !res.OK {
		status = backend.HealthStatusError
		log.DefaultLogger.FromContext(ctx).Warn("health check failed", "message", res.Message)
	}
	details, err := json.Marshal(map[string]any{"steps": res.Details})
	if err != nil {
		return nil, fmt.Errorf("encoding health details: %w", err)
	}
	return &backend.CheckHealthResult{Status: status, Message: res.Message, JSONDetails: details}, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
