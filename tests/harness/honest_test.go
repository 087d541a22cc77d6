package harness

// Answers that must say what they mean, through the real binary: days left as read on the certificate,
// refused $variables and reversed ranges, records and log lines in shapes real tenants write.

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// Certificates valid to the first second of a day: the time left is a day fraction short of the days an
// operator reads on the certificate, and the number must be the one read (25 and -10, not 24 and -11).
func TestDaysLeftAsReadOnTheCertificate(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 81, Clients: []simulator.Client{c}, Hostile: []string{simulator.HostileDayExpiry}}})
	h.addSecrets(c.Secret)
	const label = "DAYS"
	ds := oauthDataSource(label, tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
	want := directKeystore(t, tn.direct(t, c.ID, c.Secret), "system")
	res := h.queryData(t, ds, nil, query{RefID: "A", QueryType: "certificates", JSON: map[string]any{"format": "numeric"}})
	h.addSecrets(tn.issuedTokens()...)
	r := res.Responses["A"]
	if r == nil || r.Error != "" {
		t.Fatalf("query failed: %s", summary(r))
	}
	byAlias := alertFrames(t, decodeFrames(t, "A", r), label, "alias", "alias", "keystore")
	for alias, days := range map[string]float64{"salesforce_jwt_signing": 25, "edi_dhl_as2_partner": -10} {
		if want[alias] != days {
			t.Fatalf("the tenant's %s is not valid to a day %v days from today (%v)", alias, days, want[alias])
		}
	}
	for alias, days := range want {
		f := byAlias[alias]
		if f == nil {
			t.Errorf("no series for %s", alias)
		} else if got := floatAt(t, f); got != days {
			t.Errorf("%s: %v days left, want %v (as read on the certificate)", alias, got, days)
		}
	}
}

// Neo log files in the shape real tenants write them: every line parsed, the client behind the proxy,
// trace messages without the columns before them and without the record's closing "|".
func TestNeoLogLinesAsTenantsWriteThem(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 82, Environment: "neo", Now: func() time.Time { return logsNow },
		Clients: []simulator.Client{c}, Hostile: []string{simulator.HostileNeoLogLines}}})
	h.addSecrets(c.Secret)
	ds := oauthDataSource("NEO", tn.url(), tn.tokenURL(), c.ID, c.Secret, map[string]any{"environment": "neo"})
	from, to := logsNow.Add(-2*time.Hour), logsNow
	for _, typ := range []string{"http", "trace"} {
		res := h.queryAt(t, ds, from, to, query{RefID: "L", QueryType: "logFiles", JSON: map[string]any{"logFileType": typ}})
		l := res.Responses["L"]
		if l == nil || l.Error != "" {
			t.Fatalf("%s list failed: %s", typ, summary(l))
		}
		names := stringColumn(t, decodeFrames(t, "L", l)[0], "Name")
		if len(names) == 0 {
			t.Fatalf("no %s log file", typ)
		}
		res = h.queryAt(t, ds, from, to, query{RefID: "F", QueryType: "logFiles", JSON: map[string]any{"fileName": names[0], "format": "table"}})
		r := res.Responses["F"]
		if r == nil || r.Error != "" {
			t.Fatalf("%s lines failed: %s", names[0], summary(r))
		}
		f := decodeFrames(t, "F", r)[0]
		// A line every 3.6 minutes: 33 or 34 in two hours, none skipped.
		if n, _ := f.RowLen(); n < 33 || n > 34 {
			t.Errorf("%s: %d lines in two hours, want 33 or 34", names[0], n)
		}
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				if strings.Contains(n.Text, "skipped") {
					t.Errorf("%s: %s", names[0], n.Text)
				}
			}
		}
		if typ == "http" {
			for i, ip := range stringColumn(t, f, "Client IP") {
				if !strings.HasPrefix(ip, "203.0.113.") {
					t.Errorf("line %d: client %q, want the address behind the proxy", i, ip)
				}
			}
			for i, u := range stringColumn(t, f, "User") {
				if !strings.HasPrefix(u, "CN=") || !strings.HasSuffix(u, ", C=DE") {
					t.Errorf("line %d: user %q, want the certificate subject", i, u)
				}
			}
			continue
		}
		for i, m := range stringColumn(t, f, "Message") {
			if strings.Contains(m, "|") || strings.Contains(m, "anonymous") || strings.Contains(m, "http-nio") || !strings.HasPrefix(m, "Message processing") && !strings.HasPrefix(m, "Processing of exchange failed") {
				t.Errorf("line %d: message %q, want the record's message only", i, m)
			}
		}
	}
}

