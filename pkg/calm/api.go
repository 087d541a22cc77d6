// Package calm answers the `calmMetrics` query and the editor's look-ups against the SAP Cloud ALM
// analytics API: GET /analytics/providers, POST /analytics/providers/filters and POST
// /analytics/providers/data, all relative to {endpoints.Api}/calm-analytics/v1. The HTTP client is a
// *cpi.Client pointed at that root (same authentication, limits and host guard as the tenant's).
package calm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// API paths relative to the analytics service root.
const (
	pathProviders = "analytics/providers"
	pathFilters   = "analytics/providers/filters"
	pathData      = "analytics/providers/data"
)

// Provider is one entry of GET /analytics/providers (field names as in SAP's Grafana plugin, types.ts).
type Provider struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Service     string   `json:"service,omitempty"`
	Domain      string   `json:"domain,omitempty"`
	Version     []string `json:"version,omitempty"`
}

// Label is what pickers show: the description, or the name when there is none.
func (p Provider) Label() string {
	if strings.TrimSpace(p.Description) != "" {
		return p.Description
	}
	return p.Name
}

// Providers lists the analytics providers the client may read.
func Providers(ctx context.Context, c cpi.Source) ([]Provider, error) {
	resp, err := c.Get(ctx, pathProviders, nil)
	if err != nil {
		return nil, Explain(resp, err, c.ServiceRoot())
	}
	var out []Provider
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, malformed(resp, err)
	}
	return out, nil
}

// FilterValue is one selectable value of a filter.
type FilterValue struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Filter is one entry of POST /analytics/providers/filters: a dimension, an attribute, or (Type "measure")
// the list of measures in Values. Required is not in SAP's documented shape; it is set from a flag the
// API may send (required / isRequired / mandatory / isMandatory), from filters known to be required and
// from earlier PRECONDITION_REQUIRED answers (Registry).
type Filter struct {
	Key            string        `json:"key"`
	Name           string        `json:"name"`
	Description    string        `json:"description,omitempty"`
	Values         []FilterValue `json:"values"`
	IsAttribute    bool          `json:"isAttribute"`
	IsMultiple     bool          `json:"isMultiple"`
	TriggerRefresh bool          `json:"triggerRefresh"`
	Group          string        `json:"group,omitempty"`
	Type           string        `json:"type"`
	Required       bool          `json:"required"`
}

// UnmarshalJSON accepts SAP's documented fields plus the spellings of a "required" flag.
func (f *Filter) UnmarshalJSON(data []byte) error {
	type plain Filter
	var raw struct {
		plain
		IsRequired  *bool `json:"isRequired"`
		Mandatory   *bool `json:"mandatory"`
		IsMandatory *bool `json:"isMandatory"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*f = Filter(raw.plain)
	for _, b := range []*bool{raw.IsRequired, raw.Mandatory, raw.IsMandatory} {
		if b != nil && *b {
			f.Required = true
		}
	}
	return nil
}

// FiltersRequest is the body of POST /analytics/providers/filters, verbatim field names of SAP's Postman
// collection ({"providerName","providerVersion"}) plus the plugin's optional name and current selection.
type FiltersRequest struct {
	ProviderName    string       `json:"providerName"`
	ProviderVersion string       `json:"providerVersion"`
	Name            string       `json:"name,omitempty"`
	Filters         []wireFilter `json:"filters,omitempty"`
}

// Filters reads a provider's dimensions, attributes and measures. name narrows the answer to one filter
// (its values); selection is the current choice, so that filters depending on a triggerRefresh filter
// come back narrowed.
func Filters(ctx context.Context, c cpi.Source, reg *Registry, provider, name string, selection []FilterSelection) ([]Filter, error) {
	req := FiltersRequest{ProviderName: provider, ProviderVersion: "", Name: name}
	for _, s := range selection {
		if len(s.Values) > 0 {
			req.Filters = append(req.Filters, wireFilter(s))
		}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.Post(ctx, pathFilters, body)
	if err != nil {
		return nil, Explain(resp, err, c.ServiceRoot())
	}
	var out []Filter
	if err := json.Unmarshal(resp.Body, &out); err != nil {
		return nil, malformed(resp, err)
	}
	if reg != nil {
		reg.fromMetadata(provider, out)
		required := reg.Required(provider)
		for i := range out {
			if contains(required, out[i].Key) {
				out[i].Required = true
			}
		}
	}
	return out, nil
}

// FilterSelection is a filter key with its chosen values (the query's filters).
type FilterSelection struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// APIError is an error answer of Cloud ALM: {"error":{"code","message","target","details":[{"code":
// "x-correlationid","message":"<uuid>"}]}} and the x-correlationid header. It wraps
// the client's error, so the HTTP status and the downstream error source are kept.
type APIError struct {
	Status        int
	Code          string
	Message       string
	Target        string
	CorrelationID string
	text          string
	cause         error
}

func (e *APIError) Error() string { return e.text }
func (e *APIError) Unwrap() error { return e.cause }

type errorBody struct {
	Error *struct {
		Code    string          `json:"code"`
		Message json.RawMessage `json:"message"`
		Target  string          `json:"target"`
		Details []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"details"`
	} `json:"error"`
}

