package harness

// QueryData through the real binary: the artifacts query as a table for panels and as numeric frames for
// alert rules (the FromAlert header Grafana's alerting sends), per-query errors, and secrets kept out of
// frames and logs.

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// artifactColumns is the table contract of the artifacts query (see the lead's query model).
var artifactColumns = []string{"Name", "Id", "Type", "Version", "Status", "Deployed by", "Deployed on", "Error", "tenant"}

// cell renders a field value as text; nullable strings come back as *string from Arrow.
func cell(f *data.Field, i int) string {
	switch v := f.At(i).(type) {
	case nil:
		return ""
	case string:
		return v
	case *string:
		if v == nil {
			return ""
		}
		return *v
	default:
		return fmt.Sprint(v)
	}
}

func fieldByName(t *testing.T, f *data.Frame, name string) *data.Field {
	t.Helper()
	fld, idx := f.FieldByName(name)
	if idx < 0 {
		t.Fatalf("frame %q has no field %q", f.Name, name)
	}
	return fld
}

// numeric reports whether a field holds numbers (what SSE math/reduce accepts as a value).
func numeric(f *data.Field) bool { return f.Type().Numeric() }

// queryFixture is a tenant with its expected artifacts, read directly from the simulator.
type queryFixture struct {
	tn        *tenant
	client    simulator.Client
	count     int
	artifacts []simArtifact
	errors    map[string]string // artifact id → deployment error text
}

func newQueryFixture(t *testing.T, seed int64) queryFixture {
	t.Helper()
	c := clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: seed, Clients: []simulator.Client{c}}})
	d := tn.direct(t, c.ID, c.Secret)
	fx := queryFixture{tn: tn, client: c, count: d.artifactCount(t), artifacts: d.artifacts(t), errors: map[string]string{}}
	if len(fx.artifacts) != fx.count {
		t.Fatalf("simulator inconsistency: $count %d but %d artifacts listed", fx.count, len(fx.artifacts))
	}
	for _, a := range fx.artifacts {
		if a.Status == "ERROR" {
			fx.errors[a.ID] = d.errorText(t, a.ID)
		}
	}
	// Without an artifact in ERROR the "errors first" assertions below could not fail.
	if len(fx.errors) == 0 {
		t.Fatalf("the simulated tenant (seed %d) has no artifact in ERROR; the test needs one", seed)
	}
	return fx
}

func (fx queryFixture) secrets() []string {
	return append([]string{fx.client.Secret}, fx.tn.issuedTokens()...)
}

