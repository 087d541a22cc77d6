package simulator

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
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

type certDef struct {
	alias, typ, owner, keyType, subject, issuer string
	keySize                                     int
	daysLeft                                    int // relative to now: 5, 20, 400 … (negative = expired)
	ageDays                                     int
	chain                                       int
}

// certDefs are the tenant keystore: the monitoring cases are the certificates expiring in 5, 20 and 400
// days, plus an expired partner certificate and long-lived roots.
var certDefs = []certDef{
	{"sap_cloudintegrationcertificate", "Key Pair", "SAP", "RSA", "CN=" + tenantName + ".it-cpi018.cfapps.eu10.hana.ondemand.com, OU=SAP Cloud Integration, O=SAP SE, C=DE", "CN=SAP Cloud Root CA, O=SAP SE, L=Walldorf, C=DE", 2048, 400, 330, 3},
	{"bank_sftp_hostkey", "Certificate", "Tenant Administrator", "RSA", "CN=sftp.bank.example.com, O=Example Bank AG, C=DE", "CN=Example Bank Issuing CA 2, O=Example Bank AG, C=DE", 4096, 5, 360, 1},
	{"salesforce_jwt_signing", "Key Pair", "Tenant Administrator", "RSA", "CN=cpi-salesforce-jwt, O=SimCorp, C=US", "CN=cpi-salesforce-jwt, O=SimCorp, C=US", 2048, 20, 345, 1},
	{"ariba_network_client", "Key Pair", "Tenant Administrator", "EC", "CN=cpi-ariba-client, O=SimCorp, C=US", "CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US", 256, 130, 235, 2},
	{"edi_dhl_as2_partner", "Certificate", "Tenant Administrator", "RSA", "CN=as2.dhl.example.com, O=DHL Example, C=DE", "CN=as2.dhl.example.com, O=DHL Example, C=DE", 2048, -12, 742, 1},
	{"s4hana_prd_client", "Key Pair", "Tenant Administrator", "RSA", "CN=S4HANA_PRD_CPI, OU=Integration, O=SimCorp, C=DE", "CN=SimCorp Internal CA, O=SimCorp, C=DE", 2048, 250, 480, 2},
	{"digicert_global_root_g2", "Certificate", "SAP", "RSA", "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US", "CN=DigiCert Global Root G2, OU=www.digicert.com, O=DigiCert Inc, C=US", 2048, 4140, 4600, 1},
	{"sap_global_root_ca", "Certificate", "SAP", "RSA", "CN=SAP Global Root CA, O=SAP AG, L=Walldorf, C=DE", "CN=SAP Global Root CA, O=SAP AG, L=Walldorf, C=DE", 4096, 2680, 4800, 1},
}

func hexAlias(alias string) string { return strings.ToUpper(hex.EncodeToString([]byte(alias))) }

func fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func (t *Tenant) certEntity(d certDef, now time.Time) *entity {
	day := dayStart(now)
	// Expiry is the last second of the UTC day daysLeft days from today, so "expires in 5 days" holds
	// whenever the tenant is asked, as calendar days and as time left (between 5 and 6 days).
	notAfter := day.AddDate(0, 0, d.daysLeft+1).Add(-time.Second)
	notBefore := day.Add(-time.Duration(d.ageDays) * 24 * time.Hour)
	h := mix(uint64(t.cfg.Seed), 0xce, uint64(len(d.alias)), uint64(d.alias[0]))
	serial := "0x" + strings.ToUpper(hexN(h, 32))
	modified := notBefore.Add(36 * time.Hour)
	sig := "SHA256withRSA"
	var curve any
	if d.keyType == "EC" {
		sig, curve = "SHA256withECDSA", "secp256r1"
	}
	raw := []byte(d.alias + d.subject + serial)
	s1, s256, s512 := sha1.Sum(raw), sha256.Sum256(raw), sha512.Sum512(raw)
	by := "SAP"
	if d.owner != "SAP" {
		by = deployers[int(h%2)]
	}
	e := &entity{set: "KeystoreEntries", key: keyString(hexAlias(d.alias)), typ: "com.sap.hci.api.KeystoreEntry",
		props: []prop{
			{"Hexalias", hexAlias(d.alias)}, {"Alias", d.alias}, {"KeyType", d.keyType}, {"KeySize", d.keySize},
			{"ValidNotBefore", notBefore}, {"ValidNotAfter", notAfter}, {"SerialNumber", serial}, {"SignatureAlgorithm", sig},
			{"EllipticCurve", curve}, {"Validity", nil}, {"SubjectDN", d.subject}, {"IssuerDN", d.issuer}, {"Version", 3},
			{"FingerprintSha1", fingerprint(s1[:])}, {"FingerprintSha256", fingerprint(s256[:])}, {"FingerprintSha512", fingerprint(s512[:])},
			{"Type", d.typ}, {"Owner", d.owner}, {"LastModifiedBy", by}, {"LastModifiedTime", modified}, {"CreatedBy", by},
			{"CreatedTime", modified}, {"Status", "unchanged"},
		},
	}
	// The hub examples show no navigation links on keystore entries; they exist for $expand and paths.
	var chain []*entity
	for i := 0; i < d.chain; i++ {
		subject, issuer := d.subject, d.issuer
		nb, na := notBefore, notAfter
		if i > 0 {
			subject = d.issuer
			issuer = "CN=" + []string{"SimCorp Root CA", "DigiCert Global Root G2"}[i%2] + ", O=Root, C=US"
			nb, na = notBefore.Add(-365*24*time.Hour*time.Duration(i)), notAfter.Add(5*365*24*time.Hour*time.Duration(i))
		}
		cs1, cs256, cs512 := sha1.Sum([]byte(subject)), sha256.Sum256([]byte(subject)), sha512.Sum512([]byte(subject))
		chain = append(chain, &entity{set: "ChainCertificates", key: fmt.Sprintf("Hexalias='%s',Index=%d", hexAlias(d.alias), i),
			typ: "com.sap.hci.api.ChainCertificate",
			props: []prop{
				{"Hexalias", hexAlias(d.alias)}, {"Alias", d.alias}, {"Index", i}, {"Validity", nil}, {"KeyType", d.keyType},
				{"KeySize", d.keySize}, {"ValidNotBefore", nb}, {"ValidNotAfter", na}, {"SubjectDN", subject}, {"IssuerDN", issuer},
				{"SerialNumber", "0x" + strings.ToUpper(hexN(mix(h, uint64(i)), 31))}, {"SignatureAlgorithm", sig}, {"Version", 3},
				{"FingerprintSha1", fingerprint(cs1[:])}, {"FingerprintSha256", fingerprint(cs256[:])}, {"FingerprintSha512", fingerprint(cs512[:])},
			}})
	}
	e.navs = []navLink{{name: "ChainCertificates", many: true, hidden: true, rows: chain}, {name: "Keystore", hidden: true}}
	return e
}

