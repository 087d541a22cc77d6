// Package endpoints answers the `endpoints` query: the service endpoints of the deployed iFlows
// (ServiceEndpoints with their entry points and API definitions), one row per entry point URL.
package endpoints

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/runtime/internal/rt"
)

// maxEndpoints bounds the endpoints read; a tenant has far fewer.
const maxEndpoints = 10 * cpi.MaxPageSize

// Endpoint is one ServiceEndpoint with its expanded navigation properties.
type Endpoint struct {
	Name        string          `json:"Name"` // the iFlow id
	ID          string          `json:"Id"`
	Title       string          `json:"Title"`
	Version     string          `json:"Version"`
	Summary     string          `json:"Summary"`
	LastUpdated odata.Time      `json:"LastUpdated"`
	Protocol    string          `json:"Protocol"`
	EntryPoints expanded[Entry] `json:"EntryPoints"`
	APIs        expanded[API]   `json:"ApiDefinitions"`
}

// Entry is an entry point: the URL a sender calls, optionally typed DEV/TEST/PROD/SANDBOX.
type Entry struct {
	Name string `json:"Name"`
	URL  string `json:"Url"`
	Type string `json:"Type"`
}

// API is an API definition (WSDL, OpenAPI, EDMX, RAML …) of an endpoint.
type API struct {
	URL  string `json:"Url"`
	Name string `json:"Name"`
}

// expanded reads an expanded navigation property ({"results":[…]}); a deferred link ({"__deferred":…},
// as in SAP's examples without $expand) or null reads as empty.
type expanded[T any] struct{ Results []T }

func (e *expanded[T]) UnmarshalJSON(b []byte) error {
	var v struct {
		Results []T `json:"results"`
	}
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '[': // the older V2 form of an expanded collection
		return json.Unmarshal(b, &e.Results)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	e.Results = v.Results
	return nil
}

// Result is what one query fetched, with the requests it made.
type Result struct {
	Endpoints []Endpoint
	rt.Log
}

// selectFields are the properties the table shows; navigation properties must be selected to be expanded.
const selectFields = "Name,Id,Title,Version,Summary,LastUpdated,Protocol,EntryPoints,ApiDefinitions"

// Fetch reads the service endpoints with their entry points and API definitions in one request (plus
// server pages). The protocol is filtered on the server (documented `Protocol eq '…'`), the name locally
// as a substring of iFlow id, title or entry point name.
func Fetch(ctx context.Context, g cpi.Source, q models.EndpointsQuery) (Result, error) {
	var res Result
	if err := odata.CheckValue("endpoint name", q.EndpointName); err != nil {
		return res, err
	}
	if err := odata.CheckValue("protocol", q.Protocol); err != nil {
		return res, err
	}
	query := url.Values{"$expand": {"EntryPoints,ApiDefinitions"}, "$select": {selectFields}}
	if p := strings.TrimSpace(q.Protocol); p != "" {
		query.Set("$filter", odata.Eq("Protocol", p))
	}
	// The endpoint panels and alert rules of a refresh share one read (the name is filtered here).
	ctx = cpi.CacheFor(ctx, cpi.RefreshTTL)
	all, _, err := rt.GetAll[Endpoint](ctx, g, &res.Log, "service endpoints", cpi.ListOptions{Path: "ServiceEndpoints", Query: query, MaxRows: maxEndpoints})
	if err != nil {
		return res, err
	}
	needle := strings.TrimSpace(q.EndpointName)
	for _, e := range all {
		if needle == "" || matches(e, needle) {
			res.Endpoints = append(res.Endpoints, e)
		}
	}
	slices.SortStableFunc(res.Endpoints, func(a, b Endpoint) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return res, nil
}

func matches(e Endpoint, needle string) bool {
	hay := []string{e.Name, e.Title, e.Summary}
	for _, ep := range e.EntryPoints.Results {
		hay = append(hay, ep.Name)
	}
	return rt.ContainsFold(needle, hay...)
}

// definitionKind sorts an API definition name into the columns of the table. SAP documents wsdl,
// oas-json, oas-yaml, edmx and raml; tenants also answer WSDL, WSDL_POLICIES and EDMX, so names are
// compared case-insensitively and by prefix.
func definitionKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case n == "wsdl":
		return "wsdl"
	case strings.HasPrefix(n, "wsdl"):
		return "wsdl-variant" // e.g. WSDL_POLICIES: listed, used only when there is no plain WSDL
	case strings.HasPrefix(n, "oas"), strings.Contains(n, "openapi"), strings.Contains(n, "swagger"):
		return "openapi"
	case strings.HasPrefix(n, "edmx"), n == "metadata":
		return "edmx"
	}
	return "other"
}

