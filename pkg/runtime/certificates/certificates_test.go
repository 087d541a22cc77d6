package certificates

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/internal/simtest"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

var now = simtest.Now

// unpaced lifts the security-content pacing for tests that are not about it (TestSecurityRateLimitHonoured is).
var unpaced = cpi.WithRateLimit(cpi.AreaSecurity, 0)

func TestGoldenFrames(t *testing.T) {
	tn := simtest.New(t, simulator.Config{}, unpaced)
	tests := []struct {
		name  string
		q     models.CertificatesQuery
		frame func(Result, models.CertificatesQuery) data.Frames
	}{
		{"table_system", models.CertificatesQuery{}, table},
		{"table_chain", models.CertificatesQuery{WithChain: true, AliasContains: "_"}, table},
		{"table_backup", models.CertificatesQuery{KeystoreName: "backup_admin_system"}, table},
		{"numeric_system", models.CertificatesQuery{Format: models.FormatNumeric}, numeric},
		{"numeric_chain", models.CertificatesQuery{Format: models.FormatNumeric, WithChain: true, AliasContains: "client"}, numeric},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Fetch(context.Background(), tn.Client, tc.q, now)
			if err != nil {
				t.Fatal(err)
			}
			res.Requests = tn.Mask(res.Requests)
			simtest.Golden(t, tc.name, tc.frame(res, tc.q))
		})
	}
}

func table(r Result, q models.CertificatesQuery) data.Frames {
	return data.Frames{tableFrame(r, "SIM", q.WithChain, now)}
}
func numeric(r Result, _ models.CertificatesQuery) data.Frames { return numericFrames(r, "SIM") }

// The simulated keystore has certificates expiring in 5, 20 and 400 days and one expired 12 days ago;
// the query reports exactly those day counts, soonest first, from one request.
func TestDaysLeftSortedSoonestFirst(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	res, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Requests) != 1 || !strings.Contains(res.Requests[0], "KeystoreEntries?keystoreName=system") {
		t.Fatalf("requests %v", res.Requests)
	}
	var days []float64
	byAlias := map[string]float64{}
	for _, e := range res.Entries {
		days = append(days, e.DaysLeft)
		byAlias[e.Alias] = e.DaysLeft
	}
	if !slices.IsSorted(days) {
		t.Fatalf("not sorted by days left: %v", days)
	}
	for alias, want := range map[string]float64{"bank_sftp_hostkey": 5, "salesforce_jwt_signing": 20, "sap_cloudintegrationcertificate": 400, "edi_dhl_as2_partner": -12} {
		if got, ok := byAlias[alias]; !ok || got != want {
			t.Errorf("%s: %v days left, want %v", alias, got, want)
		}
	}
	// A day later every count is one lower: the number follows the clock, not the data.
	later, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{}, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if later.Entries[0].DaysLeft != res.Entries[0].DaysLeft+1 {
		t.Fatalf("days left do not follow the reference time: %v vs %v", later.Entries[0].DaysLeft, res.Entries[0].DaysLeft)
	}
}

// Days left are calendar days (UTC) from today to the valid-to date, as read on the certificate.
func TestDaysUntil(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		now, validTo string
		want         float64
	}{
		// Expires in 24.997 days: valid to 2027-01-01, today 2026-12-07: 25 days.
		{"2026-12-07T01:00:00Z", "2027-01-01T00:55:41Z", 25},
		// Expired 10.003 days ago: valid to 2026-11-26, today 2026-12-06: -10.
		{"2026-12-06T01:00:00Z", "2026-11-26T00:55:41Z", -10},
		{"2026-12-07T23:59:59Z", "2026-12-08T00:00:00Z", 1},
		{"2026-12-07T00:00:00Z", "2026-12-07T23:59:59Z", 0},
		{"2026-12-07T12:00:00Z", "2026-12-07T11:00:00Z", 0}, // its last day, an hour after it ended
		{"2026-12-07T12:00:00Z", "2026-12-14T00:00:00Z", 7},
		{"2026-12-07T12:00:00Z", "2026-12-13T23:59:59Z", 6},
		// Another zone on either side: the UTC date counts.
		{"2026-12-07T23:30:00-02:00", "2026-12-09T00:30:00+02:00", 0},
		{"2026-03-28T12:00:00Z", "2026-03-30T12:00:00+02:00", 2},
		{"2024-02-28T12:00:00Z", "2024-03-01T00:00:00Z", 2}, // leap day
	} {
		if got := DaysUntil(at(tc.validTo), at(tc.now)); got != tc.want {
			t.Errorf("now %s, valid to %s: %v days left, want %v", tc.now, tc.validTo, got, tc.want)
		}
	}
}

