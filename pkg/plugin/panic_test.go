package plugin

import (
	"context"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// A handler that panics fails its own query with a short message; the other queries of the request
// are answered.
func TestPanickingHandlerFailsOnlyItsQuery(t *testing.T) {
	const boom models.QueryType = "testPanics"
	handlers[boom] = func(context.Context, *Datasource, backend.DataQuery) backend.DataResponse {
		var rows []int
		_ = rows[len(rows)] // index out of range, as a decoder meeting an unexpected value would
		return backend.DataResponse{}
	}
	t.Cleanup(func() { delete(handlers, boom) })
	const fine models.QueryType = "testFine"
	handlers[fine] = func(context.Context, *Datasource, backend.DataQuery) backend.DataResponse {
		return backend.DataResponse{}
	}
	t.Cleanup(func() { delete(handlers, fine) })

	ds := &Datasource{}
	resp, err := ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		{RefID: "A", QueryType: string(boom)}, {RefID: "B", QueryType: string(fine)}}})
	if err != nil {
		t.Fatal(err)
	}
	a := resp.Responses["A"]
	if a.Error == nil || a.Status != backend.StatusInternal || a.ErrorSource != backend.ErrorSourcePlugin {
		t.Fatalf("A = %+v, want an internal plugin error", a)
	}
	if msg := a.Error.Error(); strings.Contains(msg, "index out of range") || strings.Contains(msg, "goroutine") || len(msg) > 200 {
		t.Fatalf("panel text %q should be short and free of the runtime's text", msg)
	}
	if b := resp.Responses["B"]; b.Error != nil {
		t.Fatalf("B failed too: %v", b.Error)
	}
}
