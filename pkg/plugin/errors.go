package plugin

import (
	"errors"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

// errorResponse turns a failed query into an error on that query only. The HTTP status follows the
// tenant's answer; answers that are not errors themselves (a login page with 200, a transport failure)
// become 502, because the tenant did not give a usable response. The error source (plugin or downstream)
// is the one pkg/cpi attached.
func errorResponse(err error) backend.DataResponse {
	if safe.IsPanic(err) {
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, err.Error())
	}
	var apiErr *cpi.Error
	if !errors.As(err, &apiErr) {
		// Not a call failure: the query's own options were refused (a hostile or malformed value).
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	}
	status := backend.StatusBadGateway
	switch {
	case apiErr.Kind == cpi.KindTimeout:
		status = backend.StatusTimeout
	case apiErr.Status >= 400:
		status = backend.Status(apiErr.Status)
	}
	resp := backend.ErrorResponseWithErrorSource(err)
	resp.Status = status
	return resp
}
