// Package certificates answers the `certificates` query: the entries of a tenant keystore
// (KeystoreEntries?keystoreName=…) with their validity and the days left until each expires, as a table
// and as one number per alias for alert rules.
package certificates

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/runtime/internal/rt"
)

const (
	// maxChainCalls bounds the per-entry ChainCertificates requests of one query: security content
	// allows 10 requests/s per user, so 25 entries cost about 2.5 s.
	maxChainCalls = 25
	// maxEntries bounds the keystore entries read (a keystore holds at most ~6000).
	maxEntries = 10 * cpi.MaxPageSize
	// Days-left thresholds of the field config: red below 7 days, orange below 30.
	warnDays     = 30
	criticalDays = 7
)

// Cert is one keystore entry or chain certificate (the chain type is a subset of the entry type).
type Cert struct {
	Hexalias           string     `json:"Hexalias"`
	Alias              string     `json:"Alias"`
	Type               string     `json:"Type"`
	Owner              string     `json:"Owner"`
	KeyType            string     `json:"KeyType"`
	KeySize            rt.Number  `json:"KeySize"`
	EllipticCurve      string     `json:"EllipticCurve"`
	ValidNotBefore     odata.Time `json:"ValidNotBefore"`
	ValidNotAfter      odata.Time `json:"ValidNotAfter"`
	SubjectDN          string     `json:"SubjectDN"`
	IssuerDN           string     `json:"IssuerDN"`
	SerialNumber       string     `json:"SerialNumber"`
	SignatureAlgorithm string     `json:"SignatureAlgorithm"`
	FingerprintSha256  string     `json:"FingerprintSha256"`
	Index              rt.Number  `json:"Index"` // chain position, 0 = the entry's own certificate
}

// Entry is a keystore entry with, when asked for, the rest of its chain (index 1 … n).
type Entry struct {
	Cert
	Chain []Cert
	// ChainError says why the chain could not be read (the entry itself is still shown).
	ChainError string
	// DaysLeft is the whole number of days until the entry (or, with the chain, the first certificate
	// of its chain) expires; negative when already expired.
	DaysLeft float64
}

// Result is what one query fetched, with the requests it made.
type Result struct {
	Keystore string
	Entries  []Entry
	// Now is the moment days left were counted from (the table shows it).
	Now time.Time
	rt.Log
}

// KeystoreName validates the keystore option: only SAP's fixed names are sent.
func KeystoreName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return models.KeystoreSystem, nil
	}
	for _, k := range models.Keystores {
		if strings.EqualFold(name, k) {
			return k, nil
		}
	}
	if err := odata.CheckValue("keystore name", name); err != nil {
		return "", err
	}
	return "", fmt.Errorf("unknown keystore %q: choose one of %s", name, strings.Join(models.Keystores, ", "))
}

// Fetch lists the entries of the keystore (one request; SAP documents no $filter on this set, so the
// alias is filtered locally) and, with WithChain, each entry's chain (one request per entry, bounded).
// Entries are sorted by days left, soonest expiry first. now is the reference for days left.
func Fetch(ctx context.Context, g cpi.Source, q models.CertificatesQuery, now time.Time) (Result, error) {
	res := Result{Now: now}
	ks, err := KeystoreName(q.KeystoreName)
	if err != nil {
		return res, err
	}
	res.Keystore = ks
	if err := odata.CheckValue("alias filter", q.AliasContains); err != nil {
		return res, err
	}
	// The expiry panels of a refresh and the certificate alert rules share one listing (and its chains).
	ctx = cpi.CacheFor(ctx, cpi.RefreshTTL)
	// No $select: SAP's documented $select list lacks the validity, DN and fingerprint properties.
	// SAP documents only keystoreName and $select for this collection: pages are read by __next.
	certs, _, err := rt.GetAll[Cert](ctx, g, &res.Log, "keystore entries", cpi.ListOptions{Path: "KeystoreEntries",
		Query: url.Values{"keystoreName": {ks}}, MaxRows: maxEntries, NextOnly: true})
	if err != nil {
		return res, err
	}
	needle := strings.TrimSpace(q.AliasContains)
	for _, c := range certs {
		c.Alias = AliasOf(c)
		if needle != "" && !rt.ContainsFold(needle, c.Alias) {
			continue
		}
		res.Entries = append(res.Entries, Entry{Cert: c})
	}
	if q.WithChain {
		fetchChains(ctx, g, &res)
	}
	for i := range res.Entries {
		res.Entries[i].DaysLeft = daysLeft(res.Entries[i], now)
	}
	slices.SortStableFunc(res.Entries, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.DaysLeft, b.DaysLeft), strings.Compare(a.Alias, b.Alias))
	})
	return res, nil
}

