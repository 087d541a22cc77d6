package harness

// The message query types as Grafana's alerting evaluates them: through the real binary, with the
// FromAlert header and the saved model only (no dashboard variables). Every answer must be something a
// rule accepts: numeric or time-series frames, exactly one numeric field each, unique label sets carrying
// the tenant and the group (iflow, signature).

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// messageAlertFrames checks the alerting contract of a response and returns its frames.
func messageAlertFrames(t *testing.T, refID string, r *pluginv2.DataResponse, wantType data.FrameType, groupLabels ...string) data.Frames {
	t.Helper()
	if r == nil || r.Error != "" {
		t.Fatalf("query %s failed: %s", refID, summary(r))
	}
	frames := decodeFrames(t, refID, r)
	seen := map[string]bool{}
	for i, f := range frames {
		if f.Meta == nil || f.Meta.Type != wantType {
			t.Errorf("%s frame %d: type %v, want %s", refID, i, f.Meta, wantType)
		}
		var nums []*data.Field
		for _, fld := range f.Fields {
			switch {
			case numeric(fld):
				nums = append(nums, fld)
			case fld.Type() == data.FieldTypeTime || fld.Type() == data.FieldTypeNullableTime:
				if wantType != data.FrameTypeTimeSeriesMulti {
					t.Errorf("%s frame %d: a time field in a numeric frame", refID, i)
				}
			default:
				t.Errorf("%s frame %d: field %q of type %s; alert rules read such a frame as a table", refID, i, fld.Name, fld.Type())
			}
		}
		if len(nums) != 1 {
			t.Errorf("%s frame %d: %d numeric fields, want exactly 1", refID, i, len(nums))
			continue
		}
		v := nums[0]
		if wantType == data.FrameTypeNumericMulti && v.Len() != 1 {
			t.Errorf("%s frame %d: %d values, want 1", refID, i, v.Len())
		}
		for _, l := range append([]string{"tenant"}, groupLabels...) {
			if v.Labels[l] == "" {
				t.Errorf("%s frame %d: label %q missing (labels %v)", refID, i, l, v.Labels)
			}
		}
		if v.Labels["tenant"] != "PRD EU" {
			t.Errorf("%s frame %d: tenant %q", refID, i, v.Labels["tenant"])
		}
		key := v.Labels.String()
		if seen[key] {
			t.Errorf("%s: label set %s twice; alert instances need unique label sets", refID, key)
		}
		seen[key] = true
	}
	return frames
}

func messageTotal(t *testing.T, frames data.Frames) float64 {
	t.Helper()
	sum := 0.0
	for _, f := range frames {
		for _, fld := range f.Fields {
			if !numeric(fld) {
				continue
			}
			for i := 0; i < fld.Len(); i++ {
				if v, ok := fld.ConcreteAt(i); ok {
					sum += v.(float64)
				}
			}
		}
	}
	return sum
}