func (t *Tenant) keystoreRows(name string, now time.Time) ([]*entity, bool) {
	var defs []certDef
	switch name {
	case "", "system":
		defs = certDefs
	case "backup_admin_system":
		defs = certDefs[:3]
	case "KeyRenewal", "KeyHistory":
	default:
		return nil, false
	}
	rows := []*entity{}
	for _, d := range defs {
		rows = append(rows, t.certEntity(d, now))
	}
	return t.hostileExpiry(rows, now), true
}

func (c *call) keystoreEntries() ([]*entity, bool) {
	rows, ok := c.t.keystoreRows(c.o.Custom["keystoreName"], c.now)
	if !ok {
		c.fail(http.StatusNotFound, "Not Found", "Keystore '"+c.o.Custom["keystoreName"]+"' does not exist.")
	}
	return rows, ok
}

func (c *call) keystores() ([]*entity, bool) {
	var out []*entity
	for _, name := range []string{"system", "backup_admin_system"} {
		rows, _ := c.t.keystoreRows(name, c.now)
		latest := time.Time{}
		for _, r := range rows {
			if v, _ := r.Get("LastModifiedTime"); v.(time.Time).After(latest) {
				latest = v.(time.Time)
			}
		}
		out = append(out, &entity{set: "Keystores", key: keyString(name), typ: "com.sap.hci.api.Keystore",
			props: []prop{{"Name", name}, {"LastModifiedBy", deployers[0]}, {"LastModifiedTime", latest}, {"Size", len(rows)}},
			navs:  []navLink{{name: "Entries", many: true, rows: rows}},
		})
	}
	return out, true
}

func (t *Tenant) userCredentials(now time.Time) []*entity {
	names := []struct{ name, user, kind string }{
		{"S4_PRD_TechnicalUser", "CPI_RFC_USER", "default"},
		{"SF_TechnicalUser", "sfapi@simcorpT1", "successfactors"},
		{"Ariba_API_Key", "ariba-api", "default"},
		{"Mail_Relay", "cpi-mailer", "default"},
	}
	var rows []*entity
	for i, n := range names {
		rows = append(rows, &entity{set: "UserCredentials", key: keyString(n.name), typ: "com.sap.hci.api.UserCredential",
			props: []prop{{"Name", n.name}, {"Kind", n.kind}, {"Description", nil}, {"User", n.user}, {"Password", nil}, {"CompanyId", nil},
				{"SecurityArtifactDescriptor", &complexVal{typ: "com.sap.hci.api.SecurityArtifactDescriptor", props: []prop{
					{"Type", "CREDENTIALS"}, {"DeployedBy", deployers[i%len(deployers)]}, {"DeployedOn", dayStart(now).Add(-time.Duration(20+i*17) * 24 * time.Hour)}, {"Status", "DEPLOYED"}}}}},
		})
	}
	return rows
}

// ---- JMS ----

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