// ParseError reads a Cloud ALM error body; nil when body is not one.
func ParseError(status int, header http.Header, body []byte) *APIError {
	var b errorBody
	if !odata.LooksLikeJSON(body) || json.Unmarshal(body, &b) != nil || b.Error == nil {
		return nil
	}
	e := &APIError{Status: status, Code: strings.TrimSpace(b.Error.Code), Target: b.Error.Target}
	var msg string
	if json.Unmarshal(b.Error.Message, &msg) != nil {
		// An OData-style {"lang","value"} message.
		var withLang struct {
			Value string `json:"value"`
		}
		_ = json.Unmarshal(b.Error.Message, &withLang)
		msg = withLang.Value
	}
	// Cloud ALM repeats the code in front of the message ("PRECONDITION_REQUIRED : Missing filter …").
	msg = strings.TrimSpace(msg)
	if e.Code != "" {
		msg = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, e.Code), " :"))
		msg = strings.TrimSpace(strings.TrimPrefix(msg, ":"))
	}
	e.Message = msg
	for _, d := range b.Error.Details {
		if strings.EqualFold(d.Code, "x-correlationid") {
			e.CorrelationID = d.Message
		}
	}
	if header != nil && e.CorrelationID == "" {
		e.CorrelationID = header.Get("x-correlationid")
	}
	return e
}

func (e *APIError) describe(root string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Cloud ALM rejected the request (HTTP %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	b.WriteString(")")
	if e.Message != "" {
		b.WriteString(": " + odata.Excerpt(e.Message, 400))
	}
	switch {
	case e.Code == "PRECONDITION_REQUIRED" || e.Status == http.StatusPreconditionRequired:
		b.WriteString(". Set the required filter in the query editor")
	case strings.Contains(strings.ToLower(e.Message), "resolution"):
		b.WriteString(". Cloud ALM accepts resolutions of 5 minutes and more")
	}
	if e.CorrelationID != "" {
		b.WriteString(". Correlation id " + e.CorrelationID + " (for SAP support)")
	}
	b.WriteString(".")
	return b.String()
}

// Explain turns a failed call into the error a user sees: Cloud ALM's own error (message and correlation
// id) when the body is one, and Cloud ALM wording instead of the tenant wording for 403, 404 and HTML
// pages. resp may be nil (transport and token failures, which the client already explains).
func Explain(resp *cpi.Response, err error, root string) error {
	if err == nil {
		return nil
	}
	ce, ok := cpi.AsError(err)
	if !ok {
		return err
	}
	wrap := func(text string) error {
		e := &APIError{Status: ce.Status, text: text, cause: err}
		if resp != nil {
			if ae := ParseError(resp.Status, resp.Header, resp.Body); ae != nil {
				e.Code, e.Message, e.Target, e.CorrelationID = ae.Code, ae.Message, ae.Target, ae.CorrelationID
			}
		}
		return e
	}
	host := ce.Host
	switch ce.Kind {
	case cpi.KindForbidden:
		return wrap(fmt.Sprintf("%s denied access (HTTP 403): the Cloud ALM API client lacks a scope, e.g. calm-api.analytics.read, "+
			"calm-api.analytics.providers.read or the provider's own read scope (calm-api.hm.read, calm-api.exm.read, …): add the scopes to "+
			"the authorities of the SAP Cloud ALM API instance and create a new service key.", host))
	case cpi.KindNotFound:
		return wrap(fmt.Sprintf("No Cloud ALM analytics API at %s (HTTP 404): the Cloud ALM API URL must be endpoints.Api of the "+
			"Cloud ALM service key, e.g. https://<tenant>.<region>.alm.cloud.sap/api.", root))
	case cpi.KindLoginPage:
		return wrap(fmt.Sprintf("%s answered with an HTML page instead of Cloud ALM's JSON: the Cloud ALM API URL must be endpoints.Api "+
			"of the Cloud ALM service key (https://<tenant>.<region>.alm.cloud.sap/api), not the address of the Cloud ALM web UI.", host))
	case cpi.KindUnauthorized:
		return wrap(fmt.Sprintf("%s rejected the access token (HTTP 401, also with a fresh token): the Cloud ALM token URL and API URL "+
			"must come from the same Cloud ALM service key (uaa.url and endpoints.Api).", host))
	}
	if resp != nil && ce.Status >= 400 {
		if ae := ParseError(resp.Status, resp.Header, resp.Body); ae != nil {
			ae.cause = err
			ae.text = ae.describe(root)
			return ae
		}
	}
	return err
}

// malformed reports an answer that is not the documented JSON.
func malformed(resp *cpi.Response, err error) error {
	host := ""
	if resp != nil {
		host = odata.HostPort(resp.URL)
	}
	return cpi.WithSource(&cpi.Error{Kind: cpi.KindMalformedResponse, Host: host, Err: err,
		Message: fmt.Sprintf("The answer of Cloud ALM (%s) does not have the documented shape: %s. Try again; if it persists, report it with the Query inspector's output.", host, odata.Excerpt(err.Error(), 200))})
}

// missingFilterRe reads the dimension from "Missing filter for dimension 'kpiId'".
var missingFilterRe = regexp.MustCompile(`(?i)missing filter for (?:dimension|attribute|filter)?\s*'([^']+)'`)

// MissingFilter returns the filter key a PRECONDITION_REQUIRED error names, if any.
func MissingFilter(err error) string {
	var ae *APIError
	if !errors.As(err, &ae) {
		return ""
	}
	if m := missingFilterRe.FindStringSubmatch(ae.Message); m != nil {
		return m[1]
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