// fetchChains reads ChainCertificates of the first maxChainCalls entries. A failure on one entry is shown
// on that entry; a failure that would repeat for all (role, throttling, deadline) stops the loop.
func fetchChains(ctx context.Context, g cpi.Source, res *Result) {
	var failed []string
	defer func() { chainNotice(res, failed) }()
	for i := range res.Entries {
		e := &res.Entries[i]
		if i == maxChainCalls {
			res.Notice("Chain certificates were read for the first %d entries only.", maxChainCalls)
			return
		}
		key := e.Hexalias
		if key == "" {
			key = strings.ToUpper(hex.EncodeToString([]byte(e.Alias)))
		}
		// The key is the hex alias, so it is always a safe literal, whatever the alias contains.
		chain, _, err := rt.GetAll[Cert](ctx, g, &res.Log, "chain certificates of "+e.Alias, cpi.ListOptions{
			Path:  "KeystoreEntries(" + odata.KeyPredicate(key) + ")/ChainCertificates",
			Query: url.Values{"keystoreName": {res.Keystore}}, MaxRows: cpi.MaxPageSize, NextOnly: true})
		if err != nil {
			e.ChainError = err.Error()
			if ctx.Err() != nil || cpi.IsKind(err, cpi.KindForbidden) || cpi.IsKind(err, cpi.KindRateLimited) {
				res.Warning("Chain certificates could not be read: %s", err.Error())
				return
			}
			failed = append(failed, e.Alias)
			continue
		}
		for _, c := range chain {
			if c.Index.Valid && c.Index.Value == 0 {
				continue // the entry's own certificate
			}
			c.Alias, c.Owner = e.Alias, e.Owner
			if c.Type == "" {
				c.Type = "Chain certificate"
			}
			e.Chain = append(e.Chain, c)
		}
		slices.SortStableFunc(e.Chain, func(a, b Cert) int { return cmp.Compare(a.Index.Value, b.Index.Value) })
	}
}