func TestQueryData(t *testing.T) {
	h := startPlugin(t)

	t.Run("artifacts table", func(t *testing.T) {
		t.Parallel()
		fx := newQueryFixture(t, 41)
		h.addSecrets(fx.client.Secret)
		const label = "PRD EU"
		ds := oauthDataSource(label, fx.tn.url(), fx.tn.tokenURL(), fx.client.ID, fx.client.Secret, nil)
		res := h.queryData(t, ds, nil, query{RefID: "A", QueryType: "artifacts", JSON: map[string]any{"format": "table"}})
		r := res.Responses["A"]
		if r == nil {
			t.Fatalf("no response for refId A (got %d responses)", len(res.Responses))
		}
		if r.Error != "" {
			t.Fatalf("query error: %s", r.Error)
		}
		frames := decodeFrames(t, "A", r)
		if len(frames) != 1 {
			t.Fatalf("%d frames, want one table frame", len(frames))
		}
		f := frames[0]
		var names []string
		for _, fld := range f.Fields {
			names = append(names, fld.Name)
		}
		if !slices.Equal(names, artifactColumns) {
			t.Errorf("columns %q, want %q", names, artifactColumns)
		}
		rows, err := f.RowLen()
		if err != nil {
			t.Fatalf("frame fields differ in length: %v", err)
		}
		if rows != fx.count {
			t.Errorf("%d rows, want %d (the tenant's IntegrationRuntimeArtifacts/$count)", rows, fx.count)
		}

		ids, statuses, errs, tenants := fieldByName(t, f, "Id"), fieldByName(t, f, "Status"), fieldByName(t, f, "Error"), fieldByName(t, f, "tenant")
		var gotIDs, wantIDs []string
		for _, a := range fx.artifacts {
			wantIDs = append(wantIDs, a.ID)
		}
		seenNonError := false
		for i := 0; i < rows; i++ {
			id, status, errText := cell(ids, i), cell(statuses, i), cell(errs, i)
			gotIDs = append(gotIDs, id)
			if got := cell(tenants, i); got != label {
				t.Errorf("row %d: tenant %q, want the configured label %q", i, got, label)
			}
			if status == "ERROR" {
				if seenNonError {
					t.Errorf("row %d (%s) is in ERROR but comes after an artifact that is not: ERROR artifacts must come first", i, id)
				}
				want := fx.errors[id]
				if strings.TrimSpace(errText) == "" || !strings.Contains(errText, want) {
					t.Errorf("row %d (%s): Error %q, want the deployment error text %q", i, id, errText, want)
				}
				continue
			}
			seenNonError = true
			if errText != "" {
				t.Errorf("row %d (%s, %s): Error %q, want empty for an artifact not in ERROR", i, id, status, errText)
			}
		}
		sort.Strings(gotIDs)
		sort.Strings(wantIDs)
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("artifact ids %q, want the tenant's %q", gotIDs, wantIDs)
		}
		assertNoSecretsInResponse(t, h, res, fx.secrets())
	})

	t.Run("artifacts numeric for alerting", func(t *testing.T) {
		t.Parallel()
		fx := newQueryFixture(t, 42)
		h.addSecrets(fx.client.Secret)
		const label = "PRD US"
		ds := oauthDataSource(label, fx.tn.url(), fx.tn.tokenURL(), fx.client.ID, fx.client.Secret, nil)
		// Alert evaluation: Grafana's SSE sets FromAlert and sends the saved model, no dashboard variables.
		res := h.queryData(t, ds, map[string]string{"FromAlert": "true"},
			query{RefID: "A", QueryType: "artifacts", JSON: map[string]any{"format": "numeric"}})
		r := res.Responses["A"]
		if r == nil || r.Error != "" {
			t.Fatalf("query A failed: %s", summary(r))
		}
		frames := decodeFrames(t, "A", r)
		if len(frames) != fx.count {
			t.Errorf("%d frames, want one per deployed artifact (%d)", len(frames), fx.count)
		}
		status := map[string]string{}
		for _, a := range fx.artifacts {
			status[a.ID] = a.Status
		}
		seen := map[string]bool{}
		for i, f := range frames {
			var nums []*data.Field
			for _, fld := range f.Fields {
				if numeric(fld) {
					nums = append(nums, fld)
				} else {
					t.Errorf("frame %d has a non-numeric field %q (%s): SSE reads such a frame as a table, not as one value per series", i, fld.Name, fld.Type())
				}
			}
			if len(nums) != 1 {
				t.Errorf("frame %d has %d numeric fields, want exactly 1", i, len(nums))
				continue
			}
			v := nums[0]
			if v.Name != "started" {
				t.Errorf("frame %d: value field %q, want \"started\"", i, v.Name)
			}
			if v.Len() != 1 {
				t.Errorf("frame %d: %d values, want 1", i, v.Len())
				continue
			}
			for _, k := range []string{"artifact", "type", "tenant"} {
				if v.Labels[k] == "" {
					t.Errorf("frame %d: label %q missing or empty (labels %v)", i, k, v.Labels)
				}
			}
			if v.Labels["tenant"] != label {
				t.Errorf("frame %d: tenant label %q, want %q", i, v.Labels["tenant"], label)
			}
			key := v.Labels.String()
			if seen[key] {
				t.Errorf("frame %d: label set %s occurs twice; alert instances need unique label sets", i, key)
			}
			seen[key] = true
			id := v.Labels["artifact"]
			want, ok := status[id]
			if !ok {
				t.Errorf("frame %d: artifact label %q is not an artifact id of the tenant", i, id)
				continue
			}
			got, _ := v.NullableFloatAt(0)
			wantVal := 0.0
			if want == "STARTED" {
				wantVal = 1
			}
			if got == nil || *got != wantVal {
				t.Errorf("frame %d (%s, status %s): started = %v, want %v", i, id, want, got, wantVal)
			}
		}
		assertNoSecretsInResponse(t, h, res, fx.secrets())
	})

	t.Run("unknown query type fails only that query", func(t *testing.T) {
		t.Parallel()
		fx := newQueryFixture(t, 43)
		h.addSecrets(fx.client.Secret)
		ds := oauthDataSource("DEV", fx.tn.url(), fx.tn.tokenURL(), fx.client.ID, fx.client.Secret, nil)
		res := h.queryData(t, ds, nil,
			query{RefID: "good", QueryType: "artifacts", JSON: map[string]any{"format": "table"}},
			query{RefID: "bad", QueryType: "noSuchType", JSON: map[string]any{}})
		if len(res.Responses) != 2 {
			t.Errorf("%d responses, want 2 (one per refId)", len(res.Responses))
		}
		good, bad := res.Responses["good"], res.Responses["bad"]
		if good == nil || good.Error != "" {
			t.Fatalf("the good query failed: %s", summary(good))
		}
		frames := decodeFrames(t, "good", good)
		if len(frames) != 1 {
			t.Fatalf("good query: %d frames, want 1", len(frames))
		}
		if n, _ := frames[0].RowLen(); n != fx.count {
			t.Errorf("good query: %d rows, want %d", n, fx.count)
		}
		if bad == nil || bad.Error == "" {
			t.Fatalf("the unknown query type gave no error: %s", summary(bad))
		}
		assertContainsAll(t, "unknown type error", bad.Error, []string{"noSuchType", "artifacts"})
		if len(bad.Frames) != 0 {
			t.Errorf("the failed query returned %d frames", len(bad.Frames))
		}
		assertNoSecretsInResponse(t, h, res, fx.secrets())
	})

	t.Run("wrong secret is an error on the query", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		wrong := randomSecret(t, "wrong")
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 44, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret, wrong)
		ds := oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, wrong, nil)
		start := time.Now()
		res := h.queryData(t, ds, map[string]string{"FromAlert": "true"},
			query{RefID: "A", QueryType: "artifacts", JSON: map[string]any{"format": "numeric"}})
		r := res.Responses["A"]
		if r == nil || r.Error == "" {
			t.Fatalf("no error for a data source with a wrong secret: %s", summary(r))
		}
		t.Logf("error after %s: %s (status %d, source %q)", time.Since(start).Round(time.Millisecond), r.Error, r.Status, r.ErrorSource)
		assertContainsAll(t, "query error", r.Error, []string{"client", "secret"})
		// Grafana (and its alerting) tells plugin bugs from tenant/configuration problems by this field.
		if r.ErrorSource != "downstream" {
			t.Errorf("error source %q, want \"downstream\": a wrong secret is not a plugin failure", r.ErrorSource)
		}
		if r.Status < 400 || r.Status >= 600 {
			t.Errorf("status %d, want an HTTP error status", r.Status)
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret, wrong}, tn.issuedTokens()...))
	})
}

// assertNoSecretsInResponse checks the whole response (errors, Arrow frames with their metadata, which
// carries the executed requests) and the plugin log.
func assertNoSecretsInResponse(t *testing.T, h *pluginHost, res *pluginv2.QueryDataResponse, secrets []string) {
	t.Helper()
	h.addSecrets(secrets...)
	for refID, r := range res.Responses {
		assertNoSecrets(t, "error of "+refID, r.Error, secrets)
		for _, fb := range r.Frames {
			assertNoSecrets(t, "frames of "+refID, string(fb), secrets)
		}
		assertNoSecrets(t, "meta of "+refID, string(r.JsonMeta), secrets)
	}
	assertNoSecrets(t, "plugin log", h.logs(), secrets)
}

// summary describes a response for failure messages without dumping Arrow bytes.
func summary(r *pluginv2.DataResponse) string {
	if r == nil {
		return "no response"
	}
	return fmt.Sprintf("status %d, %d frame(s), error %q, source %q", r.Status, len(r.Frames), r.Error, r.ErrorSource)
}
