package simulator

import (
	"fmt"
	"strconv"
	"time"
)

// The simulated data stores, variables and number ranges (one of the entity sets entitysets.go serves).

type storeDef struct {
	name, flow, visibility string
	entries, overdue       int
}

var storeDefs = []storeDef{
	{"PaymentFiles_Pending", "Payment_Files_S4_to_Bank", "Integration Flow", 14, 3},
	{"EDI_Resend_Queue", "DESADV_EDI_to_Carrier", "Integration Flow", 1250, 41},
	{"Global_Lookup_Cache", "", "Global", 6, 0},
}

func (t *Tenant) dataStores(now time.Time) []*entity {
	var rows []*entity
	for _, s := range storeDefs {
		rows = append(rows, &entity{set: "DataStores", key: fmt.Sprintf("DataStoreName=%s,IntegrationFlow=%s,Type=''", keyString(s.name), keyString(s.flow)),
			typ:   "com.sap.hci.api.DataStore",
			props: []prop{{"DataStoreName", s.name}, {"IntegrationFlow", s.flow}, {"Type", ""}, {"Visibility", s.visibility}, {"NumberOfMessages", strconv.Itoa(s.entries)}, {"NumberOfOverdueMessages", strconv.Itoa(s.overdue)}},
			navs:  []navLink{{name: "Entries", many: true, hidden: true}},
		})
	}
	return rows
}

func (t *Tenant) dataStoreEntries(now time.Time) []*entity {
	var rows []*entity
	for si, s := range storeDefs {
		for i := 0; i < s.entries; i++ {
			h := mix(uint64(t.cfg.Seed), 0xd5, uint64(si), uint64(i))
			created := now.Add(-time.Duration(1+h%(14*24*60)) * time.Minute).Truncate(time.Millisecond)
			due := created.Add(48 * time.Hour)
			status := "Waiting"
			if i < s.overdue {
				status = "Overdue"
				due = now.Add(-time.Duration(1+h%600) * time.Minute)
			}
			var p [16]byte
			for k := range p {
				p[k] = byte(mix(h, uint64(k)))
			}
			mid := guid28(uint32(created.Unix()), p)
			id := fmt.Sprintf("%s_%s_%s", s.name, created.UTC().Format("2006-01-02 15:04:05"), mid)
			rows = append(rows, &entity{set: "DataStoreEntries",
				key: fmt.Sprintf("Id=%s,DataStoreName=%s,IntegrationFlow=%s,Type=''", keyString(id), keyString(s.name), keyString(s.flow)),
				typ: "com.sap.hci.api.DataStoreEntry", media: "application/octet-stream",
				props: []prop{{"Id", id}, {"DataStoreName", s.name}, {"IntegrationFlow", s.flow}, {"Type", ""}, {"Status", status},
					{"MessageId", mid}, {"DueAt", dateString(due)}, {"CreatedAt", dateString(created)}, {"RetainUntil", dateString(created.Add(90 * 24 * time.Hour))}},
			})
		}
	}
	return rows
}

func (t *Tenant) variables(now time.Time) []*entity {
	vars := []struct{ name, flow, vis string }{
		{"LastSuccessfulRun", "Employee_Replication_SF_to_S4", "Integration Flow"},
		{"DeltaToken", "Sync_Opportunity_Salesforce_to_S4", "Integration Flow"},
		{"ExchangeRateDate", "", "Global"},
	}
	var rows []*entity
	for i, v := range vars {
		upd := now.Add(-time.Duration(5+i*37) * time.Minute).Truncate(time.Millisecond)
		rows = append(rows, &entity{set: "Variables", key: fmt.Sprintf("VariableName=%s,IntegrationFlow=%s", keyString(v.name), keyString(v.flow)),
			typ: "com.sap.hci.api.Variable", media: "application/octet-stream",
			props: []prop{{"VariableName", v.name}, {"IntegrationFlow", v.flow}, {"Visibility", v.vis}, {"UpdatedAt", dateString(upd)}, {"RetainUntil", dateString(upd.Add(400 * 24 * time.Hour))}},
		})
	}
	return rows
}

func (t *Tenant) numberRanges(now time.Time) []*entity {
	var rows []*entity
	for i, n := range []struct {
		name     string
		min, max int
	}{{"NR_EDI_Interchange", 1, 99999}, {"NR_PaymentFile", 100000, 999999}} {
		cur := n.min + int(mix(uint64(t.cfg.Seed), 0x4e, uint64(i), uint64(now.Unix()/3600))%uint64(n.max-n.min))
		width := len(strconv.Itoa(n.max)) + 1
		pad := func(v int) string { return fmt.Sprintf("%0*d", width, v) }
		rows = append(rows, &entity{set: "NumberRanges", key: keyString(n.name), typ: "com.sap.hci.api.NumberRange",
			props: []prop{{"Name", n.name}, {"Description", "Simulated number range"}, {"MaxValue", pad(n.max)}, {"MinValue", pad(n.min)},
				{"Rotate", "true"}, {"CurrentValue", pad(cur)}, {"FieldLength", strconv.Itoa(width)}, {"DeployedBy", deployers[i]},
				{"DeployedOn", dateString(dayStart(now).Add(-time.Duration(30+i) * 24 * time.Hour))}},
		})
	}
	return rows
}