// SAP requires Accept: application/json for security content; without it the tenant answers Atom.
func TestAcceptJSONOnEveryRequest(t *testing.T) {
	tn := simtest.New(t, simulator.Config{}, unpaced)
	if _, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{WithChain: true}, now); err != nil {
		t.Fatal(err)
	}
	reqs := tn.Requests()
	if len(reqs) != 1+len(certAliases(t, tn)) {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Accept != "application/json" {
			t.Errorf("%s sent Accept %q", r.Path, r.Accept)
		}
	}
}

func certAliases(t *testing.T, tn *simtest.Tenant) []string {
	t.Helper()
	res, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{}, now)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range res.Entries {
		out = append(out, e.Alias)
	}
	return out
}

// With SAP's per-user limit enforced (10 security requests per second), a query with one chain request
// per entry is paced by the client and never answered 429.
func TestSecurityRateLimitHonoured(t *testing.T) {
	// The simulator counts requests per second of its own clock, so this tenant runs on the wall clock.
	// Two refreshes (the client's clock moves past the shared listing's lifetime between them): 18 requests.
	var later time.Duration
	tn := simtest.New(t, simulator.Config{PerUserRateLimit: true, Now: time.Now},
		cpi.WithClock(func() time.Time { return time.Now().Add(later) }))
	start := time.Now()
	for i := range 2 {
		later = time.Duration(i) * cpi.RefreshTTL
		res, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{WithChain: true}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Entries {
			if e.ChainError != "" {
				t.Fatalf("%s: %s", e.Alias, e.ChainError)
			}
		}
	}
	reqs := tn.Requests()
	for _, r := range reqs {
		if r.Status == http.StatusTooManyRequests {
			t.Fatalf("the tenant answered 429 to %s: the client did not pace security requests", r.Path)
		}
	}
	// 18 requests at 10 per window need a second window (1.05 s later): proof that the pacing happened.
	if el := time.Since(start); len(reqs) != 18 || el < 1050*time.Millisecond {
		t.Fatalf("%d requests in %s", len(reqs), el)
	}
}