// Audit records other services write: a time that is not a timestamp is named in a notice (never dated in
// year 1 or 1754), a numeric message is read as text, and no other record is lost.
func TestOddAuditRecords(t *testing.T) {
	h := startPlugin(t)
	cpiClient, auditClient := clientOf(t), clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 83, Now: func() time.Time { return logsNow }, Clients: []simulator.Client{cpiClient, auditClient},
		Hostile: []string{simulator.HostileOddAuditRecords}}})
	h.addSecrets(cpiClient.Secret, auditClient.Secret)
	ds := withAuditLog(oauthDataSource("AUDIT", tn.url(), tn.tokenURL(), cpiClient.ID, cpiClient.Secret, nil), tn, auditClient)
	from, to := logsNow.Add(-6*time.Hour), logsNow
	direct := tn.direct(t, auditClient.ID, auditClient.Secret).auditRecordsDirect(t, from, to)
	res := h.queryAt(t, ds, from, to, query{RefID: "A", QueryType: "auditLogs", JSON: map[string]any{"format": "table", "cpiOnly": false}})
	a := res.Responses["A"]
	if a == nil || a.Error != "" {
		t.Fatalf("one odd record failed the query: %s", summary(a))
	}
	f := decodeFrames(t, "A", a)[0]
	// Every record the tenant sent except the one without a timestamp.
	if n, _ := f.RowLen(); n != len(direct)-1 {
		t.Errorf("%d rows, want %d (the tenant's %d records less the one without a timestamp)", n, len(direct)-1, len(direct))
	}
	times, _ := f.FieldByName("Time")
	for i := 0; times != nil && i < times.Len(); i++ {
		v, _ := times.ConcreteAt(i)
		if ts, ok := v.(time.Time); !ok || ts.Before(from) || ts.After(to) {
			t.Errorf("row %d dated %v, outside the panel's range", i, v)
		}
	}
	if !slices.Contains(stringColumn(t, f, "Message"), "12345") {
		t.Errorf("the record whose message is a number is missing or not read as text")
	}
	var notices []string
	if f.Meta != nil {
		for _, n := range f.Meta.Notices {
			notices = append(notices, n.Text)
		}
	}
	all := strings.Join(notices, "\n")
	assertContainsAll(t, "notices", all, []string{simulator.OddAuditBadTime, "not a timestamp", "not-a-time"})
	for _, goType := range []string{"Go struct", "auditlog.CF", "json: cannot"} {
		if strings.Contains(all+a.Error, goType) {
			t.Errorf("the answer names Go internals (%q): %s", goType, all)
		}
	}
}

