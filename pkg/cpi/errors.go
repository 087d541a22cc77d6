package cpi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Kind classifies what went wrong, so callers (health check, query handlers) can react without parsing
// message text.
type Kind string

const (
	KindDNS                 Kind = "dns"                 // host name does not resolve
	KindConnectionRefused   Kind = "connectionRefused"   // nothing listens on host:port
	KindNetwork             Kind = "network"             // any other transport failure (reset, unreachable)
	KindTimeout             Kind = "timeout"             // no (complete) answer within the timeout
	KindCanceled            Kind = "canceled"            // the caller cancelled the request
	KindTLSUnknownAuthority Kind = "tlsUnknownAuthority" // server certificate not signed by a trusted CA
	KindTLSOther            Kind = "tls"                 // any other TLS problem (host name, expiry, client certificate)
	KindTokenRejected       Kind = "tokenRejected"       // token endpoint refused the client credentials
	KindTokenURLWrong       Kind = "tokenUrlWrong"       // token URL does not look like an OAuth token endpoint
	KindToken               Kind = "token"               // any other token endpoint failure
	KindUnauthorized        Kind = "unauthorized"        // API 401 (after one token refresh)
	KindForbidden           Kind = "forbidden"           // API 403: authenticated, role missing
	KindLoginPage           Kind = "loginPage"           // HTML page (or redirect to one) where JSON was expected
	KindNotFound            Kind = "notFound"            // 404 without an OData error: no CPI API at this URL
	KindEntityNotFound      Kind = "entityNotFound"      // 404 with an OData error: the API exists, the entity does not
	KindBadRequest          Kind = "badRequest"          // 400: the tenant rejected the query options
	KindRateLimited         Kind = "rateLimited"         // 429, still after the retries
	KindServer              Kind = "server"              // 5xx
	KindHTTP                Kind = "http"                // any other unexpected HTTP status
	KindMalformedResponse   Kind = "malformedResponse"   // truncated or invalid body
	KindResponseTooLarge    Kind = "responseTooLarge"    // body above the configured cap
	KindHostNotAllowed      Kind = "hostNotAllowed"      // request or link to a host other than the configured ones
	KindConfig              Kind = "config"              // the settings cannot build a client (bad PEM, bad URL)
)

// Error is every error the client returns. Message is one or two actionable sentences (what is wrong and
// what to do); Detail is what the server said (OData error text, OAuth error code), if anything. Neither
// ever contains a secret: both pass through the client's redactor.
type Error struct {
	Kind    Kind
	Status  int    // HTTP status, 0 for transport errors
	Host    string // host the failing request went to (API or token host)
	Message string
	Detail  string
	Err     error // underlying error, for errors.Is/As; its text is not part of Error()
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = fmt.Sprintf("request to %s failed (%s)", e.Host, e.Kind)
	}
	if e.Detail != "" {
		msg = strings.TrimRight(msg, ". ") + ". Server said: " + e.Detail
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Downstream reports whether the error is caused by the tenant, the network or the configuration rather
// than by the plugin (Grafana uses this for its plugin-vs-downstream error source).
func (e *Error) Downstream() bool {
	switch e.Kind {
	case KindHostNotAllowed, KindConfig:
		return false
	}
	return true
}

// AsError finds the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool {
	e, ok := AsError(err)
	return ok && e.Kind == k
}

// WithSource wraps e with Grafana's error source so backend.ErrorResponseWithErrorSource and
// backend.IsDownstreamError classify it; errors.As still finds the *Error inside. It is the one place
// that decides the source: the query packages that explain an *Error in their own words return it
// through here too.
func WithSource(e *Error) error {
	if e == nil {
		return nil
	}
	if e.Downstream() {
		return backend.DownstreamError(e)
	}
	return backend.PluginError(e)
}