func TestChainRowsFollowTheirEntry(t *testing.T) {
	tn := simtest.New(t, simulator.Config{}, unpaced)
	res, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{WithChain: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	chains := 0
	for _, e := range res.Entries {
		own := DaysUntil(e.ValidNotAfter.Time, now)
		if e.DaysLeft > own {
			t.Errorf("%s: days left %v beyond its own expiry %v", e.Alias, e.DaysLeft, own)
		}
		for i, c := range e.Chain {
			if c.Index.Value != float64(i+1) || c.Alias != e.Alias {
				t.Errorf("%s: chain[%d] index %v alias %q", e.Alias, i, c.Index.Value, c.Alias)
			}
		}
		chains += len(e.Chain)
	}
	if chains == 0 {
		t.Fatal("no chain certificates read")
	}
	frame := tableFrame(res, "SIM", true, now)
	if n, _ := frame.RowLen(); n != len(res.Entries)+chains {
		t.Fatalf("%d rows for %d entries and %d chain certificates", n, len(res.Entries), chains)
	}
	chainCol, _ := frame.FieldByName("Chain")
	if chainCol == nil {
		t.Fatal("no Chain column")
	}
	if plain := tableFrame(res, "SIM", false, now); plain.Fields[len(plain.Fields)-2].Name == "Chain" {
		t.Fatal("Chain column without withChain")
	}
}

// chainFailer fails the ChainCertificates requests with the given error and passes everything else on.
type chainFailer struct {
	*cpi.Client
	err   error
	calls int
}

func (c *chainFailer) Get(ctx context.Context, path string, q url.Values) (*cpi.Response, error) {
	if strings.Contains(path, "ChainCertificates") {
		c.calls++
		return nil, c.err
	}
	return c.Client.Get(ctx, path, q)
}

func TestChainFailures(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	tests := []struct {
		name      string
		err       error
		wantCalls int // 8 entries
		warning   bool
		notice    string
	}{
		{"each entry not found: the query goes on, a notice names them", &cpi.Error{Kind: cpi.KindEntityNotFound, Message: "Requested entity could not be found."}, 8, true,
			"The chain certificates of 8 entries could not be read, so they are shown without their chain and their days left count their own certificate only: sap_cloudintegrationcertificate, bank_sftp_hostkey, salesforce_jwt_signing, ariba_network_client, edi_dhl_as2_partner and 3 more (first error: Requested entity could not be found.)."},
		{"role missing: stop after the first", &cpi.Error{Kind: cpi.KindForbidden, Message: "lacks the role MonitoringDataRead"}, 1, true, "Chain certificates could not be read: lacks the role MonitoringDataRead"},
		{"throttled: stop after the first", &cpi.Error{Kind: cpi.KindRateLimited, Message: "too many requests"}, 1, true, "Chain certificates could not be read: too many requests"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &chainFailer{Client: tn.Client, err: tc.err}
			res, err := Fetch(context.Background(), g, models.CertificatesQuery{WithChain: true}, now)
			if err != nil {
				t.Fatal(err)
			}
			if g.calls != tc.wantCalls || len(res.Entries) != 8 {
				t.Fatalf("%d chain calls, %d entries", g.calls, len(res.Entries))
			}
			failed := 0
			for _, e := range res.Entries {
				if e.ChainError != "" {
					failed++
					if !strings.Contains(e.ChainError, tc.err.Error()) {
						t.Fatalf("chain error %q", e.ChainError)
					}
				}
			}
			if failed != tc.wantCalls {
				t.Fatalf("%d entries show a chain error, want %d", failed, tc.wantCalls)
			}
			if got := len(res.Notices) == 1 && res.Notices[0].Severity == data.NoticeSeverityWarning; got != tc.warning {
				t.Fatalf("notices %+v", res.Notices)
			}
			if res.Notices[0].Text != tc.notice {
				t.Errorf("notice %q,\nwant %q", res.Notices[0].Text, tc.notice)
			}
		})
	}
}

