package harness

// The runtime family through the real binary: certificates and JMS as numeric frames for alert rules
// (FromAlert header, as Grafana's alerting sends), the tables and annotations panels use, and missing
// roles named in the error.

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// alertFrames checks what SSE needs from numeric frames (one numeric field per frame, unique label sets
// that carry the tenant and the wanted keys) and returns the frames keyed by one label.
func alertFrames(t *testing.T, frames data.Frames, tenantLabel, key string, labelKeys ...string) map[string]*data.Field {
	t.Helper()
	out := map[string]*data.Field{}
	seen := map[string]bool{}
	for i, f := range frames {
		if len(f.Fields) != 1 || !numeric(f.Fields[0]) || f.Fields[0].Len() != 1 {
			t.Errorf("frame %d (%s): %d fields, want exactly one numeric field with one value", i, f.Name, len(f.Fields))
			continue
		}
		v := f.Fields[0]
		if v.Labels["tenant"] != tenantLabel {
			t.Errorf("frame %d: tenant label %q, want %q", i, v.Labels["tenant"], tenantLabel)
		}
		for _, k := range labelKeys {
			if _, ok := v.Labels[k]; !ok {
				t.Errorf("frame %d: label %q missing (labels %v)", i, k, v.Labels)
			}
		}
		if seen[v.Labels.String()] {
			t.Errorf("frame %d: label set %s occurs twice; alert instances need unique label sets", i, v.Labels)
		}
		seen[v.Labels.String()] = true
		out[v.Labels[key]] = v
	}
	return out
}

func floatAt(t *testing.T, f *data.Field) float64 {
	t.Helper()
	v, err := f.FloatAt(0)
	if err != nil {
		t.Fatalf("field %s: %v", f.Name, err)
	}
	return v
}

// directKeystore reads the keystore without the plugin: alias → days until expiry from ValidNotAfter.
// calendarDays is what an operator reads off a certificate: the number of UTC calendar days from today to
// its valid-to date.
func calendarDays(now, validTo time.Time) float64 {
	y, m, d := now.UTC().Date()
	vy, vm, vd := validTo.UTC().Date()
	return math.Round(time.Date(vy, vm, vd, 12, 0, 0, 0, time.UTC).Sub(time.Date(y, m, d, 12, 0, 0, 0, time.UTC)).Hours() / 24)
}

