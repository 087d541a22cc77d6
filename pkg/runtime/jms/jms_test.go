package jms

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

func TestGoldenFrames(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	res, err := Fetch(context.Background(), tn.Client)
	if err != nil {
		t.Fatal(err)
	}
	res.Requests = tn.Mask(res.Requests)
	for name, frames := range map[string]data.Frames{
		"table":               tableFrames(res, "SIM"),
		"numeric_all":         numericFrames(res, "SIM", models.JMSMetricAll),
		"numeric_queueStates": numericFrames(res, "SIM", models.JMSMetricQueueStates),
	} {
		t.Run(name, func(t *testing.T) {
			simtest.Golden(t, name, frames)
		})
	}
}

// The simulated broker: 9 queues of 30, about a third of the storage used, and one queue near capacity.
// TestOneReadPerRefresh: the panels of one refresh share the broker read; the next refresh reads it again.
func TestOneReadPerRefresh(t *testing.T) {
	now := simtest.Now
	tn := simtest.New(t, simulator.Config{}, cpi.WithClock(func() time.Time { return now }))
	for range 3 {
		if _, err := Fetch(context.Background(), tn.Client); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(tn.Requests()); n != 1 {
		t.Fatalf("%d requests for the panels of one refresh, want 1", n)
	}
	now = now.Add(cpi.RefreshTTL)
	if _, err := Fetch(context.Background(), tn.Client); err != nil {
		t.Fatal(err)
	}
	if n := len(tn.Requests()); n != 2 {
		t.Fatalf("%d requests after the next refresh, want 2", n)
	}
}

func TestSimulatedBroker(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	res, err := Fetch(context.Background(), tn.Client)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 1 || !strings.HasSuffix(res.Requests[0], "/JmsBrokers('Broker1')?$expand=QueueStates") {
		t.Fatalf("requests %v", res.Requests)
	}
	b := res.Broker
	if p := b.CapacityPercent(); !p.Valid || p.Value < 25 || p.Value > 40 {
		t.Errorf("capacity %% %+v", p)
	}
	if p := b.QueuePercent(); !p.Valid || p.Value != 30 {
		t.Errorf("queue %% %+v", p)
	}
	qs := b.QueueStates.Results
	if len(qs) != 9 || qs[0].Name != "Q_Bank_Statements_Retry" || StateText(qs[0].State) != "warning" {
		t.Fatalf("queues %+v: the queue near capacity must come first", qs)
	}
	for _, q := range qs[1:] {
		if StateText(q.State) != "OK" {
			t.Errorf("%s: %s", q.Name, StateText(q.State))
		}
	}
	tables := tableFrames(res, "SIM")
	if len(tables) != 2 {
		t.Fatalf("%d frames", len(tables))
	}
	if n, _ := tables[1].RowLen(); n != 9 {
		t.Fatalf("%d queue rows", n)
	}
	warn, _ := tables[0].FieldByName("Queues warning")
	if v, _ := warn.ConcreteAt(0); v.(float64) != 1 {
		t.Fatalf("queues warning %v", v)
	}
}

func TestNumericFramesForAlerting(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	res, err := Fetch(context.Background(), tn.Client)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		metric string
		want   int
	}{{models.JMSMetricAll, 11}, {models.JMSMetricCapacity, 1}, {models.JMSMetricQueueCount, 1}, {models.JMSMetricQueueStates, 9}}
	for _, tc := range tests {
		t.Run("metric="+tc.metric, func(t *testing.T) {
			frs := numericFrames(res, "PRD", tc.metric)
			if len(frs) != tc.want {
				t.Fatalf("%d frames, want %d", len(frs), tc.want)
			}
			seen := map[string]bool{}
			for _, f := range frs {
				if len(f.Fields) != 1 || f.Fields[0].Type() != data.FieldTypeFloat64 || f.Fields[0].Len() != 1 {
					t.Fatalf("frame %s is not one number", f.Name)
				}
				l := f.Fields[0].Labels
				if l["tenant"] != "PRD" || l["broker"] != "Broker1" || l["metric"] == "" {
					t.Fatalf("labels %v", l)
				}
				if (l["metric"] == "queueState") != (l["queue"] != "") {
					t.Fatalf("queue label on the wrong series: %v", l)
				}
				if _, hasState := l["state"]; hasState {
					t.Fatal("the state must never be a label")
				}
				if seen[l.String()] {
					t.Fatalf("duplicate labels %v", l)
				}
				seen[l.String()] = true
				if tc.metric == models.JMSMetricQueueStates && l["queue"] == "Q_Bank_Statements_Retry" && f.Fields[0].At(0).(float64) != 1 {
					t.Fatalf("queue near capacity has state %v", f.Fields[0].At(0))
				}
			}
		})
	}
}

