package artifacts

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/settings"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var fixedNow = simtest.Now

// masked replaces the test server's random address in the request log, so goldens are stable.
func masked(r Result, tn *simtest.Tenant) Result {
	r.Requests = tn.Mask(r.Requests)
	return r
}

func TestGoldenFrames(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	c := tn.Client
	tests := []struct {
		name   string
		query  models.ArtifactsQuery
		framer func(Result, string) data.Frames
	}{
		{"table_all", models.ArtifactsQuery{}, func(r Result, tenant string) data.Frames { return data.Frames{tableFrame(r, tenant)} }},
		{"table_errors", models.ArtifactsQuery{ArtifactStatus: "ERROR"}, func(r Result, tenant string) data.Frames { return data.Frames{tableFrame(r, tenant)} }},
		{"numeric_value_mappings", models.ArtifactsQuery{ArtifactType: "VALUE_MAPPING", Format: models.FormatNumeric}, numericFrames},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), c, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			simtest.Golden(t, tc.name, tc.framer(masked(res, tn), "SIM"))
		})
	}
}

func TestErrorsFirstWithText(t *testing.T) {
	c := simtest.New(t, simulator.Config{}).Client
	res, err := Fetch(context.Background(), c, models.ArtifactsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Artifacts) < 10 {
		t.Fatalf("only %d artifacts", len(res.Artifacts))
	}
	first := res.Artifacts[0]
	if first.Status != "ERROR" || first.ErrorText == "" || strings.HasPrefix(first.ErrorText, "(") {
		t.Fatalf("first artifact should be the one in ERROR with its text, got %+v", first)
	}
	for _, a := range res.Artifacts[1:] {
		if a.Status == "ERROR" {
			t.Fatalf("ERROR artifact %s not sorted first", a.ID)
		}
		if a.ErrorText != "" {
			t.Fatalf("error text fetched for %s in %s", a.ID, a.Status)
		}
	}
	// One list call plus one error-text call for the single artifact in ERROR: nothing per row.
	if len(res.Requests) != 2 || !strings.Contains(res.Requests[0], "$select=") {
		t.Fatalf("requests = %v", res.Requests)
	}
}

func TestFilters(t *testing.T) {
	c := simtest.New(t, simulator.Config{}).Client
	all, err := Fetch(context.Background(), c, models.ArtifactsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	target := all.Artifacts[len(all.Artifacts)-1]
	tests := []struct {
		name  string
		query models.ArtifactsQuery
		check func(a Artifact) bool
	}{
		{"type on the server", models.ArtifactsQuery{ArtifactType: "INTEGRATION_FLOW"}, func(a Artifact) bool { return a.Type == "INTEGRATION_FLOW" }},
		{"status and type: status on the server, type locally", models.ArtifactsQuery{ArtifactStatus: "STARTED", ArtifactType: "VALUE_MAPPING"}, func(a Artifact) bool { return a.Status == "STARTED" && a.Type == "VALUE_MAPPING" }},
		{"name substring, any case", models.ArtifactsQuery{ArtifactName: strings.ToUpper(target.Name[1:6])}, func(a Artifact) bool {
			return strings.Contains(strings.ToLower(a.Name), strings.ToLower(target.Name[1:6])) || strings.Contains(strings.ToLower(a.ID), strings.ToLower(target.Name[1:6]))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), c, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Artifacts) == 0 || len(res.Artifacts) == len(all.Artifacts) {
				t.Fatalf("filter kept %d of %d", len(res.Artifacts), len(all.Artifacts))
			}
			for _, a := range res.Artifacts {
				if !tc.check(a) {
					t.Fatalf("%+v does not match", a)
				}
			}
		})
	}
}

