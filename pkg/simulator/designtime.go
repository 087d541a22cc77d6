package simulator

import (
	"strconv"
	"strings"
	"time"
)

// The simulated design time (one of the entity sets entitysets.go serves).

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
