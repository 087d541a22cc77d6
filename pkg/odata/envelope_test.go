package odata

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
)

// Every CPI API response fixture decodes through the envelope; every date string in it parses; counts
// are read from their string form.
func TestDecodeEveryFixture(t *testing.T) {
	datePattern := regexp.MustCompile(`^(/Date\(|\d{4}-\d\d-\d\dT)`)
	for _, path := range sapfixtures.JSONFiles(t, "hub-example-", "real-cf-tenant-") {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(body, &probe); err != nil {
				t.Fatal(err)
			}
			var entities []map[string]any
			switch {
			case probe["error"] != nil:
				e := ParseError(400, body)
				if e == nil || e.Code == "" || e.Message == "" {
					t.Fatalf("error fixture not parsed: %+v", e)
				}
				return
			case isCollection(probe["d"]):
				c, err := DecodeCollection[map[string]any](bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if len(c.Results) == 0 {
					t.Fatal("no results")
				}
				entities = c.Results
				if strings.HasPrefix(name, "real-") && (c.Count == nil || *c.Count != int64(len(c.Results))) {
					t.Fatalf("__count = %v, want %d", c.Count, len(c.Results))
				}
			default:
				e, err := DecodeEntity[map[string]any](bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				entities = []map[string]any{e}
			}
			dates := 0
			var walk func(v any)
			walk = func(v any) {
				switch x := v.(type) {
				case map[string]any:
					for _, y := range x {
						walk(y)
					}
				case []any:
					for _, y := range x {
						walk(y)
					}
				case string:
					if datePattern.MatchString(x) {
						dates++
						tm, err := ParseDate(x)
						if err != nil {
							t.Errorf("date %q: %v", x, err)
						}
						if tm.Year() < 2000 || tm.Year() > 2100 {
							t.Errorf("date %q parsed to implausible %v", x, tm)
						}
					}
				}
			}
			for _, e := range entities {
				walk(e)
			}
			t.Logf("%d entities, %d dates", len(entities), dates)
		})
	}
}

// A typed decode of the real tenant response: dates, the complex type, JSON booleans.
func TestDecodeRealMessageProcessingLogs(t *testing.T) {
	type artifact struct{ Id, Name, Type, PackageId, PackageName string }
	type mpl struct {
		MessageGuid             string
		LogStart, LogEnd        Time
		Status                  string
		IntegrationArtifact     artifact
		ArchivingLogAttachments any
		PredecessorMessageGuid  *string
		AlternateWebLink        string
		ApplicationMessageId    *string
	}
	body := sapfixtures.Read(t, "real-cf-tenant-MessageProcessingLogs-inlinecount.json")
	c, err := DecodeCollection[mpl](bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if *c.Count != 7 || len(c.Results) != 7 || c.Next != "" {
		t.Fatalf("count=%d results=%d next=%q", *c.Count, len(c.Results), c.Next)
	}
	first := c.Results[0]
	if first.MessageGuid != "AGk_xKgivsDaGSUpuvz-eEFzhKZO" || first.Status != "FAILED" {
		t.Fatalf("unexpected first row %+v", first)
	}
	if got := first.LogStart.UnixMilli(); got != 1765786792442 {
		t.Fatalf("LogStart = %d", got)
	}
	if d := first.LogEnd.Sub(first.LogStart.Time); d != 2358*time.Millisecond {
		t.Fatalf("duration = %v", d)
	}
	if first.IntegrationArtifact.PackageId != "TEST10192" || first.IntegrationArtifact.Type != "INTEGRATION_FLOW" {
		t.Fatalf("artifact = %+v", first.IntegrationArtifact)
	}
	if first.ArchivingLogAttachments != false {
		t.Fatalf("Archiving* should be a JSON boolean, got %#v", first.ArchivingLogAttachments)
	}
}

func TestDecodeCollectionShapes(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantN     int
		wantCount int64
		wantNext  string
		wantErr   string
	}{
		{name: "results with string count and relative next", body: `{"d":{"results":[{"a":1},{"a":2}],"__count":"2500","__next":"MessageProcessingLogs?$skiptoken=1000"}}`, wantN: 2, wantCount: 2500, wantNext: "MessageProcessingLogs?$skiptoken=1000"},
		{name: "numeric count tolerated", body: `{"d":{"results":[],"__count":3}}`, wantN: 0, wantCount: 3},
		{name: "bare array form", body: `{"d":[{"a":1}]}`, wantN: 1, wantCount: -1},
		{name: "BOM and whitespace", body: "\xef\xbb\xbf \n{\"d\":{\"results\":[{}]}}", wantN: 1, wantCount: -1},
		{name: "html login page", body: `<!DOCTYPE html><html><body>Sign in</body></html>`, wantErr: "not JSON"},
		{name: "truncated", body: `{"d":{"results":[{"a":1},{"a"`, wantErr: "truncated or invalid JSON"},
		{name: "single entity is not a collection", body: `{"d":{"Id":"x"}}`, wantErr: "d.results is missing"},
		{name: "no d", body: `{"value":[]}`, wantErr: `no "d" member`},
		{name: "bad count", body: `{"d":{"results":[],"__count":"many"}}`, wantErr: "__count"},
		{name: "negative count", body: `{"d":{"results":[],"__count":"-1"}}`, wantErr: "__count"},
		{name: "empty body", body: ``, wantErr: "not JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeCollection[map[string]any](strings.NewReader(tc.body))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Results) != tc.wantN || c.Next != tc.wantNext {
				t.Fatalf("got n=%d next=%q", len(c.Results), c.Next)
			}
			if tc.wantCount < 0 && c.Count != nil || tc.wantCount >= 0 && (c.Count == nil || *c.Count != tc.wantCount) {
				t.Fatalf("count = %v, want %d", c.Count, tc.wantCount)
			}
		})
	}
}

func TestParseCount(t *testing.T) {
	tests := []struct {
		body    string
		want    int64
		wantErr bool
	}{
		{"42", 42, false}, {"0\n", 0, false}, {"\xef\xbb\xbf17", 17, false}, {" 1000000 ", 1000000, false},
		{"", 0, true}, {"-3", 0, true}, {"<html>login</html>", 0, true}, {`{"d":1}`, 0, true}, {"4.5", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseCount([]byte(tc.body))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseCount(%q) = %d, %v", tc.body, got, err)
		}
	}
}

// isCollection tells a collection envelope from a single entity whose navigation was expanded
// (Keystores('system')?$expand=Entries also has a nested "results").
func isCollection(d json.RawMessage) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(d, &top) != nil {
		return false
	}
	_, ok := top["results"]
	return ok
}
