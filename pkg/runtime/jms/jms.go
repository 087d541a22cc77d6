// Package jms answers the `jms` query: the tenant's JMS broker (JmsBrokers('Broker1')?$expand=QueueStates)
// with its capacity, number of queues and queue states, as tables and as numbers for alert rules.
package jms

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/runtime/internal/rt"
)

var negInf = math.Inf(-1)

// BrokerKey is the only broker a CPI tenant has.
const BrokerKey = "Broker1"

// Role names the role templates that read the JMS broker, for the message of a 403: the API's own
// documentation names DataStoresAndQueuesRead, SAP's list of role templates describes
// HealthCheckMonitoringDataRead as covering JMS queue statistics.
const Role = "DataStoresAndQueuesRead or HealthCheckMonitoringDataRead"

// Broker is the JMS broker; SAP sends most numbers as strings ("794616135").
type Broker struct {
	Key                      string    `json:"Key"`
	Capacity                 rt.Number `json:"Capacity"`    // bytes used
	MaxCapacity              rt.Number `json:"MaxCapacity"` // bytes available
	IsTransactedSessionsHigh rt.Number `json:"IsTransactedSessionsHigh"`
	IsConsumersHigh          rt.Number `json:"IsConsumersHigh"`
	IsProducersHigh          rt.Number `json:"IsProducersHigh"`
	MaxQueueNumber           rt.Number `json:"MaxQueueNumber"`
	QueueNumber              rt.Number `json:"QueueNumber"`
	CapacityOk               rt.Number `json:"CapacityOk"`      // queues in state OK
	CapacityWarning          rt.Number `json:"CapacityWarning"` // queues near their capacity
	CapacityError            rt.Number `json:"CapacityError"`   // queues at their capacity
	QueueStates              struct {
		Results []Queue `json:"results"`
	} `json:"QueueStates"`
}

// Queue is one queue's state: 0 OK, 1 warning (near capacity), 2 critical.
type Queue struct {
	Name  string    `json:"Name"`
	State rt.Number `json:"State"`
}

// Result is what one query fetched, with the requests it made.
type Result struct {
	Broker Broker
	rt.Log
}

// Fetch reads the broker with its queue states in one request.
func Fetch(ctx context.Context, g cpi.Source) (Result, error) {
	var res Result
	// The capacity, queue and state panels of a refresh and the JMS alert rules share one read.
	ctx = cpi.CacheFor(ctx, cpi.RefreshTTL)
	b, resp, err := cpi.GetEntity[Broker](cpi.WithRole(ctx, Role), g, "JmsBrokers("+odata.KeyPredicate(BrokerKey)+")", url.Values{"$expand": {"QueueStates"}})
	res.Add(resp)
	if err != nil {
		return res, err
	}
	// Critical queues first, then warnings, each by name: the table shows what needs attention on top.
	slices.SortStableFunc(b.QueueStates.Results, func(x, y Queue) int {
		return cmp.Or(cmp.Compare(y.State.Value, x.State.Value), strings.Compare(x.Name, y.Name))
	})
	res.Broker = b
	return res, nil
}

// StateText names a queue state code.
func StateText(n rt.Number) string {
	if !n.Valid {
		return "unknown"
	}
	switch n.Value {
	case 0:
		return "OK"
	case 1:
		return "warning"
	case 2:
		return "critical"
	}
	return fmt.Sprintf("unknown (%g)", n.Value)
}

// percent is 100·part/whole, unknown when either is unknown or whole is 0.
func percent(part, whole rt.Number) rt.Number {
	if !part.Valid || !whole.Valid || whole.Value <= 0 {
		return rt.Number{}
	}
	return rt.Number{Value: 100 * part.Value / whole.Value, Valid: true}
}

// CapacityPercent is the share of the broker's storage in use.
func (b Broker) CapacityPercent() rt.Number { return percent(b.Capacity, b.MaxCapacity) }

// QueuePercent is the share of the allowed number of queues in use.
func (b Broker) QueuePercent() rt.Number { return percent(b.QueueNumber, b.MaxQueueNumber) }

// flagText renders SAP's 0/1 "is high" flags.
func flagText(n rt.Number) string {
	switch {
	case !n.Valid:
		return ""
	case n.Value != 0:
		return "high"
	}
	return "normal"
}

func percentConfig(warn, crit float64) *data.FieldConfig {
	zero, hundred := data.ConfFloat64(0), data.ConfFloat64(100)
	return &data.FieldConfig{Unit: "percent", Min: &zero, Max: &hundred, Thresholds: &data.ThresholdsConfig{
		Mode: data.ThresholdsModeAbsolute,
		Steps: []data.Threshold{
			data.NewThreshold(negInf, "green", ""), data.NewThreshold(warn, "orange", ""), data.NewThreshold(crit, "red", ""),
		},
	}}
}

// stateMappings colours state codes and shows their names.
func stateMappings() data.ValueMappings {
	return data.ValueMappings{data.ValueMapper{
		"0": {Text: "OK", Color: "green", Index: 0},
		"1": {Text: "warning", Color: "orange", Index: 1},
		"2": {Text: "critical", Color: "red", Index: 2},
	}}
}