// chainNotice says which entries are shown without their chain, so missing chain rows are not mistaken
// for entries without a chain (and their days left count the entry's own certificate only).
func chainNotice(res *Result, failed []string) {
	if len(failed) == 0 {
		return
	}
	const show = 5
	names := strings.Join(failed[:min(len(failed), show)], ", ")
	if len(failed) > show {
		names += fmt.Sprintf(" and %d more", len(failed)-show)
	}
	var why string
	for _, e := range res.Entries {
		if e.Alias == failed[0] {
			why = e.ChainError
		}
	}
	res.Warning("The chain certificates of %d %s could not be read, so %s shown without %s chain and %s days left count %s own certificate only: %s (first error: %s).",
		len(failed), plural(len(failed), "entry", "entries"), plural(len(failed), "it is", "they are"), plural(len(failed), "its", "their"),
		plural(len(failed), "its", "their"), plural(len(failed), "its", "their"), names, why)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// AliasOf returns the alias, decoded from Hexalias (hex of the UTF-8 bytes) when SAP sends no Alias.
func AliasOf(c Cert) string {
	if c.Alias != "" {
		return c.Alias
	}
	if b, err := hex.DecodeString(c.Hexalias); err == nil && utf8.Valid(b) && len(b) > 0 {
		return string(b)
	}
	return c.Hexalias
}

// DaysUntil is what an operator reads off the certificate: the number of calendar days (UTC) from
// today to the day of its "valid to" date. 25 for a certificate valid to a date 25 days ahead, at any
// hour; 0 on its last day (also once it expired earlier that day); -10 ten days after that day. So
// "< 30" means the valid-to date is fewer than 30 days away, and negative means expired on an earlier day.
func DaysUntil(t, now time.Time) float64 {
	return math.Round(dayOf(t).Sub(dayOf(now)).Hours() / 24)
}

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysLeft(e Entry, now time.Time) float64 {
	if e.ValidNotAfter.IsZero() {
		return math.NaN()
	}
	d := DaysUntil(e.ValidNotAfter.Time, now)
	for _, c := range e.Chain {
		if !c.ValidNotAfter.IsZero() {
			d = min(d, DaysUntil(c.ValidNotAfter.Time, now))
		}
	}
	return d
}

// daysConfig colours days left: red below 7, orange below 30, green beyond.
func daysConfig(displayName string) *data.FieldConfig {
	return &data.FieldConfig{
		DisplayNameFromDS: displayName,
		Unit:              "d",
		Thresholds: &data.ThresholdsConfig{Mode: data.ThresholdsModeAbsolute, Steps: []data.Threshold{
			data.NewThreshold(math.Inf(-1), "red", ""),
			data.NewThreshold(criticalDays, "orange", ""),
			data.NewThreshold(warnDays, "green", ""),
		}},
		Custom: map[string]any{"cellOptions": map[string]any{"type": "color-background"}},
	}
}

func timePtr(t odata.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.Time
	return &v
}

// tableFrame lists the entries, soonest expiry first; with the chain, each entry is followed by its chain
// certificates (column "Chain": 0 = the entry, 1 … = issuers), each with its own days left.
func tableFrame(r Result, tenant string, withChain bool, now time.Time) *data.Frame {
	var (
		alias, typ, owner, subject, issuer, keyType, sigAlg, sha256, serial, keystore []string
		from, to                                                                      []*time.Time
		days, keySize, chainIdx                                                       []*float64
	)
	add := func(c Cert, d float64, idx float64) {
		alias = append(alias, c.Alias)
		typ = append(typ, c.Type)
		owner = append(owner, c.Owner)
		subject = append(subject, c.SubjectDN)
		issuer = append(issuer, c.IssuerDN)
		from = append(from, timePtr(c.ValidNotBefore))
		to = append(to, timePtr(c.ValidNotAfter))
		var dp *float64
		if !math.IsNaN(d) {
			dp = &d
		}
		days = append(days, dp)
		keyType = append(keyType, c.KeyType)
		keySize = append(keySize, c.KeySize.Ptr())
		sigAlg = append(sigAlg, c.SignatureAlgorithm)
		sha256 = append(sha256, c.FingerprintSha256)
		serial = append(serial, c.SerialNumber)
		keystore = append(keystore, r.Keystore)
		chainIdx = append(chainIdx, &idx)
	}
	for _, e := range r.Entries {
		own := math.NaN()
		if !e.ValidNotAfter.IsZero() {
			own = DaysUntil(e.ValidNotAfter.Time, now)
		}
		add(e.Cert, own, 0)
		for _, c := range e.Chain {
			d := math.NaN()
			if !c.ValidNotAfter.IsZero() {
				d = DaysUntil(c.ValidNotAfter.Time, now)
			}
			add(c, d, c.Index.Value)
		}
	}
	daysField := data.NewField("Days left", nil, days)
	daysField.Config = daysConfig("")
	fields := []*data.Field{
		data.NewField("Alias", nil, alias),
		data.NewField("Type", nil, typ),
		data.NewField("Owner", nil, owner),
		daysField,
		data.NewField("Valid from", nil, from),
		data.NewField("Valid to", nil, to),
		data.NewField("Subject", nil, subject),
		data.NewField("Issuer", nil, issuer),
		data.NewField("Key type", nil, keyType),
		data.NewField("Key size", nil, keySize),
		data.NewField("Signature algorithm", nil, sigAlg),
		data.NewField("SHA-256 fingerprint", nil, sha256),
		data.NewField("Serial number", nil, serial),
		data.NewField("Keystore", nil, keystore),
	}
	if withChain {
		fields = append(fields, data.NewField("Chain", nil, chainIdx))
	}
	return frames.Table("certificates", tenant, frames.Meta(r.Requests, r.Notices...), fields...)
}

// numericFrames returns one numeric frame per alias: the days until expiry (with the chain: until the
// first certificate of the chain expires), labelled alias, keystore and tenant. Entries without a
// validity date are left out rather than reported as 0 days.
func numericFrames(r Result, tenant string) data.Frames {
	var series []frames.Series
	for _, e := range r.Entries {
		if math.IsNaN(e.DaysLeft) {
			continue
		}
		series = append(series, frames.Series{Frame: "certificate days left", Field: "days left",
			Labels: data.Labels{"alias": e.Alias, "keystore": r.Keystore}, Config: daysConfig(e.Alias), Values: []float64{e.DaysLeft}})
	}
	return frames.NumericFrames(tenant, data.FrameTypeNumericMulti, frames.Meta(r.Requests, r.Notices...), series)
}

// Frames is the answer in the query's format: a table, or one days-left value per certificate for alert
// rules (numeric).
func Frames(r Result, q models.CertificatesQuery, tenant string) data.Frames {
	if q.Format == models.FormatNumeric {
		return numericFrames(r, tenant)
	}
	return data.Frames{tableFrame(r, tenant, q.WithChain, r.Now)}
}
