package calm

import (
	"math"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
)

// Fuzz targets for Cloud ALM's answers. `go test` runs their seeds; scripts/fuzz.sh fuzzes each of them
// for a given time.

// calmSeeds are SAP's published answers plus hand-made edge cases.
func calmSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for _, name := range sapfixtures.JSONFiles(f, "calm-plugin-readme-", "calm-issue109-") {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range []string{
		`[[{"serieName":"a","attributes":[{"key":"k","value":1}],"dataPoints":[[1,1700000000000],[null,"20240102030405"],["2.5","1700000000"]]}]]`,
		`[{"serieName":"a","dataPoints":[[1,1e300]]}]`, `[{"serieName":"a","dataPoints":[[1,-5]]}]`, `[{"dataPoints":[["NaN",1]]}]`,
		`[{"columns":[{"text":"t","type":"time"}],"rows":[[1],[2]]}]`, `{"COLUMNS":[{"text":"a"}],"ROWS":[["x"]]}`,
		`[{"columns":[],"rows":[[1]]}]`, `[]`, `{}`, `[[],[]]`, `null`, `[{"dataPoints":[[1]]}]`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// saneTime: Cloud ALM keeps data for months; an accepted timestamp is after 1970 and has four digits.
func saneTime(t *testing.T, ts time.Time) {
	t.Helper()
	if ts.Before(time.Unix(0, 0)) || !ts.Before(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("timestamp %v accepted", ts)
	}
}

// FuzzDecodeSeries: an answer is refused, or yields one list of series per query whose points are
// finite, sorted, at sane times and no more than the body can hold.
func FuzzDecodeSeries(f *testing.F) {
	for _, b := range calmSeeds(f) {
		f.Add(b, uint8(0))
		f.Add(b, uint8(1))
	}
	f.Fuzz(func(t *testing.T, body []byte, queries uint8) {
		n := int(queries%3) + 1
		out, err := DecodeSeries(body, n)
		if err != nil {
			if utf8.Valid(body) && !utf8.ValidString(err.Error()) {
				t.Fatalf("error %q is not valid UTF-8", err)
			}
			return
		}
		if len(out) != n {
			t.Fatalf("%d results for %d queries", len(out), n)
		}
		points := 0
		for _, series := range out {
			for _, s := range series {
				for i, p := range s.Points {
					saneTime(t, p.Time)
					if p.Value != nil && (math.IsNaN(*p.Value) || math.IsInf(*p.Value, 0)) {
						t.Fatalf("value %v accepted", *p.Value)
					}
					if i > 0 && p.Time.Before(s.Points[i-1].Time) {
						t.Fatalf("points not sorted: %v after %v", p.Time, s.Points[i-1].Time)
					}
				}
				points += len(s.Points)
			}
		}
		if points > len(body)/5+1 {
			t.Fatalf("%d points from %d bytes", points, len(body))
		}
	})
}

// FuzzDecodeTables: an answer is refused, or yields one table per query whose rows all have one cell
// per column.
func FuzzDecodeTables(f *testing.F) {
	for _, b := range calmSeeds(f) {
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, queries uint8) {
		n := int(queries%3) + 1
		out, err := DecodeTables(body, n)
		if err != nil {
			return
		}
		if len(out) != n {
			t.Fatalf("%d tables for %d queries", len(out), n)
		}
		for _, tab := range out {
			for _, row := range tab.Rows {
				if len(row) != len(tab.Columns) {
					t.Fatalf("row of %d cells for %d columns", len(row), len(tab.Columns))
				}
			}
		}
	})
}

// FuzzErrorAndNotices: Cloud ALM's error bodies and sap-message headers become bounded, valid text.
func FuzzErrorAndNotices(f *testing.F) {
	for _, b := range calmSeeds(f) {
		f.Add(428, b, `[{"time":"x","content":"Data is incomplete","type":"W"}]`)
	}
	f.Add(400, []byte(`{"error":{"code":"PRECONDITION_REQUIRED","message":"PRECONDITION_REQUIRED : Missing filter for dimension 'kpiId'","details":[{"code":"x-correlationid","message":"c0ffee"}]}}`), `{"content":"one","type":"E"}`)
	f.Add(500, []byte(`{"error":{"code":"X","message":{"lang":"en","value":"`+strings.Repeat("€", 300)+`"}}}`), strings.Repeat("€", 200))
	f.Fuzz(func(t *testing.T, status int, body []byte, sapMessage string) {
		h := http.Header{}
		h.Add("sap-message", sapMessage)
		valid := utf8.Valid(body) && utf8.ValidString(sapMessage)
		if e := ParseError(status, h, body); e != nil {
			text := e.describe("https://t.example.com/api/calm-analytics/v1")
			if valid && !utf8.ValidString(text) {
				t.Fatalf("error %q is not valid UTF-8", text)
			}
			if len(text) > 1000+len(e.CorrelationID)+len(e.Code) {
				t.Fatalf("error of %d bytes", len(text))
			}
		}
		for _, n := range Notices(h) {
			if valid && !utf8.ValidString(n.Text) {
				t.Fatalf("notice %q is not valid UTF-8", n.Text)
			}
			if len(n.Text) > len("Cloud ALM: ")+300+len("…") {
				t.Fatalf("notice of %d bytes", len(n.Text))
			}
		}
	})
}
