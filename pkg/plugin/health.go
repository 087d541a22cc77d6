package plugin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/seed/sapcpi-datasource/pkg/health"
)

var _ backend.CheckHealthHandler = (*Datasource)(nil)

// CheckHealth makes real calls to the tenant and explains what works and what does not.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.configErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.redact(d.configErr.Error())}, nil
	}
	res := health.Check(ctx, d.settings, d.client, d.secondaryChecks()...)
	res.Message = d.redact(res.Message)
	for i := range res.Details {
		res.Details[i].Message = d.redact(res.Details[i].Message)
	}
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

// secondaryChecks lists the configured secondary connections for the health check.
func (d *Datasource) secondaryChecks() []health.Connection {
	var out []health.Connection
	if d.calm != nil || d.calmErr != nil {
		out = append(out, health.Connection{Kind: health.CloudALM, Client: d.calm, ConfigErr: d.calmErr})
	}
	if d.auditLog != nil || d.auditLogErr != nil {
		out = append(out, health.Connection{Kind: health.AuditLog, Client: d.auditLog, ConfigErr: d.auditLogErr})
	}
	return out
}
