package simulator

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The simulated security content (one of the entity sets entitysets.go serves).

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