func TestHostileValues(t *testing.T) {
	c := simtest.New(t, simulator.Config{}).Client
	// A quote-injection attempt is an escaped literal: the tenant answers, and nothing matches.
	res, err := Fetch(context.Background(), c, models.ArtifactsQuery{ArtifactStatus: "STARTED' or Status eq 'ERROR"})
	if err != nil {
		t.Fatalf("escaped literal refused: %v", err)
	}
	if len(res.Artifacts) != 0 {
		t.Fatalf("injection matched %d artifacts", len(res.Artifacts))
	}
	for _, q := range []models.ArtifactsQuery{
		{ArtifactName: strings.Repeat("x", 10000)},
		{ArtifactType: "INTEGRATION_FLOW\n"},
	} {
		if _, err := Fetch(context.Background(), c, q); err == nil {
			t.Fatalf("hostile value accepted: %.30q", q)
		}
	}
}

func TestNumericFramesForAlerting(t *testing.T) {
	c := simtest.New(t, simulator.Config{}).Client
	res, err := Fetch(context.Background(), c, models.ArtifactsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	frames := numericFrames(res, "PRD EU")
	seen := map[string]bool{}
	for _, f := range frames {
		if len(f.Fields) != 1 || f.Fields[0].Type() != data.FieldTypeFloat64 || f.Fields[0].Len() != 1 {
			t.Fatalf("frame %s is not one number", f.Name)
		}
		labels := f.Fields[0].Labels
		if labels["tenant"] != "PRD EU" || labels["artifact"] == "" || labels["type"] == "" {
			t.Fatalf("labels %v", labels)
		}
		if seen[labels.String()] {
			t.Fatalf("duplicate label set %v", labels)
		}
		seen[labels.String()] = true
	}
	if len(frames) != len(res.Artifacts) {
		t.Fatalf("%d frames for %d artifacts", len(frames), len(res.Artifacts))
	}
}

// TestRefreshSharesOneListing: the stat, the table and the deployment annotations of one refresh read the
// artifacts and their error texts once.
func TestRefreshSharesOneListing(t *testing.T) {
	c := simtest.New(t, simulator.Config{}).Client
	ctx := context.Background()
	first, err := Fetch(ctx, c, models.ArtifactsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Requests) < 2 {
		t.Fatalf("%d requests: want the listing and at least one error text", len(first.Requests))
	}
	before := c.CacheStats()
	if _, err := Fetch(ctx, c, models.ArtifactsQuery{Format: models.FormatNumeric}); err != nil {
		t.Fatal(err)
	}
	if _, err := Deployments(ctx, c, models.ArtifactsQuery{}, fixedNow.Add(-365*24*time.Hour), fixedNow); err != nil {
		t.Fatal(err)
	}
	after := c.CacheStats()
	if n := after.Requests - before.Requests; n != 0 {
		t.Errorf("%d more requests for two more panels of the same refresh, want 0", n)
	}
	if after.Hits == before.Hits {
		t.Error("no answer came from the cache")
	}
}

// A deployment's error text is read once: refreshes reuse it until the artifact is deployed again, and
// an empty answer (SAP's 204 before the text exists, or a 200 of blank lines) is asked again.
func TestDeploymentErrorTextReadOncePerDeployment(t *testing.T) {
	for _, first := range []struct {
		name  string
		write func(http.ResponseWriter)
	}{
		{"no content", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }},
		{"blank", func(w http.ResponseWriter) { fmt.Fprint(w, "\r\n \n") }},
	} {
		t.Run(first.name, func(t *testing.T) { testErrorTextPerDeployment(t, first.write) })
	}
}

// textTenant serves one artifact in ERROR (artifact: its JSON) and its error text (text: the nth request's
// answer) to a client on a clock a test moves on.
type textTenant struct {
	mu        sync.Mutex
	now       time.Time
	textCalls int
	c         *cpi.Client
}

