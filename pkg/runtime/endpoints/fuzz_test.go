package endpoints

import (
	"bytes"
	"os"
	"testing"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// FuzzDecodeEndpoints: a ServiceEndpoints page, with entry points and API definitions expanded in
// either V2 form, deferred or null, is refused or decoded into no more entries than the body holds.
func FuzzDecodeEndpoints(f *testing.F) {
	for _, name := range sapfixtures.JSONFiles(f, "hub-example-ServiceEndpoints") {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"d":{"results":[{"Name":"x","EntryPoints":{"results":[{"Name":"a","Url":"https://x/a","Type":"PROD"}]},"ApiDefinitions":[{"Url":"u"}]}]}}`,
		`{"d":{"results":[{"EntryPoints":{"__deferred":{"uri":"x"}},"ApiDefinitions":null,"LastUpdated":"/Date(1700000000000)/"}]}}`,
		`{"d":{"results":[{"EntryPoints":5}]}}`, `{"d":{"results":[{"EntryPoints":[1]}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		col, err := odata.DecodeCollection[Endpoint](bytes.NewReader(body))
		if err != nil {
			return
		}
		entries := 0
		for _, e := range col.Results {
			entries += len(e.EntryPoints.Results) + len(e.APIs.Results)
		}
		if entries+len(col.Results) > len(body)/2+1 {
			t.Fatalf("%d endpoints with %d entries from %d bytes", len(col.Results), entries, len(body))
		}
	})
}
