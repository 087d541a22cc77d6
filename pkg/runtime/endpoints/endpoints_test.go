package endpoints

import (
	"context"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

func masked(tn *simtest.Tenant, r Result) Result {
	r.Requests = tn.Mask(r.Requests)
	return r
}

func TestGoldenFrames(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	for name, q := range map[string]models.EndpointsQuery{
		"table_all":  {},
		"table_soap": {Protocol: "SOAP"},
		"table_name": {EndpointName: "master"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Fetch(context.Background(), tn.Client, q)
			if err != nil {
				t.Fatal(err)
			}
			simtest.Golden(t, name, data.Frames{tableFrame(masked(tn, res), "SIM")})
		})
	}
}

// One request answers the query: entry points and API definitions come expanded, never per row.
func TestOneRequestWithExpand(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	res, err := Fetch(context.Background(), tn.Client, models.EndpointsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 1 {
		t.Fatalf("%d requests: %v", len(res.Requests), res.Requests)
	}
	for _, want := range []string{"$expand=EntryPoints,ApiDefinitions", "$select=", "ServiceEndpoints?"} {
		if !strings.Contains(res.Requests[0], want) {
			t.Errorf("request %s lacks %s", res.Requests[0], want)
		}
	}
	if len(res.Endpoints) < 5 {
		t.Fatalf("only %d endpoints", len(res.Endpoints))
	}
	frame := tableFrame(res, "SIM")
	rows, _ := frame.RowLen()
	entries := 0
	kinds := map[string]bool{}
	for _, e := range res.Endpoints {
		entries += max(1, len(e.EntryPoints.Results))
		kinds[e.Protocol] = true
	}
	if rows != entries {
		t.Fatalf("%d rows for %d entry points", rows, entries)
	}
	if len(kinds) < 3 {
		t.Fatalf("the simulated tenant should offer several protocols, got %v", kinds)
	}
	// Every SOAP endpoint of the simulator has a WSDL, every OData one an EDMX: the link columns carry them.
	wsdl, _ := frame.FieldByName("WSDL")
	edmx, _ := frame.FieldByName("EDMX")
	proto, _ := frame.FieldByName("Protocol")
	for i := 0; i < rows; i++ {
		p := proto.At(i).(string)
		if p == "SOAP" && !strings.HasSuffix(wsdl.At(i).(string), "?wsdl") {
			t.Errorf("row %d: SOAP endpoint WSDL %q", i, wsdl.At(i))
		}
		if p == "ODATAV2" && !strings.HasSuffix(edmx.At(i).(string), "/$metadata") {
			t.Errorf("row %d: OData endpoint EDMX %q", i, edmx.At(i))
		}
	}
	if wsdl.Config == nil || len(wsdl.Config.Links) != 1 || wsdl.Config.Links[0].URL != "${__value.raw}" {
		t.Fatalf("WSDL column has no data link: %+v", wsdl.Config)
	}
}

func TestFilters(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	all, err := Fetch(context.Background(), tn.Client, models.EndpointsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		q      models.EndpointsQuery
		server bool
		check  func(Endpoint) bool
	}{
		{"protocol on the server", models.EndpointsQuery{Protocol: "REST"}, true, func(e Endpoint) bool { return e.Protocol == "REST" }},
		{"name substring, any case", models.EndpointsQuery{EndpointName: "MATERIAL"}, false, func(e Endpoint) bool {
			return strings.Contains(strings.ToLower(e.Name+e.Title+e.Summary), "material")
		}},
		{"both", models.EndpointsQuery{Protocol: "SOAP", EndpointName: "order"}, true, func(e Endpoint) bool {
			return e.Protocol == "SOAP" && strings.Contains(strings.ToLower(e.Name+e.Title+e.Summary), "order")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), tn.Client, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Endpoints) == 0 || len(res.Endpoints) == len(all.Endpoints) {
				t.Fatalf("filter kept %d of %d", len(res.Endpoints), len(all.Endpoints))
			}
			for _, e := range res.Endpoints {
				if !tc.check(e) {
					t.Errorf("%s (%s) does not match", e.Name, e.Protocol)
				}
			}
			if got := strings.Contains(res.Requests[0], "$filter=Protocol%20eq%20'"); got != tc.server {
				t.Errorf("server-side filter %v in %s", got, res.Requests[0])
			}
		})
	}
}

