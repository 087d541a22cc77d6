package simulator

import (
	"strings"
	"time"
)

// The simulated service endpoints (one of the entity sets entitysets.go serves).

func (t *Tenant) serviceEndpoints(root string, now time.Time) []*entity {
	var rows []*entity
	for _, f := range t.land.flows {
		if f.protocol == "" || f.status != "STARTED" {
			continue
		}
		addr := strings.ToLower(strings.ReplaceAll(f.id, "_", "/"))
		var url string
		var defs []*entity
		switch f.protocol {
		case "SOAP":
			url = runtimeHost + "/cxf/" + addr
			defs = append(defs, apiDefinition(url+"?wsdl", "WSDL"), apiDefinition(url+"?wsdl&mode=wsdl_policies", "WSDL_POLICIES"))
		case "REST":
			url = runtimeHost + "/http/" + addr
		case "ODATAV2":
			url = runtimeHost + "/gw/odata/SAP/" + strings.ToUpper(f.id) + ";v=1"
			defs = append(defs, apiDefinition(url+"/$metadata", "EDMX"))
		case "AS2":
			url = runtimeHost + "/as2/as2/" + addr
		}
		id := f.id + "$endpointAddress=" + addr
		entry := &entity{set: "EntryPoints", key: keyString(url), typ: "com.sap.hci.api.EntryPoint",
			props: []prop{{"Name", f.name}, {"Url", url}, {"Type", "PROD"}, {"AdditionalInformation", nil}}}
		rows = append(rows, &entity{set: "ServiceEndpoints", key: "'" + escapeKey(id) + "'", typ: "com.sap.hci.api.ServiceEndpoint",
			props: []prop{{"Name", f.id}, {"Id", id}, {"Title", f.id}, {"Version", f.version}, {"Summary", f.name},
				{"Description", f.name + " (" + f.pkgName + ")"}, {"LastUpdated", f.deployedOn(now)}, {"Protocol", f.protocol}},
			navs: []navLink{{name: "EntryPoints", many: true, rows: []*entity{entry}}, {name: "ApiDefinitions", many: true, rows: nonNil(defs)}},
		})
	}
	return t.hostileEndpointLinks(rows)
}

func nonNil(rows []*entity) []*entity {
	if rows == nil {
		return []*entity{}
	}
	return rows
}

func apiDefinition(url, name string) *entity {
	return &entity{set: "APIDefinitions", key: keyString(url), typ: "com.sap.hci.api.Definition", props: []prop{{"Url", url}, {"Name", name}}}
}

// escapeKey percent-encodes the characters SAP encodes inside ServiceEndpoints keys ($ and =).
func escapeKey(s string) string {
	return strings.NewReplacer("$", "%24", "=", "%3D", "/", "%2F").Replace(s)
}

// ---- Security content ----
