package simulator

import (
	"context"
	"net/http"
)

// Hostile cases about what a tenant's answers may carry back to the plugin: echoed credentials, links
// that are not web links, records and log lines in shapes the documentation does not show.
const (
	// HostileEchoRequest: error bodies repeat the request's Authorization header (and the token
	// endpoint's error_description also the form body), as some gateways and proxies do.
	HostileEchoRequest = "echo-request"
)

func init() {
	registerHostile(HostileEchoRequest, "error bodies (OData errors, 401 answers, the token endpoint's error_description) repeat the request's Authorization header and form body")
}

type echoKey struct{}

// markEcho flags the request so the error writers repeat it (echoed).
func (t *Tenant) markEcho(r *http.Request) *http.Request {
	if !t.hostile(HostileEchoRequest) {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), echoKey{}, true))
}

// echoed is what an echoing server appends to an error text: the request's credentials as received.
func echoed(r *http.Request) string {
	if r == nil || r.Context().Value(echoKey{}) == nil {
		return ""
	}
	s := " (request Authorization: " + r.Header.Get("Authorization")
	if r.Form != nil {
		s += "; body: " + r.Form.Encode()
	}
	return s + ")"
}