func directKeystore(t *testing.T, d *direct, keystore string) map[string]float64 {
	t.Helper()
	var env struct {
		D struct {
			Results []struct {
				Alias         string `json:"Alias"`
				ValidNotAfter string `json:"ValidNotAfter"`
			} `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(d.get(t, "KeystoreEntries?keystoreName="+keystore), &env); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	now := time.Now()
	for _, e := range env.D.Results {
		ms, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(e.ValidNotAfter, "/Date("), ")/"), 10, 64)
		if err != nil {
			t.Fatalf("ValidNotAfter %q: %v", e.ValidNotAfter, err)
		}
		out[e.Alias] = calendarDays(now, time.UnixMilli(ms))
	}
	return out
}

// onOneUTCDay runs measure again when a run crossed midnight UTC. Days left change at midnight, and the
// tenant, the test and the plugin each read their own clock: a run across it compares two days. (A data
// source without an ID is a new plugin instance per call, so the second run reads nothing cached.)
func onOneUTCDay(t *testing.T, measure func()) {
	t.Helper()
	day := func() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }
	for range 2 {
		start := day()
		measure()
		if day().Equal(start) {
			return
		}
		t.Logf("the run crossed midnight UTC; measuring again")
	}
	t.Fatal("two runs crossed midnight UTC")
}

func TestRuntimeQueries(t *testing.T) {
	h := startPlugin(t)

	t.Run("certificates days left for alerting", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 51, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		const label = "PRD EU"
		ds := oauthDataSource(label, tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
		var want map[string]float64
		var res *pluginv2.QueryDataResponse
		onOneUTCDay(t, func() {
			want = directKeystore(t, tn.direct(t, c.ID, c.Secret), "system")
			res = h.queryData(t, ds, map[string]string{"FromAlert": "true"},
				query{RefID: "A", QueryType: "certificates", JSON: map[string]any{"format": "numeric"}})
		})
		r := res.Responses["A"]
		if r == nil || r.Error != "" {
			t.Fatalf("query failed: %s", summary(r))
		}
		byAlias := alertFrames(t, decodeFrames(t, "A", r), label, "alias", "alias", "keystore")
		if len(byAlias) != len(want) {
			t.Errorf("%d series, want one per keystore entry (%d)", len(byAlias), len(want))
		}
		for alias, days := range want {
			f := byAlias[alias]
			if f == nil {
				t.Errorf("no series for alias %s", alias)
				continue
			}
			if got := floatAt(t, f); got != days {
				t.Errorf("%s: %v days left, want %v", alias, got, days)
			}
			if f.Labels["keystore"] != "system" {
				t.Errorf("%s: keystore label %q", alias, f.Labels["keystore"])
			}
		}
		// The simulated tenant's monitoring cases: expiring in 5, 20 and 400 days.
		for alias, days := range map[string]float64{"bank_sftp_hostkey": 5, "salesforce_jwt_signing": 20, "sap_cloudintegrationcertificate": 400} {
			if f := byAlias[alias]; f == nil || floatAt(t, f) != days {
				t.Errorf("%s: want %v days left", alias, days)
			}
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
	})

	t.Run("jms numeric for alerting", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 52, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		const label = "PRD US"
		ds := oauthDataSource(label, tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
		var broker struct {
			D struct {
				Capacity, MaxCapacity, QueueNumber, MaxQueueNumber string
				QueueStates                                        struct {
					Results []struct{ Name, State string } `json:"results"`
				}
			} `json:"d"`
		}
		if err := json.Unmarshal(tn.direct(t, c.ID, c.Secret).get(t, "JmsBrokers('Broker1')?$expand=QueueStates"), &broker); err != nil {
			t.Fatal(err)
		}
		res := h.queryData(t, ds, map[string]string{"FromAlert": "true"},
			query{RefID: "all", QueryType: "jms", JSON: map[string]any{"format": "numeric"}},
			query{RefID: "queues", QueryType: "jms", JSON: map[string]any{"format": "numeric", "jmsMetric": "queueStates"}})
		all, queues := res.Responses["all"], res.Responses["queues"]
		if all == nil || all.Error != "" || queues == nil || queues.Error != "" {
			t.Fatalf("queries failed: %s / %s", summary(all), summary(queues))
		}
		byMetric := alertFrames(t, decodeFrames(t, "all", all), label, "metric", "broker", "metric")
		num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		wantCap := 100 * num(broker.D.Capacity) / num(broker.D.MaxCapacity)
		if f := byMetric["capacity"]; f == nil || math.Abs(floatAt(t, f)-wantCap) > 1 {
			t.Errorf("capacity used %%: want ≈%.1f", wantCap)
		}
		if f := byMetric["queueCount"]; f == nil || floatAt(t, f) != 100*num(broker.D.QueueNumber)/num(broker.D.MaxQueueNumber) {
			t.Errorf("queues used %%: want %v of %v", broker.D.QueueNumber, broker.D.MaxQueueNumber)
		}
		byQueue := alertFrames(t, decodeFrames(t, "queues", queues), label, "queue", "queue", "broker")
		if len(byQueue) != len(broker.D.QueueStates.Results) {
			t.Errorf("%d queue series, want %d", len(byQueue), len(broker.D.QueueStates.Results))
		}
		for _, q := range broker.D.QueueStates.Results {
			if f := byQueue[q.Name]; f == nil || floatAt(t, f) != num(q.State) {
				t.Errorf("queue %s: want state %s", q.Name, q.State)
			}
		}
		if f := byQueue["Q_Bank_Statements_Retry"]; f == nil || floatAt(t, f) != 1 {
			t.Errorf("the queue near capacity should be in warning (1)")
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
	})

	t.Run("tables and annotations for panels", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 53, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		ds := oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
		res := h.queryData(t, ds, nil,
			query{RefID: "endpoints", QueryType: "endpoints", JSON: map[string]any{}},
			query{RefID: "certificates", QueryType: "certificates", JSON: map[string]any{"withChain": true}},
			query{RefID: "jms", QueryType: "jms", JSON: map[string]any{"format": "table"}},
			query{RefID: "inventory", QueryType: "inventory", JSON: map[string]any{}},
			query{RefID: "deployments", QueryType: "artifacts", JSON: map[string]any{"format": "annotations"}})
		wantFirst := map[string][]string{
			"endpoints": {"iFlow"}, "certificates": {"Alias"}, "jms": {"Broker", "Queue"}, "inventory": {"Package"}, "deployments": {"time"},
		}
		for ref, first := range wantFirst {
			r := res.Responses[ref]
			if r == nil || r.Error != "" {
				t.Errorf("%s failed: %s", ref, summary(r))
				continue
			}
			frames := decodeFrames(t, ref, r)
			if len(frames) != len(first) {
				t.Errorf("%s: %d frames, want %d", ref, len(frames), len(first))
				continue
			}
			for i, f := range frames {
				if f.Fields[0].Name != first[i] {
					t.Errorf("%s frame %d: first field %q, want %q", ref, i, f.Fields[0].Name, first[i])
				}
				if tf, _ := f.FieldByName("tenant"); tf == nil || (tf.Len() > 0 && cell(tf, 0) != "DEV") {
					t.Errorf("%s frame %d: no tenant column with the label", ref, i)
				}
				if n, _ := f.RowLen(); n == 0 && ref != "deployments" {
					t.Errorf("%s frame %d is empty", ref, i)
				}
			}
		}
		// The failed deployment of a couple of hours ago is in the 6 h range, with its error text.
		frames := decodeFrames(t, "deployments", res.Responses["deployments"])
		text := fieldByName(t, frames[0], "text")
		found := false
		for i := 0; i < text.Len(); i++ {
			found = found || strings.Contains(cell(text, i), "status ERROR")
		}
		if !found {
			t.Errorf("the failed deployment is not among the annotations")
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
	})

	t.Run("missing roles are named", func(t *testing.T) {
		t.Parallel()
		c := clientOf(t, simulator.RoleMonitoringDataRead)
		tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 54, Clients: []simulator.Client{c}}})
		h.addSecrets(c.Secret)
		ds := oauthDataSource("DEV", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
		res := h.queryData(t, ds, map[string]string{"FromAlert": "true"},
			query{RefID: "jms", QueryType: "jms", JSON: map[string]any{"format": "numeric"}},
			query{RefID: "inventory", QueryType: "inventory", JSON: map[string]any{}},
			query{RefID: "certificates", QueryType: "certificates", JSON: map[string]any{"format": "numeric"}})
		for ref, role := range map[string]string{"jms": "DataStoresAndQueuesRead", "inventory": "WorkspacePackagesRead"} {
			r := res.Responses[ref]
			if r == nil || r.Error == "" {
				t.Errorf("%s: no error without %s: %s", ref, role, summary(r))
				continue
			}
			assertContainsAll(t, ref+" error", r.Error, []string{role, "403"})
			if r.Status != 403 || r.ErrorSource != "downstream" {
				t.Errorf("%s: status %d source %q, want 403 downstream", ref, r.Status, r.ErrorSource)
			}
		}
		// The role this client has is enough for the keystore: that query still answers.
		if r := res.Responses["certificates"]; r == nil || r.Error != "" || len(r.Frames) == 0 {
			t.Errorf("certificates with MonitoringDataRead: %s", summary(r))
		}
		assertNoSecretsInResponse(t, h, res, append([]string{c.Secret}, tn.issuedTokens()...))
	})
}