// Honest errors: an unreplaced template variable and a reversed time range are a clear 400 for every query
// family, a 403 says its sentence once and names every role that helps, a chain that cannot be read is a
// notice naming the entries.
func TestHonestErrors(t *testing.T) {
	h := startPlugin(t)
	c := clientOf(t, simulator.RoleMonitoringDataRead)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: 84, Clients: []simulator.Client{c}, Hostile: []string{simulator.HostileChainErrors}}})
	h.addSecrets(c.Secret)
	ds := oauthDataSource("HONEST", tn.url(), tn.tokenURL(), c.ID, c.Secret, nil)
	now := time.Now()

	t.Run("unreplaced variables", func(t *testing.T) {
		qs := []query{
			{RefID: "artifacts", QueryType: "artifacts", JSON: map[string]any{"artifactName": "$iflow"}},
			{RefID: "endpoints", QueryType: "endpoints", JSON: map[string]any{"endpointName": "${endpoint}"}},
			{RefID: "certificates", QueryType: "certificates", JSON: map[string]any{"keystoreName": "$keystore"}},
			{RefID: "inventory", QueryType: "inventory", JSON: map[string]any{"packageId": "[[package]]"}},
			{RefID: "auditLogs", QueryType: "auditLogs", JSON: map[string]any{"userContains": "$user"}},
			{RefID: "logFiles", QueryType: "logFiles", JSON: map[string]any{"fileName": "$file"}},
			{RefID: "messages", QueryType: "messages", JSON: map[string]any{"iflows": []string{"$iflow"}}},
			{RefID: "calmMetrics", QueryType: "calmMetrics", JSON: map[string]any{"provider": "$provider"}},
		}
		res := h.queryAt(t, ds, now.Add(-time.Hour), now, qs...)
		for _, q := range qs {
			r := res.Responses[q.RefID]
			if r == nil || r.Status != 400 {
				t.Errorf("%s: status %d, error %q; want 400", q.RefID, r.GetStatus(), r.GetError())
				continue
			}
			assertContainsAll(t, q.RefID, r.Error, []string{"template variable that was not replaced"})
		}
	})

	t.Run("reversed range", func(t *testing.T) {
		var qs []query
		for _, qt := range []string{"messages", "messageCounts", "messageDurations", "errorGroups", "stuckMessages", "artifacts", "endpoints",
			"certificates", "jms", "inventory", "auditLogs", "logFiles", "calmMetrics"} {
			qs = append(qs, query{RefID: qt, QueryType: qt, JSON: map[string]any{}})
		}
		res := h.queryAt(t, ds, now, now.Add(-time.Hour), qs...)
		for _, q := range qs {
			r := res.Responses[q.RefID]
			if r == nil || r.Status != 400 {
				t.Errorf("%s: status %d, error %q; want 400", q.RefID, r.GetStatus(), r.GetError())
				continue
			}
			assertContainsAll(t, q.RefID, r.Error, []string{"time range ends", "before it starts"})
		}
	})

	t.Run("403s", func(t *testing.T) {
		res := h.queryAt(t, ds, now.Add(-time.Hour), now,
			query{RefID: "inventory", QueryType: "inventory", JSON: map[string]any{}},
			query{RefID: "jms", QueryType: "jms", JSON: map[string]any{}})
		inv := res.Responses["inventory"].GetError()
		if n := strings.Count(inv, "lacks the role"); n != 1 || !strings.Contains(inv, "WorkspacePackagesRead") || strings.Count(inv, "role changes") != 1 {
			t.Errorf("inventory 403 (%d× 'lacks the role'): %s", n, inv)
		}
		if c := repeatedClause(inv); c != "" {
			t.Errorf("inventory 403 says %q twice: %s", c, inv)
		}
		assertContainsAll(t, "jms 403", res.Responses["jms"].GetError(), []string{"DataStoresAndQueuesRead", "HealthCheckMonitoringDataRead"})
	})

	t.Run("chain failures", func(t *testing.T) {
		res := h.queryAt(t, ds, now.Add(-time.Hour), now, query{RefID: "C", QueryType: "certificates", JSON: map[string]any{"withChain": true}})
		r := res.Responses["C"]
		if r == nil || r.Error != "" {
			t.Fatalf("query failed: %s", summary(r))
		}
		f := decodeFrames(t, "C", r)[0]
		var notices []string
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				notices = append(notices, n.Text)
			}
		}
		// The simulated keystore's entries starting with "s": their chains fail.
		assertContainsAll(t, "notices", strings.Join(notices, "\n"), []string{"chain certificates of 4 entries could not be read",
			"salesforce_jwt_signing", "s4hana_prd_client", "sap_cloudintegrationcertificate", "sap_global_root_ca"})
	})
	h.addSecrets(tn.issuedTokens()...)
}

// repeatedClause returns a clause (text between ". ", ": " and "; ") that occurs twice in s, or "".
func repeatedClause(s string) string {
	seen := map[string]bool{}
	for _, c := range strings.FieldsFunc(strings.NewReplacer(". ", "\x00", ": ", "\x00", "; ", "\x00").Replace(s), func(r rune) bool { return r == 0 }) {
		c = strings.TrimSpace(c)
		if len(c) < 12 {
			continue
		}
		if seen[c] {
			return c
		}
		seen[c] = true
	}
	return ""
}
