package simulator

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator/oquery"
)

// runtimeArtifacts lists the deployed artifacts: every templated iFlow (one in ERROR, one deployed in an
// older version than its design-time version), the iFlow in no package, plus value mappings, a script
// collection and an OData service. The design-only iFlows are not here.
func (t *Tenant) runtimeArtifacts(now time.Time) []*entity {
	var rows []*entity
	for _, f := range append(t.land.flows[:len(t.land.flows):len(t.land.flows)], t.land.unpackaged...) {
		rows = append(rows, runtimeEntity(f.id, f.version, f.name, "INTEGRATION_FLOW", f.deployedBy, f.deployedOn(now), f.status))
	}
	for i, o := range t.land.others {
		on := dayStart(now).Add(-time.Duration(o.deployDaysAgo)*24*time.Hour + time.Duration(300+i*97)*time.Minute)
		rows = append(rows, runtimeEntity(o.id, o.version, o.name, o.typ, deployers[i%len(deployers)], on, "STARTED"))
	}
	return rows
}

func runtimeEntity(id, version, name, typ, by string, on time.Time, status string) *entity {
	return &entity{set: "IntegrationRuntimeArtifacts", key: keyString(id), typ: "com.sap.hci.api.IntegrationRuntimeArtifact",
		media: "application/octet-stream",
		props: []prop{{"Id", id}, {"Version", version}, {"Name", name}, {"Type", typ}, {"DeployedBy", by}, {"DeployedOn", on}, {"Status", status}},
		navs:  []navLink{{name: "ErrorInformation"}},
	}
}

// checkRuntimeFilter enforces the hub spec's restrictions on this collection's $filter: not on
// DeployedOn, and "or" is the only logical operator.
func (c *call) checkRuntimeFilter() bool {
	bad := ""
	oquery.Walk(c.o.Filter, func(x oquery.Expr) bool {
		switch n := x.(type) {
		case *oquery.And:
			bad = "The logical operator 'and' is not supported for IntegrationRuntimeArtifacts; use 'or'."
		case *oquery.Not:
			bad = "The operator 'not' is not supported for IntegrationRuntimeArtifacts."
		case *oquery.Property:
			if n.Path == "DeployedOn" {
				bad = "Filtering on DeployedOn is not supported."
			}
		}
		return bad == ""
	})
	if bad != "" {
		c.fail(http.StatusBadRequest, oquery.CodeBadRequest, "Invalid filter expression: '"+c.o.Raw["$filter"]+"'. "+bad)
		return false
	}
	return true
}

func (c *call) serveRuntimeArtifacts() {
	segs := c.segs
	rows := c.t.runtimeArtifacts(c.now)
	if segs[0].name == "RuntimeArtifactErrorInformations" {
		if !segs[0].hasKey {
			c.notFound()
			return
		}
		segs = append([]seg{{name: "IntegrationRuntimeArtifacts", key: segs[0].key, hasKey: true}, {name: "ErrorInformation"}}, segs[1:]...)
	}
	if !segs[0].hasKey {
		if len(segs) > 2 || (len(segs) == 2 && segs[1].name != "$count") {
			c.notFound()
			return
		}
		if !c.checkRuntimeFilter() {
			return
		}
		c.serveEntities(rows, setSpec{}, len(segs) == 2)
		return
	}
	id, ok := singleKey(segs[0].key)
	var art *entity
	for _, e := range rows {
		if v, _ := e.Get("Id"); ok && v == id {
			art = e
		}
	}
	if art == nil {
		c.notFound()
		return
	}
	if len(segs) == 1 {
		c.writeEntity(art)
		return
	}
	if segs[1].name != "ErrorInformation" || len(segs) > 3 || (len(segs) == 3 && segs[2].name != "$value") {
		c.notFound()
		return
	}
	f := c.t.land.byID[id]
	if f == nil || f.errorText == "" {
		if len(segs) == 3 {
			// No error: SAP answers 204 (also briefly after a failed deployment, before the text exists).
			c.w.WriteHeader(http.StatusNoContent)
			return
		}
		c.notFound()
		return
	}
	if len(segs) == 3 {
		body, _ := json.Marshal(map[string]any{
			"message": map[string]any{
				"subsytemName":      "IT Runtime",
				"subsystemPartName": "Integration Flow Deployment",
				"messageId":         "DEPLOYMENT_FAILED",
			},
			"parameter":      []string{f.errorText},
			"childInstances": []any{},
		})
		writeBody(c.w, http.StatusOK, "application/json;charset=utf-8", body)
		return
	}
	c.writeEntity(&entity{set: "RuntimeArtifactErrorInformations", key: keyString(id), typ: "com.sap.hci.api.RuntimeArtifactErrorInformation",
		media: "application/json", props: []prop{{"Id", id}}})
}