// tableFrames returns the broker summary (one row) and the queues (one row per queue, critical first).
func tableFrames(r Result, tenant string) data.Frames {
	b := r.Broker
	capPct := percentField("Capacity used %", b.CapacityPercent())
	capPct.Config = percentConfig(80, 95)
	queuePct := percentField("Queues used %", b.QueuePercent())
	queuePct.Config = percentConfig(80, 95)
	bytesUsed := data.NewField("Capacity used", nil, []*float64{b.Capacity.Ptr()})
	bytesUsed.Config = &data.FieldConfig{Unit: "bytes"}
	bytesMax := data.NewField("Max capacity", nil, []*float64{b.MaxCapacity.Ptr()})
	bytesMax.Config = &data.FieldConfig{Unit: "bytes"}
	broker := frames.Table("jms broker", tenant, frames.Meta(r.Requests, r.Notices...),
		data.NewField("Broker", nil, []string{cmp.Or(b.Key, BrokerKey)}),
		capPct, bytesUsed, bytesMax,
		queuePct,
		data.NewField("Queues", nil, []*float64{b.QueueNumber.Ptr()}),
		data.NewField("Max queues", nil, []*float64{b.MaxQueueNumber.Ptr()}),
		data.NewField("Queues OK", nil, []*float64{b.CapacityOk.Ptr()}),
		data.NewField("Queues warning", nil, []*float64{b.CapacityWarning.Ptr()}),
		data.NewField("Queues critical", nil, []*float64{b.CapacityError.Ptr()}),
		data.NewField("Transacted sessions", nil, []string{flagText(b.IsTransactedSessionsHigh)}),
		data.NewField("Consumers", nil, []string{flagText(b.IsConsumersHigh)}),
		data.NewField("Producers", nil, []string{flagText(b.IsProducersHigh)}),
	)

	n := len(b.QueueStates.Results)
	names, states := make([]string, n), make([]string, n)
	codes := make([]*float64, n)
	for i, q := range b.QueueStates.Results {
		names[i], states[i], codes[i] = q.Name, StateText(q.State), q.State.Ptr()
	}
	code := data.NewField("State code", nil, codes)
	code.Config = &data.FieldConfig{Mappings: stateMappings()}
	queues := data.NewFrame("jms queues",
		data.NewField("Queue", nil, names),
		data.NewField("State", nil, states),
		code,
		frames.TenantColumn(tenant, n),
	)
	queues.Meta = &data.FrameMeta{Type: data.FrameTypeTable, PreferredVisualization: data.VisTypeTable}
	return data.Frames{broker, queues}
}

func percentField(name string, n rt.Number) *data.Field {
	return data.NewField(name, nil, []*float64{n.Ptr()})
}

// numericFrames returns one frame per number for alert rules: broker capacity used %, queues used % and
// one frame per queue with its state code (0 OK, 1 warning, 2 critical). Every series carries the labels
// tenant, broker and metric (capacity | queueCount | queueState), plus queue for the queue states, so label
// sets are unique; metric picks one kind (models.JMSMetric*), empty = all. Unknown numbers are left out.
func numericFrames(r Result, tenant, metric string) data.Frames {
	b := r.Broker
	key := cmp.Or(b.Key, BrokerKey)
	var series []frames.Series
	add := func(name, metricLabel string, extra data.Labels, v rt.Number, cfg *data.FieldConfig, display string) {
		if !v.Valid {
			return
		}
		labels := data.Labels{"broker": key, "metric": metricLabel}
		for k, val := range extra {
			labels[k] = val
		}
		cfg.DisplayNameFromDS = display
		series = append(series, frames.Series{Frame: "jms " + metricLabel, Field: name, Labels: labels, Config: cfg, Values: []float64{v.Value}})
	}
	if metric == models.JMSMetricAll || metric == models.JMSMetricCapacity {
		add("capacity used %", "capacity", nil, b.CapacityPercent(), percentConfig(80, 95), "JMS capacity used")
	}
	if metric == models.JMSMetricAll || metric == models.JMSMetricQueueCount {
		add("queues used %", "queueCount", nil, b.QueuePercent(), percentConfig(80, 95), "JMS queues used")
	}
	if metric == models.JMSMetricAll || metric == models.JMSMetricQueueStates {
		for _, q := range b.QueueStates.Results {
			add("queue state", "queueState", data.Labels{"queue": q.Name}, q.State, &data.FieldConfig{Mappings: stateMappings()}, q.Name)
		}
	}
	return frames.NumericFrames(tenant, data.FrameTypeNumericMulti, frames.Meta(r.Requests, r.Notices...), series)
}

// CheckMetric validates the jmsMetric option.
func CheckMetric(m string) error {
	switch m {
	case models.JMSMetricAll, models.JMSMetricCapacity, models.JMSMetricQueueCount, models.JMSMetricQueueStates:
		return nil
	}
	if err := odata.CheckValue("JMS metric", m); err != nil {
		return err
	}
	return fmt.Errorf("unknown JMS metric %q: choose capacity, queueCount or queueStates (or leave it empty for all)", m)
}

// Frames is the answer in the query's format: tables, or one value per broker and queue of the query's
// metric for alert rules (numeric).
func Frames(r Result, q models.JMSQuery, tenant string) data.Frames {
	if q.Format == models.FormatNumeric {
		return numericFrames(r, tenant, q.JMSMetric)
	}
	return tableFrames(r, tenant)
}