func TestKeystoreName(t *testing.T) {
	for in, want := range map[string]string{"": "system", " system ": "system", "BACKUP_ADMIN_SYSTEM": "backup_admin_system", "KeyRenewal": "KeyRenewal"} {
		if got, err := KeystoreName(in); err != nil || got != want {
			t.Errorf("KeystoreName(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"KeyHistory", "system&$format=xml", "system'", "sys\ntem", strings.Repeat("s", 5000)} {
		if _, err := KeystoreName(in); err == nil {
			t.Errorf("KeystoreName(%.30q) accepted", in)
		}
	}
}

func TestKeystores(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	backup, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{KeystoreName: "backup_admin_system"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(backup.Entries) != 3 || !strings.Contains(backup.Requests[0], "keystoreName=backup_admin_system") {
		t.Fatalf("%d entries from %v", len(backup.Entries), backup.Requests)
	}
	renewal, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{KeystoreName: "KeyRenewal", Format: models.FormatNumeric}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(renewal.Entries) != 0 {
		t.Fatalf("KeyRenewal should be empty, got %d", len(renewal.Entries))
	}
	// No series ("no data" for alert rules), but the request log still reaches the Query inspector.
	empty := numericFrames(renewal, "SIM")
	if len(empty) != 1 || len(empty[0].Fields) != 0 || !strings.Contains(empty[0].Meta.ExecutedQueryString, "keystoreName=KeyRenewal") {
		t.Fatalf("empty keystore frames: %d frames, meta %+v", len(empty), empty[0].Meta)
	}
	if n, _ := tableFrame(renewal, "SIM", false, now).RowLen(); n != 0 {
		t.Fatalf("%d rows", n)
	}
}

func TestHostileValues(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	before := len(tn.Requests())
	for _, q := range []models.CertificatesQuery{
		{AliasContains: strings.Repeat("x", odata.MaxLiteralLength+1)},
		{AliasContains: "a\x1bb"},
		{KeystoreName: "system&keystoreName=KeyRenewal"},
		{KeystoreName: "system')/ChainCertificates?x=('"},
	} {
		if _, err := Fetch(context.Background(), tn.Client, q, now); err == nil {
			t.Errorf("hostile value accepted: %+.40v", q)
		}
	}
	if n := len(tn.Requests()) - before; n != 0 {
		t.Fatalf("%d requests sent for refused values", n)
	}
	// Quotes in the alias filter are only ever compared locally.
	res, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{AliasContains: "' or 1 eq 1"}, now)
	if err != nil || len(res.Entries) != 0 {
		t.Fatalf("%v, %d entries", err, len(res.Entries))
	}
}

func TestAliasFilterAndNumericFrames(t *testing.T) {
	tn := simtest.New(t, simulator.Config{})
	res, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{AliasContains: "ROOT"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 2 {
		t.Fatalf("%d root entries", len(res.Entries))
	}
	all, err := Fetch(context.Background(), tn.Client, models.CertificatesQuery{}, now)
	if err != nil {
		t.Fatal(err)
	}
	frs := numericFrames(all, "PRD EU")
	if len(frs) != len(all.Entries) {
		t.Fatalf("%d frames for %d entries", len(frs), len(all.Entries))
	}
	seen := map[string]bool{}
	for _, f := range frs {
		if len(f.Fields) != 1 || f.Fields[0].Type() != data.FieldTypeFloat64 || f.Fields[0].Len() != 1 {
			t.Fatalf("frame %s is not one number", f.Name)
		}
		l := f.Fields[0].Labels
		if l["tenant"] != "PRD EU" || l["alias"] == "" || l["keystore"] != "system" || len(l) != 3 {
			t.Fatalf("labels %v", l)
		}
		if seen[l.String()] {
			t.Fatalf("duplicate labels %v", l)
		}
		seen[l.String()] = true
		steps := f.Fields[0].Config.Thresholds.Steps
		if len(steps) != 3 || steps[1].Value != 7 || steps[1].Color != "orange" || steps[2].Value != 30 || steps[0].Color != "red" {
			t.Fatalf("thresholds %+v", steps)
		}
	}
}

func TestHubFixtures(t *testing.T) {
	entries := simtest.Fixture[Cert](t, "hub-example-KeystoreEntries-list.json")
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	c := entries[1]
	if AliasOf(c) != "sap_test_certificate" || c.KeySize.Value != 2048 || c.ValidNotAfter.UnixMilli() != 2143324799000 || c.FingerprintSha256 == "" || c.SignatureAlgorithm != "SHA256withRSA" {
		t.Fatalf("decoded %+v", c)
	}
	// Without Alias the hex alias is decoded.
	c.Alias = ""
	if got := AliasOf(c); got != "sap_test_certificate" {
		t.Fatalf("alias from hex: %q", got)
	}
	for hexAlias, want := range map[string]string{"313233": "123", "C3A9": "é", "zz": "zz", "FF": "FF", "": ""} {
		if got := AliasOf(Cert{Hexalias: hexAlias}); got != want {
			t.Errorf("AliasOf(%q) = %q, want %q", hexAlias, got, want)
		}
	}
	chain := simtest.Fixture[Cert](t, "hub-example-KeystoreEntry-ChainCertificates.json")
	if len(chain) != 3 || chain[2].Index.Value != 2 || !chain[2].Index.Valid {
		t.Fatalf("chain %+v", chain)
	}
	e := Entry{Cert: entries[1], Chain: chain[1:]}
	// The chain's index-2 certificate expired in 2020: the chain's days left follow it.
	if d := daysLeft(e, now); d != DaysUntil(chain[2].ValidNotAfter.Time, now) || d >= 0 {
		t.Fatalf("chain days left %v", d)
	}
	if !math.IsNaN(daysLeft(Entry{}, now)) {
		t.Fatal("no validity should be unknown, not a number of days")
	}
}