func TestMessageQueriesForAlerting(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t)
	h.addSecrets(c.Secret)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 61, MessagesPerDay: 200_000, IFlows: 24, Clients: []simulator.Client{c}}})
	d := tn.direct(t, c.ID, c.Secret)
	deployed, err := strconv.Atoi(strings.TrimSpace(string(d.get(t, "IntegrationRuntimeArtifacts/$count?$filter=Type%20eq%20'INTEGRATION_FLOW'"))))
	if err != nil {
		t.Fatal(err)
	}
	ds := oauthDataSource("PRD EU", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil).saved()
	alert := map[string]string{"FromAlert": "true"}

	// One request as an alert rule with several queries sends it (the harness range: the last 6 hours).
	before := time.Now()
	res := h.queryData(t, ds, alert,
		query{RefID: "failedPerIFlow", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "iflow", "statuses": []string{"FAILED"}, "format": "numeric"}},
		query{RefID: "perIFlowSeries", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "iflow", "format": "timeseries"}},
		query{RefID: "allPerIFlow", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "iflow", "format": "numeric"}},
		query{RefID: "errors", QueryType: "errorGroups", JSON: map[string]any{"format": "numeric", "maxErrorTexts": 200}},
		query{RefID: "stuck", QueryType: "stuckMessages", JSON: map[string]any{"stuckMinutes": 60, "format": "numeric"}},
		query{RefID: "unreplaced", QueryType: "messageCounts", JSON: map[string]any{"groupBy": "iflow", "iflows": []string{"$iflow"}, "format": "numeric"}},
	)
	after := time.Now()

	failed := messageAlertFrames(t, "failedPerIFlow", res.Responses["failedPerIFlow"], data.FrameTypeNumericMulti, "iflow")
	if len(failed) != deployed {
		t.Errorf("failedPerIFlow: %d frames, want one per deployed iFlow (%d): zero-filled", len(failed), deployed)
	}
	all := messageAlertFrames(t, "allPerIFlow", res.Responses["allPerIFlow"], data.FrameTypeNumericMulti, "iflow")
	if messageTotal(t, all) <= messageTotal(t, failed) || messageTotal(t, failed) == 0 {
		t.Errorf("all messages %v, failed %v: want some failures among more messages", messageTotal(t, all), messageTotal(t, failed))
	}
	series := messageAlertFrames(t, "perIFlowSeries", res.Responses["perIFlowSeries"], data.FrameTypeTimeSeriesMulti, "iflow")
	if len(series) != deployed {
		t.Errorf("perIFlowSeries: %d series, want %d", len(series), deployed)
	}
	// The same messages, counted per bucket, add up to the numbers over the same range. The range ends now, and
	// a message still running moves its LogEnd at every update, so the two queries may see a few messages apart
	// at the open edge; exactness over closed ranges is the property test of pkg/messages.
	if s, a := messageTotal(t, series), messageTotal(t, all); math.Abs(s-a) > a*0.001+5 {
		t.Errorf("time series total %v, numeric total %v", s, a)
	}
	errs := messageAlertFrames(t, "errors", res.Responses["errors"], data.FrameTypeNumericMulti, "signature")
	if len(errs) < 2 {
		t.Errorf("errors: %d error signatures in 6 hours of 200 000 messages/day", len(errs))
	}
	for _, f := range errs {
		if f.Fields[0].Config == nil || len(f.Fields[0].Config.DisplayNameFromDS) < 10 {
			t.Errorf("errors: series %v without a readable display name", f.Fields[0].Labels)
		}
	}
	stuck := messageAlertFrames(t, "stuck", res.Responses["stuck"], data.FrameTypeNumericMulti, "iflow")
	// The truth is the tenant's own count of messages that started in the window and are still in PROCESSING
	// or RETRY; the plugin's now lies between before and after, so its window lies between these two. The
	// window ends at a whole minute (now − 60 min, truncated), so the inner one ends at before's minute.
	stuckInner := d.stuckCount(t, after.Add(-6*time.Hour).Add(time.Second), before.Add(-time.Hour).Truncate(time.Minute))
	stuckOuter := d.stuckCount(t, before.Add(-6*time.Hour).Add(-time.Second), after.Add(-time.Hour).Add(time.Second))
	if got := int(messageTotal(t, stuck)); len(stuck) != deployed || got < stuckInner || got > stuckOuter {
		t.Errorf("stuck: %d frames (want %d), %d stuck messages (the tenant has %d to %d)", len(stuck), deployed, got, stuckInner, stuckOuter)
	}
	bad := res.Responses["unreplaced"]
	if bad == nil || bad.Error == "" || len(bad.Frames) != 0 {
		t.Fatalf("a query with an unreplaced template variable: %s", summary(bad))
	}
	assertContainsAll(t, "unreplaced variable error", bad.Error, []string{"$iflow", "template variable", "alert"})
	assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
}