func TestHostileValues(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	// A quote-injection attempt stays one escaped literal: the tenant answers and nothing matches.
	res, err := Fetch(context.Background(), tn.Client, models.EndpointsQuery{Protocol: "SOAP' or Protocol eq 'REST"})
	if err != nil {
		t.Fatalf("escaped literal refused: %v", err)
	}
	if len(res.Endpoints) != 0 {
		t.Fatalf("injection matched %d endpoints", len(res.Endpoints))
	}
	if !strings.Contains(res.Requests[0], "'SOAP''%20or%20Protocol%20eq%20''REST'") {
		t.Fatalf("literal not escaped: %s", res.Requests[0])
	}
	before := len(tn.Requests())
	for _, q := range []models.EndpointsQuery{
		{EndpointName: strings.Repeat("x", odata.MaxLiteralLength+1)},
		{Protocol: "SOAP\r\nX-Injected: 1"},
		{EndpointName: "a\x00b"},
		{Protocol: string([]byte{0xff, 0xfe})},
	} {
		if _, err := Fetch(context.Background(), tn.Client, q); err == nil {
			t.Errorf("hostile value accepted: %.40q", q)
		}
	}
	if n := len(tn.Requests()) - before; n != 0 {
		t.Fatalf("%d requests sent for refused values", n)
	}
}

// SAP's example answers without $expand (deferred navigation links): every endpoint still gets a row.
func TestDecodeHubExample(t *testing.T) {
	res := Result{Endpoints: simtest.Fixture[Endpoint](t, "hub-example-ServiceEndpoints-list.json")}
	if len(res.Endpoints) != 2 {
		t.Fatalf("%d endpoints", len(res.Endpoints))
	}
	e := res.Endpoints[0]
	if e.Name != "IntegrationFlowWithConfiguration" || e.Protocol != "SOAP" || e.LastUpdated.UnixMilli() != 1560491841916 || len(e.EntryPoints.Results) != 0 {
		t.Fatalf("decoded %+v", e)
	}
	frame := tableFrame(res, "HUB")
	if n, _ := frame.RowLen(); n != 2 {
		t.Fatalf("%d rows", n)
	}
}

func TestExpandedForms(t *testing.T) {
	for name, body := range map[string]string{
		"verbose":  `{"d":{"results":[{"Name":"A","EntryPoints":{"results":[{"Name":"a","Url":"https://x/a","Type":"DEV"}]},"ApiDefinitions":{"results":[]}}]}}`,
		"array":    `{"d":{"results":[{"Name":"A","EntryPoints":[{"Name":"a","Url":"https://x/a","Type":"DEV"}],"ApiDefinitions":null}]}}`,
		"deferred": `{"d":{"results":[{"Name":"A","EntryPoints":{"__deferred":{"uri":"https://x"}}}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			coll, err := odata.DecodeCollection[Endpoint](strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if name == "deferred" {
				want = 0
			}
			if got := len(coll.Results[0].EntryPoints.Results); got != want {
				t.Fatalf("%d entry points", got)
			}
		})
	}
}

func TestDefinitionLinks(t *testing.T) {
	tests := []struct {
		name                string
		apis                []API
		wsdl, openapi, edmx string
	}{
		{"plain WSDL over policies", []API{{"u1", "WSDL_POLICIES"}, {"u2", "WSDL"}}, "u2", "", ""},
		{"policies when alone", []API{{"u1", "WSDL_POLICIES"}}, "u1", "", ""},
		{"documented lower-case names", []API{{"w", "wsdl"}, {"y", "oas-yaml"}, {"j", "oas-json"}, {"e", "edmx"}, {"r", "raml"}}, "w", "j", "e"},
		{"yaml when alone", []API{{"y", "oas-yaml"}}, "", "y", ""},
		{"none", nil, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, o, e, names := links(tc.apis)
			if w != tc.wsdl || o != tc.openapi || e != tc.edmx || len(names) != len(tc.apis) {
				t.Fatalf("got %q %q %q %v", w, o, e, names)
			}
		})
	}
}

// TestPanelsOfARefreshShareOneRead: the endpoint panels and rules of a refresh (other names, same
// listing) cost the tenant one request.
func TestPanelsOfARefreshShareOneRead(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	for _, name := range []string{"", "Order", "Invoice"} {
		if _, err := Fetch(context.Background(), tn.Client, models.EndpointsQuery{EndpointName: name}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tn.Requests()); n != 1 {
		t.Errorf("%d requests for three panels, want 1", n)
	}
}
