package harness

// Answers that must say what they mean, through the real binary: days left as read on the certificate,
// refused $variables and reversed ranges, records and log lines in shapes real tenants write.

import (
	"testing"

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