func (t *Tenant) packages(now time.Time) []*entity {
	var rows []*entity
	for _, p := range t.land.pkgs {
		created := dayStart(now).Add(-time.Duration(p.createdDaysAgo) * 24 * time.Hour).Add(9 * time.Hour)
		modified := dayStart(now).Add(-time.Duration(p.modifiedDaysAgo) * 24 * time.Hour).Add(15 * time.Hour)
		version := ""
		if p.vendor == "SAP" {
			version = "8.2.0"
		}
		by := deployers[len(p.id)%2]
		if p.vendor == "SAP" {
			by = "P2000096929"
		}
		rows = append(rows, &entity{set: "IntegrationPackages", key: keyString(p.id), typ: "com.sap.hci.api.IntegrationPackage",
			media: "application/octet-stream",
			props: []prop{{"Id", p.id}, {"Name", p.name}, {"Description", "<p>" + p.short + "</p>"}, {"ShortText", p.short},
				{"Version", version}, {"Vendor", p.vendor}, {"Mode", p.mode}, {"SupportedPlatform", "[SAP Cloud Integration]"},
				{"ModifiedBy", by}, {"CreationDate", strconv.FormatInt(created.UnixMilli(), 10)},
				{"ModifiedDate", strconv.FormatInt(modified.UnixMilli(), 10)}, {"CreatedBy", by}, {"Products", p.products},
				{"Keywords", "[]"}, {"Countries", "[]"}, {"Industries", "[]"}, {"LineOfBusiness", p.lob}},
			navs: []navLink{{name: "IntegrationDesigntimeArtifacts", many: true, hidden: true, rows: t.designtimeArtifacts(now, p.id)},
				{name: "ValueMappingDesigntimeArtifacts", many: true, hidden: true, rows: t.otherDesigntimeArtifacts(p.id, "VALUE_MAPPING")},
				{name: "MessageMappingDesigntimeArtifacts", many: true, hidden: true, rows: []*entity{}},
				{name: "ScriptCollectionDesigntimeArtifacts", many: true, hidden: true, rows: t.otherDesigntimeArtifacts(p.id, "SCRIPT_COLLECTION")},
				{name: "CustomTags", many: true, hidden: true, rows: []*entity{}}},
		})
	}
	return rows
}

// designtimeArtifacts lists the iFlows of one package (all when pkg is ""), in their design-time
// version: one is newer than what is deployed, and the design-only iFlows (not deployed) follow each
// package's deployed ones. The deployed iFlow in no package has no design-time artifact.
func (t *Tenant) designtimeArtifacts(now time.Time, pkg string) []*entity {
	rows := []*entity{}
	add := func(id, version, pkgID, sender, receiver string) {
		name := strings.ReplaceAll(id, "_", " ")
		rows = append(rows, &entity{set: "IntegrationDesigntimeArtifacts", key: "Id=" + keyString(id) + ",Version=" + keyString(version),
			typ: "com.sap.hci.api.IntegrationDesigntimeArtifact", media: "application/octet-stream",
			props: []prop{{"Id", id}, {"Version", version}, {"PackageId", pkgID}, {"Name", name},
				{"Description", name + ": " + nz(sender, "timer") + " → " + nz(receiver, "internal")},
				{"Sender", sender}, {"Receiver", receiver}, {"ArtifactContent", nil}},
			navs: []navLink{{name: "Configurations", many: true, rows: []*entity{}}, {name: "Resources", many: true, rows: []*entity{}}},
		})
	}
	for _, f := range t.land.flows {
		if pkg == "" || f.pkg == pkg {
			add(f.id, f.designVer, f.pkg, f.sender, f.receiver)
		}
	}
	for _, d := range t.land.designOnly {
		if pkg == "" || d.pkg == pkg {
			add(d.id, d.version, d.pkg, d.sender, d.receiver)
		}
	}
	return rows
}

// otherDesigntimeArtifacts lists the value mappings (typ VALUE_MAPPING) or script collections
// (SCRIPT_COLLECTION) of one package (all when pkg is ""): the design-time side of the deployed ones,
// in the deployed version.
func (t *Tenant) otherDesigntimeArtifacts(pkg, typ string) []*entity {
	set, etyp := "ValueMappingDesigntimeArtifacts", "com.sap.hci.api.ValueMappingDesigntimeArtifact"
	nav := navLink{name: "ValMapSchema", many: true, rows: []*entity{}}
	if typ == "SCRIPT_COLLECTION" {
		set, etyp = "ScriptCollectionDesigntimeArtifacts", "com.sap.hci.api.ScriptCollectionDesigntimeArtifact"
		nav = navLink{name: "Resources", many: true, rows: []*entity{}}
	}
	rows := []*entity{}
	for _, o := range t.land.others {
		if o.typ != typ || o.pkg == "" || (pkg != "" && o.pkg != pkg) {
			continue
		}
		rows = append(rows, &entity{set: set, key: "Id=" + keyString(o.id) + ",Version=" + keyString(o.version), typ: etyp,
			media: "application/octet-stream",
			props: []prop{{"Id", o.id}, {"Version", o.version}, {"PackageId", o.pkg}, {"Name", o.name},
				{"Description", o.name}, {"ArtifactContent", nil}},
			navs: []navLink{nav},
		})
	}
	return rows
}

func nz(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ---- Data stores, variables, number ranges ----

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
