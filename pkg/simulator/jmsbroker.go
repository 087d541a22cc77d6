package simulator

import (
	"strconv"
	"time"
)

// The simulated the JMS broker (one of the entity sets entitysets.go serves).

type queueDef struct {
	name  string
	state string // 0 ok, 1 warning (near capacity), 2 critical
}

var queueDefs = []queueDef{
	{"Q_Error_Notification", "0"}, {"Q_GL_Balances_Anaplan", "0"}, {"Q_Bank_Statements_Retry", "1"},
	{"Q_DESADV_Outbound", "0"}, {"Q_PurchaseOrder_Ariba", "0"}, {"Q_Invoice_Inbound", "0"},
	{"Q_Material_Distribution", "0"}, {"Q_Employee_Delta", "0"}, {"Q_Shipment_Events", "0"},
}

func (t *Tenant) jmsBroker(now time.Time) *entity {
	const maxCap = int64(9_751_756_800)
	// Usage drifts through the day so a capacity panel moves; it stays well below the warning level while
	// one queue (Q_Bank_Statements_Retry) is near its own capacity.
	hour := float64(now.UTC().Hour()) + float64(now.UTC().Minute())/60
	used := int64(float64(maxCap) * (0.31 + 0.05*sq((hour-12)/12)))
	var states []*entity
	warn, crit := 0, 0
	for _, q := range queueDefs {
		switch q.state {
		case "1":
			warn++
		case "2":
			crit++
		}
		states = append(states, &entity{set: "QueueStates", key: keyString(q.name), typ: "com.sap.hci.api.QueueState",
			props: []prop{{"Name", q.name}, {"State", q.state}},
			navs:  []navLink{{name: "Broker"}},
		})
	}
	return &entity{set: "JmsBrokers", key: keyString("Broker1"), typ: "com.sap.hci.api.JmsBroker",
		props: []prop{{"Key", "Broker1"}, {"Capacity", strconv.FormatInt(used, 10)}, {"MaxCapacity", strconv.FormatInt(maxCap, 10)},
			{"IsTransactedSessionsHigh", 0}, {"IsConsumersHigh", 0}, {"IsProducersHigh", 0},
			{"MaxQueueNumber", "30"}, {"QueueNumber", strconv.Itoa(len(queueDefs))},
			{"CapacityOk", strconv.Itoa(len(queueDefs) - warn - crit)}, {"CapacityWarning", strconv.Itoa(warn)}, {"CapacityError", strconv.Itoa(crit)}},
		navs: []navLink{{name: "QueueStates", many: true, rows: states}, {name: "InactiveQueues", many: true, hidden: true, rows: []*entity{}}},
	}
}

// ---- Design time ----
