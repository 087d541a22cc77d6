// Package plugin is the Grafana-facing side of the backend: one Datasource instance per configured data
// source, with the health check, query dispatch and resource calls.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"

	"github.com/seed/sapcpi-datasource/pkg/auditlog"
	"github.com/seed/sapcpi-datasource/pkg/calm"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/messages"
	"github.com/seed/sapcpi-datasource/pkg/runtime/inventory"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// ID is the plugin id of plugin.json.
const ID = "seed-sapcpi-datasource"

// Version is the plugin version, sent in the user agent; main sets it from the build.
var Version = "dev"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured SAP Cloud Integration tenant.
type Datasource struct {
	settings settings.Settings
	// configErr holds a configuration that cannot work; the health check and every query report it, so
	// a half-filled form still gets a useful answer instead of a failed plugin instance.
	configErr error
	client    *cpi.Client
	// messages is what the message queries, annotations and variables of this tenant share (pkg/messages).
	messages  *messages.Store
	now       func() time.Time // the message queries' clock (nil: time.Now); see NewDatasourceAt
	resources backend.CallResourceHandler
	// inventory remembers whether the tenant serves the design-time artifacts as one collection. It is
	// learnt with this instance's credentials and forgotten with the instance.
	inventory *inventory.Fetcher

	// Optional secondary connections, each with its own service key: nil when not configured or when
	// the connection's settings are unusable (then calmErr / auditLogErr says why). Their problems never
	// fail the tenant's own queries.
	calm        *cpi.Client // SAP Cloud ALM analytics API, root {endpoints.Api}/calm-analytics/v1
	calmErr     error
	calmState   *calm.Registry // required filters learned per instance (pkg/calm)
	auditLog    *cpi.Client    // Audit Log Retrieval API, root = the configured URL as is
	auditLogErr error
}

// NewDatasource is the instance factory: settings are parsed and the HTTP client is built once here.
func NewDatasource(ctx context.Context, instance backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return NewDatasourceAt(ctx, instance, nil)
}

// NewDatasourceAt is NewDatasource with the clock of the queries and the clients (nil: time.Now), for a
// benchmark against a simulated tenant whose time is injected.
func NewDatasourceAt(ctx context.Context, instance backend.DataSourceInstanceSettings, now func() time.Time) (*Datasource, error) {
	ds := &Datasource{now: now}
	s, err := settings.Load(instance)
	if err == nil {
		err = s.Validate()
	}
	ds.settings = s // also when invalid: the secrets it holds are still redacted from the error
	if err != nil {
		ds.configErr = err
		return ds, nil
	}
	httpOpts, err := sdkHTTPClientOptions(ctx, instance)
	if err != nil {
		ds.configErr = err
		return ds, nil
	}
	opts := []cpi.Option{cpi.WithVersion(Version), cpi.WithHTTPClientOptions(httpOpts)}
	if now != nil {
		opts = append(opts, cpi.WithClock(now)) // cache lifetimes and token expiry on the same clock
	}
	client, err := cpi.New(s, opts...)
	if err != nil {
		ds.configErr = err
		return ds, nil
	}
	ds.client = client
	ds.inventory = &inventory.Fetcher{}
	ds.messages = messages.NewStore(client)
	ds.calm, ds.calmErr = secondaryClient(s, s.CloudALM, s.Secrets.CloudALMClientSecret, s.ValidateCloudALM(),
		settings.CloudALMAnalyticsRoot(s.CloudALM.APIURL), opts)
	ds.calmState = calm.NewRegistry()
	if ds.auditLogErr = s.ValidateAuditLog(); ds.auditLogErr == nil && s.AuditLog.Configured() {
		// auditlog.NewClient adds the audit log API's own root handling and rate limit (4 requests/s).
		ds.auditLog, ds.auditLogErr = auditlog.NewClient(s, opts...)
	}
	ds.resources = newResourceHandler(ds)
	return ds, nil
}

// sdkHTTPClientOptions asks the SDK what Grafana sets up on every data source's HTTP client: the labels
// of the request metrics (data source name, type and UID), the Secure SOCKS proxy when the data source
// enables it and Grafana runs one, and a TLS version Grafana enforces. The SDK type-asserts a few jsonData
// keys of its own (url, basicAuthUser, serverName, secureSocksProxyUsername, …): a provisioning file with
// another type there is a configuration error, not the end of the process.
func sdkHTTPClientOptions(ctx context.Context, instance backend.DataSourceInstanceSettings) (opts httpclient.Options, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Grafana's HTTP settings of this data source cannot be read (%v): a jsonData key such as url, basicAuthUser, serverName or secureSocksProxyUsername has an unexpected type in the provisioning file", r)
		}
	}()
	opts, err = instance.HTTPClientOptions(ctx)
	if err != nil {
		return opts, fmt.Errorf("The Secure SOCKS proxy cannot be used: %w. Check Grafana's [secure_socks_datasource_proxy] settings.", err)
	}
	return opts, nil
}

// secondaryClient builds the client of an optional connection: nil, nil when it is not configured.
func secondaryClient(s settings.Settings, c settings.Connection, secret string, invalid error, root string, opts []cpi.Option) (*cpi.Client, error) {
	if invalid != nil {
		return nil, invalid
	}
	if !c.Configured() {
		return nil, nil
	}
	return cpi.New(s.ForConnection(c, secret), append(slices.Clone(opts), cpi.WithServiceRoot(root))...)
}

// Dispose closes the connections of every client when Grafana replaces the instance after a settings
// change.
func (d *Datasource) Dispose() {
	if d.messages != nil {
		d.messages.Close()
	}
	for _, c := range []*cpi.Client{d.client, d.calm, d.auditLog} {
		if c != nil {
			c.Close()
		}
	}
}

// auditLogClient is the audit log connection's client, or an error saying how to configure it.
func (d *Datasource) auditLogClient() (*cpi.Client, error) {
	switch {
	case d.auditLogErr != nil:
		return nil, fmt.Errorf("the audit log connection is not configured correctly: %w", d.auditLogErr)
	case d.auditLog == nil:
		return nil, errors.New("the audit log connection is not configured: open the data source settings, section \"Audit log (optional)\", and paste the service key of an Audit Log Management instance (auditlog-management, plan default)")
	}
	return d.auditLog, nil
}

// calmClient is the Cloud ALM connection's client, or an error saying how to configure it.
func (d *Datasource) calmClient() (*cpi.Client, error) {
	switch {
	case d.calmErr != nil:
		return nil, fmt.Errorf("the SAP Cloud ALM connection is not configured correctly: %w", d.calmErr)
	case d.calm == nil:
		return nil, errors.New("SAP Cloud ALM is not configured for this data source: open the data source settings, section \"SAP Cloud ALM (optional)\", and paste the service key of your SAP Cloud ALM API instance")
	}
	return d.calm, nil
}

// auditLogGetter is the audit log connection's client (built with the API's own rate limit), or an error
// that says how to configure the connection for the tenant's environment.
func (d *Datasource) auditLogGetter() (cpi.Source, error) {
	if d.auditLog == nil && d.auditLogErr == nil {
		return nil, auditlog.NotConfiguredError(d.settings.Environment)
	}
	return d.auditLogClient()
}
