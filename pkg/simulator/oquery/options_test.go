package oquery

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", raw, err)
	}
	return q
}

func TestParseOptions(t *testing.T) {
	top := func(n int) *int { return &n }
	tests := []struct {
		name, raw string
		check     func(t *testing.T, o Options)
	}{
		{"none", "", func(t *testing.T, o Options) {
			if !reflect.DeepEqual(o, Options{}) {
				t.Fatalf("%+v", o)
			}
		}},
		{"doc example", "$inlinecount=allpages&$filter=Status%20eq%20'COMPLETED'%20and%20LogStart%20gt%20datetime'2021-02-01T00:00:00'%20and%20LogEnd%20lt%20datetime'2021-02-14T00:00:00'",
			func(t *testing.T, o Options) {
				if !o.InlineCount || o.Filter == nil {
					t.Fatalf("%+v", o)
				}
				if got := o.Filter.String(); got != "Status eq 'COMPLETED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'" {
					t.Fatalf("filter %q", got)
				}
				if o.Raw["$inlinecount"] != "allpages" || !strings.HasPrefix(o.Raw["$filter"], "Status eq") {
					t.Fatalf("raw %v", o.Raw)
				}
			}},
		{"plus as space", "$filter=Status+eq+'FAILED'", func(t *testing.T, o Options) {
			if o.Filter.String() != "Status eq 'FAILED'" {
				t.Fatal(o.Filter)
			}
		}},
		{"paging", "$top=50&$skip=100&$skiptoken=1000", func(t *testing.T, o Options) {
			if !reflect.DeepEqual(o.Top, top(50)) || o.Skip != 100 || o.SkipToken != "1000" {
				t.Fatalf("%+v", o)
			}
		}},
		{"top zero", "$top=0", func(t *testing.T, o Options) {
			if o.Top == nil || *o.Top != 0 {
				t.Fatalf("%+v", o)
			}
		}},
		{"leading zeros", "$skip=007", func(t *testing.T, o Options) {
			if o.Skip != 7 {
				t.Fatalf("%+v", o)
			}
		}},
		{"inlinecount none", "$inlinecount=none", func(t *testing.T, o Options) {
			if o.InlineCount {
				t.Fatal("InlineCount set")
			}
		}},
		{"format json", "$format=json", func(t *testing.T, o Options) {
			if o.Format != "json" {
				t.Fatal(o.Format)
			}
		}},
		{"format atom", "$format=atom", func(t *testing.T, o Options) {
			if o.Format != "xml" {
				t.Fatal(o.Format)
			}
		}},
		{"format xml", "$format=xml", func(t *testing.T, o Options) {
			if o.Format != "xml" {
				t.Fatal(o.Format)
			}
		}},
		{"format mime", "$format=application/json", func(t *testing.T, o Options) {
			if o.Format != "json" {
				t.Fatal(o.Format)
			}
		}},
		{"orderby doc values", "$orderby=Status,LogEnd%20desc", func(t *testing.T, o Options) {
			want := []OrderTerm{{Path: "Status"}, {Path: "LogEnd", Desc: true}}
			if !reflect.DeepEqual(o.OrderBy, want) {
				t.Fatalf("%+v", o.OrderBy)
			}
		}},
		{"orderby asc and spaces", "$orderby=%20Name%20%20asc%20,%20IntegrationArtifact/Id%20desc", func(t *testing.T, o Options) {
			want := []OrderTerm{{Path: "Name"}, {Path: "IntegrationArtifact/Id", Desc: true}}
			if !reflect.DeepEqual(o.OrderBy, want) {
				t.Fatalf("%+v", o.OrderBy)
			}
		}},
		{"select trimmed", "$select=MessageGuid,%20Status%20,IntegrationArtifact,LogStart", func(t *testing.T, o Options) {
			want := []string{"MessageGuid", "Status", "IntegrationArtifact", "LogStart"}
			if !reflect.DeepEqual(o.Select, want) {
				t.Fatalf("%q", o.Select)
			}
		}},
		{"select star", "$select=*,EntryPoints/*", func(t *testing.T, o Options) {
			if !reflect.DeepEqual(o.Select, []string{"*", "EntryPoints/*"}) {
				t.Fatalf("%q", o.Select)
			}
		}},
		{"expand", "$expand=EntryPoints,ApiDefinitions", func(t *testing.T, o Options) {
			if !reflect.DeepEqual(o.Expand, []string{"EntryPoints", "ApiDefinitions"}) {
				t.Fatalf("%q", o.Expand)
			}
		}},
		{"custom options", "filterCustomHeaderProperties='Customer'%20eq%20'ACME'&keystoreName=system&sap-client=100&$top=1", func(t *testing.T, o Options) {
			want := map[string]string{"filterCustomHeaderProperties": "'Customer' eq 'ACME'", "keystoreName": "system", "sap-client": "100"}
			if !reflect.DeepEqual(o.Custom, want) || *o.Top != 1 {
				t.Fatalf("%+v", o)
			}
			if _, ok := o.Raw["keystoreName"]; ok {
				t.Fatal("custom option in Raw")
			}
		}},
		{"custom duplicate keeps first", "a=1&a=2", func(t *testing.T, o Options) {
			if o.Custom["a"] != "1" {
				t.Fatal(o.Custom)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Parse(query(t, tt.raw))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, o)
		})
	}
}

