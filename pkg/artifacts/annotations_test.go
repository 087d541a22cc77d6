package artifacts

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

func TestGoldenAnnotations(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	c := tn.Client
	res, err := Deployments(context.Background(), c, models.ArtifactsQuery{}, fixedNow.Add(-7*24*time.Hour), fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	simtest.Golden(t, "annotations_week", data.Frames{annotationsFrame(masked(res, tn), "SIM")})
}

// Deployments keep exactly the artifacts deployed in the range (SAP cannot filter DeployedOn), oldest
// first, and read the error text only for those in ERROR among them.
func TestDeploymentsInRange(t *testing.T) {
	c := simtest.New(t, simulator.Config{}).Client
	all, err := List(context.Background(), c, models.ArtifactsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		from, to time.Time
		q        models.ArtifactsQuery
	}{
		{"last 6 hours: the failed deployment", fixedNow.Add(-6 * time.Hour), fixedNow, models.ArtifactsQuery{}},
		{"last 30 days", fixedNow.Add(-30 * 24 * time.Hour), fixedNow, models.ArtifactsQuery{}},
		{"a window in the past", fixedNow.Add(-60 * 24 * time.Hour), fixedNow.Add(-30 * 24 * time.Hour), models.ArtifactsQuery{}},
		{"value mappings of the last 90 days", fixedNow.Add(-90 * 24 * time.Hour), fixedNow, models.ArtifactsQuery{ArtifactType: "VALUE_MAPPING"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Deployments(context.Background(), c, tc.q, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, a := range all.Artifacts {
				if !a.DeployedOn.Before(tc.from) && !a.DeployedOn.After(tc.to) && matches(a, tc.q) {
					want++
				}
			}
			if len(res.Artifacts) != want || want == 0 || want == len(all.Artifacts) {
				t.Fatalf("%d deployments, want %d of %d", len(res.Artifacts), want, len(all.Artifacts))
			}
			errors := 0
			for i, a := range res.Artifacts {
				if i > 0 && a.DeployedOn.Before(res.Artifacts[i-1].DeployedOn.Time) {
					t.Fatalf("not oldest first at %d", i)
				}
				if a.Status == "ERROR" {
					errors++
					if a.ErrorText == "" {
						t.Errorf("%s in ERROR without its text", a.ID)
					}
				}
			}
			if len(res.Requests) != 1+errors {
				t.Fatalf("%d requests for %d errors: %v", len(res.Requests), errors, res.Requests)
			}
			frame := annotationsFrame(res, "SIM")
			if n, _ := frame.RowLen(); n != want {
				t.Fatalf("%d annotation rows", n)
			}
			for _, name := range []string{"time", "title", "text", "tags", "tenant"} {
				if f, _ := frame.FieldByName(name); f == nil {
					t.Fatalf("annotation frame lacks %q", name)
				}
			}
			if frame.Fields[0].Type() != data.FieldTypeTime {
				t.Fatalf("time field is %s", frame.Fields[0].Type())
			}
		})
	}
}

func TestAnnotationText(t *testing.T) {
	on := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	r := Result{Artifacts: []Artifact{
		{ID: "F1", Name: "Flow One", Version: "1.2.3", Type: "INTEGRATION_FLOW", Status: "ERROR", DeployedBy: "anna", DeployedOn: odataTime(on), ErrorText: "credential missing"},
		{ID: "F2", Version: "1.0.0", Type: "", Status: "STARTED", DeployedOn: odataTime(on)},
	}}
	f := annotationsFrame(r, "T")
	want := []struct{ title, text, tags string }{
		{"Deployed Flow One 1.2.3", "Deployed by anna · status ERROR\ncredential missing", "INTEGRATION_FLOW,ERROR"},
		{"Deployed F2 1.0.0", "Deployed by unknown · status STARTED", "STARTED"},
	}
	for i, w := range want {
		if f.Fields[1].At(i) != w.title || f.Fields[2].At(i) != w.text || f.Fields[3].At(i) != w.tags {
			t.Errorf("row %d: %q %q %q", i, f.Fields[1].At(i), f.Fields[2].At(i), f.Fields[3].At(i))
		}
		if !f.Fields[0].At(i).(time.Time).Equal(on) {
			t.Errorf("row %d time %v", i, f.Fields[0].At(i))
		}
	}
	if !strings.Contains(f.Fields[2].At(0).(string), "credential") {
		t.Fatal("error text missing")
	}
}

func odataTime(t time.Time) odata.Time { return odata.Time{Time: t} }
