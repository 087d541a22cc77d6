package simulator

import (
	"net/http"
	"strings"
)

// The smaller entity sets: service endpoints, security content, JMS, design time, data stores,
// number ranges, variables and (Neo only) log files. They are rebuilt per request from the landscape
// and "now"; each is at most a few thousand rows.

// setDef describes how one entity set is served.
type setDef struct {
	rows   func(c *call) ([]*entity, bool) // false: the answer (e.g. 404) was written
	keyOf  string                          // key property for single-quoted keys ("" = composite keys only)
	single bool                            // the set is only addressed by key (Keystores, JmsBrokers)
}

func (c *call) serveOther() {
	defs := map[string]setDef{
		"ServiceEndpoints":               {rows: func(c *call) ([]*entity, bool) { return c.t.serviceEndpoints(c.root, c.now), true }, keyOf: "Id"},
		"KeystoreEntries":                {rows: (*call).keystoreEntries, keyOf: "Hexalias"},
		"Keystores":                      {rows: (*call).keystores, keyOf: "Name"},
		"UserCredentials":                {rows: func(c *call) ([]*entity, bool) { return c.t.userCredentials(c.now), true }, keyOf: "Name"},
		"JmsBrokers":                     {rows: func(c *call) ([]*entity, bool) { return []*entity{c.t.jmsBroker(c.now)}, true }, keyOf: "Key", single: true},
		"IntegrationPackages":            {rows: func(c *call) ([]*entity, bool) { return c.t.packages(c.now), true }, keyOf: "Id"},
		"IntegrationDesigntimeArtifacts": {rows: func(c *call) ([]*entity, bool) { return c.t.designtimeArtifacts(c.now, ""), true }},
		"ValueMappingDesigntimeArtifacts": {rows: func(c *call) ([]*entity, bool) {
			return c.t.otherDesigntimeArtifacts("", "VALUE_MAPPING"), true
		}},
		"ScriptCollectionDesigntimeArtifacts": {rows: func(c *call) ([]*entity, bool) {
			return c.t.otherDesigntimeArtifacts("", "SCRIPT_COLLECTION"), true
		}},
		"DataStores":       {rows: func(c *call) ([]*entity, bool) { return c.t.dataStores(c.now), true }},
		"DataStoreEntries": {rows: func(c *call) ([]*entity, bool) { return c.t.dataStoreEntries(c.now), true }},
		"Variables":        {rows: func(c *call) ([]*entity, bool) { return c.t.variables(c.now), true }},
		"NumberRanges":     {rows: func(c *call) ([]*entity, bool) { return c.t.numberRanges(c.now), true }, keyOf: "Name"},
		"LogFiles":         {rows: func(c *call) ([]*entity, bool) { return c.t.logFiles(c.now), true }},
		"LogFileArchives":  {rows: func(c *call) ([]*entity, bool) { return logFileArchives(), true }},
	}
	def, ok := defs[c.segs[0].name]
	if !ok {
		c.notFound()
		return
	}
	rows, ok := def.rows(c)
	if !ok {
		return
	}
	segs := c.segs
	if !segs[0].hasKey {
		if def.single {
			c.notFound()
			return
		}
		if len(segs) > 2 || (len(segs) == 2 && segs[1].name != "$count") {
			c.notFound()
			return
		}
		c.serveEntities(rows, setSpec{}, len(segs) == 2)
		return
	}
	var found *entity
	for _, e := range rows {
		if keyMatches(e, segs[0].key, def.keyOf) {
			found = e
			break
		}
	}
	if found == nil {
		c.notFound()
		return
	}
	if len(segs) == 1 {
		c.writeEntity(found)
		return
	}
	if segs[1].name == "$value" && len(segs) == 2 {
		c.serveMedia(found)
		return
	}
	for _, n := range found.navs {
		if n.name != segs[1].name {
			continue
		}
		if !n.many {
			if len(n.rows) == 0 || len(segs) > 2 {
				c.notFound()
				return
			}
			c.writeEntity(n.rows[0])
			return
		}
		if len(segs) > 3 || (len(segs) == 3 && segs[2].name != "$count") {
			c.notFound()
			return
		}
		spec := setSpec{}
		if len(n.rows) == 0 {
			spec = setSpec{props: []string{}}
		}
		c.serveEntities(n.rows, spec, len(segs) == 3)
		return
	}
	c.notFound()
}

// keyMatches compares a key predicate from the URL ('x' or Name='x',Other='y') with an entity.
func keyMatches(e *entity, pred, keyProp string) bool {
	if !strings.HasPrefix(pred, "'") {
		if m, ok := compositeKey(pred); ok && len(m) > 0 {
			for k, v := range m {
				if got, ok := e.Get(k); !ok || got != v {
					return false
				}
			}
			return true
		}
	}
	v, ok := singleKey(pred)
	if !ok || keyProp == "" {
		return false
	}
	got, _ := e.Get(keyProp)
	return got == v
}

// serveMedia answers /$value of a media entity the simulator can produce (log files, archives).
func (c *call) serveMedia(e *entity) {
	switch e.set {
	case "LogFiles":
		name, _ := e.Get("Name")
		body := gzipBytes([]byte(c.t.logFileText(name.(string), c.now)))
		c.w.Header().Set("Content-Disposition", "attachment; filename="+name.(string)+".gz")
		writeBody(c.w, http.StatusOK, "application/gzip", body)
	case "LogFileArchives":
		typ, _ := e.Get("LogFileType")
		scope, _ := e.Get("Scope")
		writeBody(c.w, http.StatusOK, "application/zip", c.t.logArchive(typ.(string), scope.(string), c.now))
	case "DataStoreEntries":
		writeBody(c.w, http.StatusOK, "application/octet-stream", []byte("<payload>simulated data store entry</payload>"))
	default:
		c.notFound()
	}
}

// ---- ServiceEndpoints ----

const runtimeHost = "https://" + tenantName + ".it-cpi018-rt.cfapps.eu10.hana.ondemand.com"
