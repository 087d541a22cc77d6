// Package frames holds what every query type's frames share: the tenant label and the request log shown
// in the Query inspector.
package frames

import (
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// TenantLabel is the label every numeric series carries, and the column every table carries, so that
// several tenants can share one panel or alert rule.
const TenantLabel = "tenant"

// Meta builds frame meta: the OData requests made (Query inspector) and any notices.
func Meta(requests []string, notices ...data.Notice) *data.FrameMeta {
	return &data.FrameMeta{
		ExecutedQueryString: strings.Join(requests, "\n"),
		Notices:             notices,
		Stats: []data.QueryStat{{
			FieldConfig: data.FieldConfig{DisplayName: "OData requests"},
			Value:       float64(len(requests)),
		}},
	}
}

// TenantColumn returns a string field repeating the tenant label for n rows.
func TenantColumn(tenant string, n int) *data.Field {
	values := make([]string, n)
	for i := range values {
		values[i] = tenant
	}
	return data.NewField(TenantLabel, nil, values)
}