func newTextTenant(t *testing.T, artifact func() string, text func(w http.ResponseWriter, n int)) *textTenant {
	tt := &textTenant{now: fixedNow}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tt.mu.Lock()
		defer tt.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/IntegrationRuntimeArtifacts":
			fmt.Fprintf(w, `{"d":{"__count":"1","results":[%s]}}`, artifact())
		case "/api/v1/IntegrationRuntimeArtifacts('Orders_In')/ErrorInformation/$value":
			tt.textCalls++
			text(w, tt.textCalls)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := cpi.New(settings.Settings{APIBaseURL: srv.URL, AuthType: settings.AuthBasic, BasicUser: "u",
		Timeout: 5 * time.Second, MaxConcurrent: 2, Secrets: settings.Secrets{BasicPassword: "p"}},
		cpi.WithClock(func() time.Time { tt.mu.Lock(); defer tt.mu.Unlock(); return tt.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	tt.c = c
	return tt
}

// refresh fetches the artifacts a minute after the last refresh (past the listing's cache) and returns
// the error text shown and the error-text requests so far.
func (tt *textTenant) refresh(t *testing.T) (string, int) {
	t.Helper()
	tt.mu.Lock()
	tt.now = tt.now.Add(time.Minute)
	tt.mu.Unlock()
	res, err := Fetch(context.Background(), tt.c, models.ArtifactsQuery{})
	if err != nil || len(res.Artifacts) != 1 {
		t.Fatalf("artifacts %+v, error %v", res.Artifacts, err)
	}
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return res.Artifacts[0].ErrorText, tt.textCalls
}

func deploymentFailed(w http.ResponseWriter, n int) {
	fmt.Fprintf(w, `{"parameter":["deployment %d failed"]}`, n)
}

func testErrorTextPerDeployment(t *testing.T, writeFirst func(http.ResponseWriter)) {
	var mu sync.Mutex
	deployedOn := "/Date(1764000000000)/"
	tt := newTextTenant(t, func() string {
		mu.Lock()
		defer mu.Unlock()
		return fmt.Sprintf(`{"Id":"Orders_In","Version":"1.0.3","Name":"Orders In","Type":"INTEGRATION_FLOW","DeployedBy":"ops","DeployedOn":%q,"Status":"ERROR"}`, deployedOn)
	}, func(w http.ResponseWriter, n int) {
		if n == 1 {
			writeFirst(w)
			return
		}
		deploymentFailed(w, n)
	})
	steps := []struct {
		redeploy  bool
		wantText  string
		wantCalls int
	}{
		{false, "(no error text yet: SAP provides it shortly after the failed deployment)", 1},
		{false, "deployment 2 failed", 2}, // the empty answer was not kept
		{false, "deployment 2 failed", 2}, // kept across refreshes
		{true, "deployment 3 failed", 3},  // a new deployment has a new text
		{false, "deployment 3 failed", 3},
	}
	for i, s := range steps {
		if s.redeploy {
			mu.Lock()
			deployedOn = "/Date(1764000600000)/"
			mu.Unlock()
		}
		if got, calls := tt.refresh(t); got != s.wantText || calls != s.wantCalls {
			t.Errorf("step %d: text %q after %d error-text requests, want %q after %d", i, got, calls, s.wantText, s.wantCalls)
		}
	}
}

// A tenant that sends no DeployedOn: a redeployment cannot be recognised, so the error text is not kept
// across refreshes (it would show the first deployment's text for good).
func TestErrorTextWithoutDeploymentTimeIsReadAgain(t *testing.T) {
	tt := newTextTenant(t, func() string {
		return `{"Id":"Orders_In","Name":"Orders In","Type":"INTEGRATION_FLOW","Status":"ERROR","DeployedOn":null}`
	}, deploymentFailed)
	for i := 1; i <= 3; i++ {
		if got, _ := tt.refresh(t); got != fmt.Sprintf("deployment %d failed", i) {
			t.Errorf("refresh %d: text %q, want %q", i, got, fmt.Sprintf("deployment %d failed", i))
		}
	}
}