// links picks one URL per column: the plain WSDL over its variants, JSON OpenAPI over YAML.
func links(apis []API) (wsdl, openapi, edmx string, names []string) {
	var wsdlVariant string
	for _, a := range apis {
		names = append(names, a.Name)
		switch definitionKind(a.Name) {
		case "wsdl":
			if wsdl == "" {
				wsdl = a.URL
			}
		case "wsdl-variant":
			if wsdlVariant == "" {
				wsdlVariant = a.URL
			}
		case "openapi":
			if openapi == "" || strings.Contains(strings.ToLower(a.Name), "json") {
				openapi = a.URL
			}
		case "edmx":
			if edmx == "" {
				edmx = a.URL
			}
		}
	}
	if wsdl == "" {
		wsdl = wsdlVariant
	}
	return wsdl, openapi, edmx, names
}

// linkField is a URL column whose cells open the URL (a data link on the field's own value).
func linkField(name, title string, values []string) *data.Field {
	links := make([]string, len(values))
	for i, v := range values {
		links[i] = odata.WebLink(v) // tenant data: only http(s) links may be opened
	}
	f := data.NewField(name, nil, links)
	f.Config = &data.FieldConfig{
		Links:   []data.DataLink{{Title: title, URL: "${__value.raw}", TargetBlank: true}},
		NoValue: "",
	}
	return f
}

// tableFrame has one row per entry point URL (an endpoint without entry points still gets one row).
func tableFrame(r Result, tenant string) *data.Frame {
	var iflow, title, entryName, protocol, urls, epType, version, wsdl, openapi, edmx, defs []string
	var updated []*time.Time
	for _, e := range r.Endpoints {
		w, o, x, names := links(e.APIs.Results)
		entries := e.EntryPoints.Results
		if len(entries) == 0 {
			entries = []Entry{{}}
		}
		var on *time.Time
		if !e.LastUpdated.IsZero() {
			t := e.LastUpdated.Time
			on = &t
		}
		for _, ep := range entries {
			iflow = append(iflow, e.Name)
			title = append(title, cmp.Or(e.Title, e.Name))
			entryName = append(entryName, ep.Name)
			protocol = append(protocol, e.Protocol)
			urls = append(urls, ep.URL)
			epType = append(epType, ep.Type)
			version = append(version, e.Version)
			wsdl, openapi, edmx = append(wsdl, w), append(openapi, o), append(edmx, x)
			defs = append(defs, strings.Join(names, ", "))
			updated = append(updated, on)
		}
	}
	return frames.Table("endpoints", tenant, frames.Meta(r.Requests, r.Notices...),
		data.NewField("iFlow", nil, iflow),
		data.NewField("Endpoint", nil, title),
		data.NewField("Entry point", nil, entryName),
		data.NewField("Protocol", nil, protocol),
		data.NewField("URL", nil, urls),
		data.NewField("Entry point type", nil, epType),
		data.NewField("Version", nil, version),
		linkField("WSDL", "Open the WSDL", wsdl),
		linkField("OpenAPI", "Open the OpenAPI definition", openapi),
		linkField("EDMX", "Open the EDMX ($metadata)", edmx),
		data.NewField("API definitions", nil, defs),
		data.NewField("Last updated", nil, updated),
	)
}

// Frames is the answer as a table (the query's only format).
func Frames(r Result, _ models.EndpointsQuery, tenant string) data.Frames {
	return data.Frames{tableFrame(r, tenant)}
}