func TestMissingRoleIsNamed(t *testing.T) {
	tn := simtest.New(t, simulator.Config{Clients: []simulator.Client{{ID: "mon", Secret: "mon-secret-123", Roles: []string{simulator.RoleMonitoringDataRead}}}})
	_, err := Fetch(context.Background(), tn.Client)
	if err == nil {
		t.Fatal("no error without the role")
	}
	if !cpi.IsKind(err, cpi.KindForbidden) || !strings.Contains(err.Error(), "lacks the role DataStoresAndQueuesRead or HealthCheckMonitoringDataRead") {
		t.Fatalf("error %v does not name the role", err)
	}
	if strings.Contains(err.Error(), "mon-secret-123") {
		t.Fatal("secret in the error")
	}
}

// SAP's example: numbers as strings, flags as numbers; numbers the tenant leaves out are unknown, not 0.
func TestHubFixtureAndOddNumbers(t *testing.T) {
	b := simtest.FixtureEntity[Broker](t, "hub-example-JmsBrokers-Broker1-QueueStates.json")
	if b.Capacity.Value != 794616135 || b.MaxCapacity.Value != 9751756800 || b.QueueNumber.Value != 16 || !b.IsConsumersHigh.Valid || len(b.QueueStates.Results) != 2 {
		t.Fatalf("decoded %+v", b)
	}
	if p := b.QueuePercent(); p.Value < 53.3 || p.Value > 53.4 {
		t.Fatalf("queue %% %v", p)
	}
	odd, err := odata.DecodeEntity[Broker](strings.NewReader(`{"d":{"Key":"Broker1","Capacity":null,"MaxCapacity":"0","QueueNumber":"x","MaxQueueNumber":30,"IsProducersHigh":true,"QueueStates":{"results":[{"Name":"Q","State":"7"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if odd.CapacityPercent().Valid || odd.QueuePercent().Valid || odd.IsProducersHigh.Value != 1 {
		t.Fatalf("odd numbers %+v", odd)
	}
	if got := StateText(odd.QueueStates.Results[0].State); got != "unknown (7)" {
		t.Fatalf("state %q", got)
	}
	frs := numericFrames(Result{Broker: odd}, "T", models.JMSMetricAll)
	if len(frs) != 1 || frs[0].Fields[0].Labels["queue"] != "Q" {
		t.Fatalf("unknown numbers must be left out: %d frames", len(frs))
	}
	tables := tableFrames(Result{Broker: odd}, "T")
	if flagField, _ := tables[0].FieldByName("Producers"); flagField.At(0) != "high" {
		t.Fatalf("flag %v", flagField.At(0))
	}
}

func TestCheckMetric(t *testing.T) {
	for _, ok := range []string{"", "capacity", "queueCount", "queueStates"} {
		if err := CheckMetric(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"Capacity", "all", "x\n", strings.Repeat("q", 2000)} {
		if err := CheckMetric(bad); err == nil {
			t.Errorf("%.20q accepted", bad)
		}
	}
}
