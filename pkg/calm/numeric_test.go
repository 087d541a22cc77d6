package calm

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

func ptr(v float64) *float64 { return &v }

// Each method folds the buckets as an alert rule over the whole range expects; values worked out by hand.
func TestReduce(t *testing.T) {
	points := []Point{{Value: ptr(4)}, {Value: nil}, {Value: ptr(1)}, {Value: ptr(7)}, {Value: nil}}
	for _, tc := range []struct {
		method string
		want   float64
	}{{"", 12}, {"SUM", 12}, {"MIN", 1}, {"MAX", 7}, {"AVG", 4}, {"LAST", 7}} {
		got := reduce(tc.method, points)
		if got == nil || *got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.method, got, tc.want)
		}
	}
	if got := reduce("SUM", []Point{{Value: nil}}); got != nil {
		t.Errorf("a series without values reduced to %v, want null", *got)
	}
	if got := reduce("SUM", nil); got != nil {
		t.Errorf("no points reduced to %v, want null", *got)
	}
}

// numeric gives one frame per series of the timeseries answer to the same question, with the same labels
// and the series' buckets added up (the method of the preset is SUM): the sums are taken here from the
// timeseries frames with a plain loop.
func TestNumericIsTheTimeSeriesReduced(t *testing.T) {
	c, _, _ := newCloudALM(t)
	q := models.CalmMetricsQuery{Provider: "CPI_MESSAGES", Dimensions: []string{"IntegrationArtifactName", "StatusGroup"},
		Measures: []models.CalmMeasure{{Name: "Count", Method: "SUM"}}}
	answer := func(f models.Format) data.Frames {
		q.Format = f
		planned, w, err := Plan(q, dataQuery(fixedNow.Add(-3*time.Hour), fixedNow, 10*time.Minute), NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		res := Run(context.Background(), c, NewRegistry(), w, []Item{{RefID: "A", Query: planned}}, "SIM")["A"]
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		return res.Frames
	}
	series, numeric := answer(models.CalmFormatTimeSeries), answer(models.FormatNumeric)
	if len(series) < 2 || len(numeric) != len(series) {
		t.Fatalf("%d time series but %d numeric frames", len(series), len(numeric))
	}
	for i, ts := range numeric {
		if ts.Meta == nil || ts.Meta.Type != data.FrameTypeNumericMulti || len(ts.Fields) != 1 || ts.Fields[0].Len() != 1 {
			t.Fatalf("frame %d is not one numeric value: %+v", i, ts)
		}
		want := 0.0
		values := series[i].Fields[1]
		for j := range values.Len() {
			if v, ok := values.ConcreteAt(j); ok {
				want += v.(float64)
			}
		}
		got, ok := ts.Fields[0].ConcreteAt(0)
		if !ok || got.(float64) != want {
			t.Errorf("frame %d: %v, want the sum %v", i, got, want)
		}
		if ts.Fields[0].Labels.String() != values.Labels.String() || ts.Fields[0].Name != values.Name {
			t.Errorf("frame %d: %s %s, want %s %s", i, ts.Fields[0].Name, ts.Fields[0].Labels, values.Name, values.Labels)
		}
		if ts.RefID != "A" {
			t.Errorf("frame %d has refId %q", i, ts.RefID)
		}
	}
}