func TestParseOptionsErrors(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"top negative", "$top=-1", "Invalid value for system query option $top: '-1'. A non-negative integer is expected."},
		{"top plus", "$top=%2B5", "A non-negative integer is expected."},
		{"top empty", "$top=", "A non-negative integer is expected."},
		{"top text", "$top=ten", "A non-negative integer is expected."},
		{"top decimal", "$top=1.5", "A non-negative integer is expected."},
		{"top space", "$top=%205", "A non-negative integer is expected."},
		{"top overflow", "$top=99999999999999999999999", "too large"},
		{"skip negative", "$skip=-10", "$skip: '-10'"},
		{"inlinecount", "$inlinecount=true", "Allowed values are 'allpages' and 'none'."},
		{"inlinecount case", "$inlinecount=AllPages", "Allowed values are 'allpages' and 'none'."},
		{"format", "$format=csv", "Allowed values are 'json', 'xml' and 'atom'."},
		{"orderby direction", "$orderby=LogEnd%20descending", "is not of the form <property> [asc|desc]"},
		{"orderby uppercase direction", "$orderby=LogEnd%20DESC", "is not of the form"},
		{"orderby three words", "$orderby=LogEnd%20desc%20x", "is not of the form"},
		{"orderby empty item", "$orderby=Status,,LogEnd", "An item of the comma-separated list is empty."},
		{"orderby empty", "$orderby=", "is empty"},
		{"orderby function", "$orderby=tolower(Name)", "is not of the form"},
		{"select empty item", "$select=Status,", "is empty"},
		{"select bad path", "$select=Status%3Bdrop", "'Status;drop' is not a property path."},
		{"select star in middle", "$select=*/Id", "is not a property path"},
		{"expand bad path", "$expand=Entry%20Points", "is not a navigation path"},
		{"filter", "$filter=Status%20eq", "Invalid filter expression: 'Status eq'. Expression expected at position 10."},
		{"filter empty", "$filter=", "Expression expected"},
		{"unknown system option", "$count=true", "Unknown system query option '$count'."},
		{"case-sensitive option", "$Filter=a%20eq%201", "Unknown system query option '$Filter'."},
		{"duplicate", "$top=1&$top=2", "Duplicate system query option '$top'."},
		{"first error alphabetically", "$top=x&$skip=y", "$skip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Parse(query(t, tt.raw))
			if err == nil {
				t.Fatalf("Parse = %+v, want error", o)
			}
			if e := asError(t, err); !strings.Contains(e.Message, tt.want) {
				t.Fatalf("message %q does not contain %q", e.Message, tt.want)
			}
			if !reflect.DeepEqual(o, Options{}) {
				t.Fatalf("partial options returned with error: %+v", o)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	known := map[string]bool{"Status": true, "LogStart": true, "LogEnd": true, "IntegrationArtifact/Id": true, "IntegrationArtifact": true}
	isKnown := func(p string) bool { return known[p] }
	tests := []struct {
		raw, want string // want "" = valid
	}{
		{"$filter=Status%20eq%20'A'%20and%20IntegrationArtifact/Id%20eq%20'X'&$select=Status,IntegrationArtifact,*&$orderby=LogEnd%20desc", ""},
		{"$filter=Foo%20eq%201", "Invalid filter expression: 'Foo eq 1'. Property 'Foo' not found."},
		{"$select=Status,Bar", "Invalid value for system query option $select: 'Status,Bar'. Property 'Bar' not found."},
		{"$orderby=Status,Baz%20desc", "Invalid value for system query option $orderby: 'Status,Baz desc'. Property 'Baz' not found."},
		{"$select=Nav/*", ""},
	}
	for _, tt := range tests {
		o, err := Parse(query(t, tt.raw))
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.raw, err)
		}
		err = o.Validate(isKnown)
		if tt.want == "" {
			if err != nil {
				t.Errorf("Validate(%q) = %v", tt.raw, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Validate(%q) = nil, want %q", tt.raw, tt.want)
			continue
		}
		if e := asError(t, err); e.Message != tt.want {
			t.Errorf("Validate(%q) = %q, want %q", tt.raw, e.Message, tt.want)
		}
	}
}

func TestErrorBody(t *testing.T) {
	e := PropertyNotFound("$filter", "Foo eq 1", "Foo")
	if e.Error() != "Invalid filter expression: 'Foo eq 1'. Property 'Foo' not found." {
		t.Fatalf("Error() = %q", e.Error())
	}
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message struct {
				Lang  string `json:"lang"`
				Value string `json:"value"`
			} `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(e.JSON(), &body); err != nil {
		t.Fatalf("JSON(): %v: %s", err, e.JSON())
	}
	if body.Error.Code != "Bad Request" || body.Error.Message.Lang != "en" || body.Error.Message.Value != e.Message {
		t.Fatalf("body %+v", body)
	}
	if e := PropertyNotFound("$expand", "Nope", "Nope"); e.Message != "Invalid value for system query option $expand: 'Nope'. Property 'Nope' not found." {
		t.Fatalf("expand message %q", e.Message)
	}
}
