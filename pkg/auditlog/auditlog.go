// Package auditlog answers the `auditLogs` query: the subaccount's audit log records in the time range,
// from the BTP Audit Log Retrieval API on Cloud Foundry or the Neo audit log retrieval API, filtered to the
// events of Cloud Integration, as a table or as log lines.
//
// The audit log is a separate service with its own OAuth client (settings.Settings.AuditLog), reached
// through the same pkg/cpi client type pointed at its service root (NewClient).
package auditlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

const (
	// CFPath is the Cloud Foundry records resource below the service key's url.
	CFPath = "auditlog/v2/auditlogrecords"
	// NeoPath is the Neo records entity set below https://api.<region host>/auditlog/v1/accounts/<account>.
	NeoPath = "AuditLogRecords"

	// DefaultRate is SAP's request limit per token and second on most Cloud Foundry regions (8/s on EU10,
	// EU20, US10, US30).
	DefaultRate = 4

	// DefaultMaxRecords bounds the records one query reads (20 Cloud Foundry pages of 500, 10 Neo pages
	// of 1000); a notice says when the time range holds more.
	DefaultMaxRecords = 10000
	cfPageSize        = 500

	// cfTimeLayout is time_from/time_to (UTC, no zone); neoTimeLayout is the Neo $filter literal, whose
	// time uses dots.
	cfTimeLayout  = "2006-01-02T15:04:05"
	neoTimeLayout = "2006-01-02T15.04.05"
)

// Categories are SAP's predefined audit log categories.
var Categories = []string{"audit.security-events", "audit.configuration", "audit.data-access", "audit.data-modification"}

// categoryPattern accepts a predefined category or a subcategory (audit.data-access.my-sub-category).
var categoryPattern = regexp.MustCompile(`^audit\.[a-z0-9-]+(\.[A-Za-z0-9_-]+)*$`)

// Options of one fetch.
type Options struct {
	From, To time.Time
	// Neo selects the Neo audit log retrieval API instead of the Cloud Foundry one.
	Neo   bool
	Query models.AuditLogsQuery
	// MaxRecords overrides DefaultMaxRecords (tests).
	MaxRecords int
}

// Result is what one query read, with the requests it made.
type Result struct {
	Records  []Record
	Requests []string
	Notices  []data.Notice
	// Read is how many records the API returned before the local filters (CPI only, user, category).
	Read int
	// Pages is how many requests returned records (paging).
	Pages int

	skipped skipped // records left out, named in notices
}

// ServiceRoot turns the configured audit log URL into the client's service root: the url of a Cloud
// Foundry auditlog-management service key, or the Neo https://api.<host>/auditlog/v1/accounts/<account>.
// A URL pasted with the resource path (…/auditlog/v2/auditlogrecords, …/AuditLogRecords) is accepted.
func ServiceRoot(apiURL string) string {
	root := strings.TrimRight(strings.TrimSpace(apiURL), "/")
	for _, suffix := range []string{"/" + CFPath, "/" + NeoPath} {
		if strings.HasSuffix(strings.ToLower(root), strings.ToLower(suffix)) {
			root = root[:len(root)-len(suffix)]
		}
	}
	return root
}

// NotConfiguredError explains how to set up the audit log connection for the tenant's environment.
func NotConfiguredError(env settings.Environment) error {
	if env == settings.EnvironmentNeo {
		return errors.New("The audit log connection is not configured. On Neo, create an OAuth client for the platform API " +
			"(subaccount cockpit → Security → OAuth → Platform API) with the scope \"Read Audit Logs\", then enter in the data " +
			"source's Audit log section: URL https://api.<region host>/auditlog/v1/accounts/<subaccount technical name>, token URL " +
			"https://api.<region host>/oauth2/apitoken/v1, the client ID and the client secret.")
	}
	return errors.New("The audit log connection is not configured. On Cloud Foundry, create an instance of the BTP service " +
		"auditlog-management (plan default) and a service key for it, then paste the key into the data source's Audit log " +
		"section (it fills url, uaa.url, uaa.clientid and uaa.clientsecret) and save.")
}

// NewClient builds the client for the audit log connection of s: its own OAuth client and service root,
// the shared TLS settings, and the audit log's own rate limit. Extra options (e.g. cpi.WithVersion) are
// applied last.
func NewClient(s settings.Settings, opts ...cpi.Option) (*cpi.Client, error) {
	conn := s.AuditLog
	if !conn.Configured() {
		return nil, NotConfiguredError(s.Environment)
	}
	var missing []string
	if strings.TrimSpace(conn.TokenURL) == "" {
		missing = append(missing, "token URL (uaa.url of the service key)")
	}
	if strings.TrimSpace(conn.ClientID) == "" {
		missing = append(missing, "client ID (uaa.clientid)")
	}
	if strings.TrimSpace(s.Secrets.AuditLogClientSecret) == "" {
		missing = append(missing, "client secret (uaa.clientsecret)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("The audit log connection is incomplete: %s missing; paste the service key again in the data source's Audit log section.", strings.Join(missing, ", "))
	}
	tokenURL, err := settings.NormalizeTokenURL(conn.TokenURL)
	if err != nil {
		return nil, fmt.Errorf("The audit log connection's %w", err)
	}
	conn.TokenURL = tokenURL
	root := ServiceRoot(conn.APIURL)
	conn.APIURL = root
	derived := s.ForConnection(conn, s.Secrets.AuditLogClientSecret)
	all := append([]cpi.Option{cpi.WithServiceRoot(root), cpi.WithRateLimit(cpi.AreaOther, DefaultRate)}, opts...)
	return cpi.New(derived, all...)
}

// Fetch reads the records of the time range, following the API's paging up to the record bound, and
// applies the query's filters.
func Fetch(ctx context.Context, c cpi.Source, o Options) (Result, error) {
	var res Result
	q := o.Query
	for field, value := range map[string]string{"category": q.Category, "user filter": q.UserContains} {
		if err := odata.CheckValue(field, value); err != nil {
			return res, err
		}
	}
	cats, err := parseCategories(q.Category)
	if err != nil {
		return res, err
	}
	if !o.To.After(o.From) {
		return res, fmt.Errorf("the time range is empty (from %s to %s)", o.From.UTC().Format(time.RFC3339), o.To.UTC().Format(time.RFC3339))
	}
	limit := o.MaxRecords
	if limit <= 0 {
		limit = DefaultMaxRecords
	}
	var recs []Record
	if o.Neo {
		recs, err = fetchNeo(ctx, c, o, cats, limit, &res)
	} else {
		recs, err = fetchCF(ctx, c, o, cats, limit, &res)
	}
	if err != nil {
		return res, err
	}
	res.Read = len(recs)
	user := strings.ToLower(strings.TrimSpace(q.UserContains))
	for _, r := range recs {
		switch {
		case q.OnlyCPI() && !r.CPI:
		case user != "" && !strings.Contains(strings.ToLower(r.User), user):
		case len(cats) > 0 && !matchesCategory(r.Category, cats):
		case !res.skipped.timed(r):
		case r.Time.Before(o.From) || r.Time.After(o.To):
		default:
			res.Records = append(res.Records, r)
		}
	}
	res.Notices = append(res.Notices, res.skipped.notices()...)
	// Newest first, as audit trails are read; the id keeps equal times in a stable order.
	slices.SortStableFunc(res.Records, func(a, b Record) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return res, nil
}

func parseCategories(s string) ([]string, error) {
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !categoryPattern.MatchString(c) {
			return nil, fmt.Errorf("category %q is not an audit log category: use one of %s (or a subcategory such as audit.data-access.<name>), several separated by commas", c, strings.Join(Categories, ", "))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// matchesCategory also accepts a record of a subcategory of a requested category.
func matchesCategory(cat string, cats []string) bool {
	for _, c := range cats {
		if cat == c || strings.HasPrefix(cat, c+".") {
			return true
		}
	}
	return false
}

// fetchCF pages through GET auditlog/v2/auditlogrecords: the first request carries the time range and
// categories, every further one only the handle from the previous response's "Paging: handle=…" header.
func fetchCF(ctx context.Context, c cpi.Source, o Options, cats []string, limit int, res *Result) ([]Record, error) {
	first := url.Values{
		"time_from": {o.From.UTC().Format(cfTimeLayout)},
		// time_to has whole seconds; rounding up keeps the last second of the range.
		"time_to": {o.To.UTC().Add(time.Second - 1).Truncate(time.Second).Format(cfTimeLayout)},
	}
	if len(cats) > 0 {
		first.Set("category", strings.Join(cats, ","))
	}
	query := first
	var out []Record
	seen := map[string]bool{}
	for {
		resp, err := c.Get(ctx, CFPath, query)
		if resp != nil {
			res.Requests = append(res.Requests, resp.URL)
		}
		if err != nil {
			// Category filtering is not available with a custom retention period or on sovereign clouds
			// (HTTP 501 filter_category_not_supported): read all categories and filter here instead.
			if res.Pages == 0 && query.Has("category") && hasStatus(err, http.StatusNotImplemented) {
				query = url.Values{"time_from": first["time_from"], "time_to": first["time_to"]}
				res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityInfo,
					Text: "This subaccount's audit log cannot filter by category on the server (custom retention or sovereign cloud); all categories were read and filtered here."})
				continue
			}
			return nil, adaptError(err, false)
		}
		recs, err := decodeCF(resp.Body, res.Pages+1, &res.skipped)
		if err != nil {
			return nil, c.Malformed(resp, err)
		}
		if len(recs) > 0 {
			res.Pages++
		}
		out = append(out, recs...)
		handle := pagingHandle(resp.Header)
		if handle == "" {
			return out, nil
		}
		if seen[handle] {
			// A handle that repeats would page forever.
			res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning,
				Text: "The audit log API returned the same paging handle twice; paging stopped there."})
			return out, nil
		}
		seen[handle] = true
		if len(out) >= limit {
			res.Notices = append(res.Notices, capNotice(limit, len(out), res.Pages))
			return out, nil
		}
		query = url.Values{"handle": {handle}}
	}
}

func decodeCF(body []byte, page int, sk *skipped) ([]Record, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 { // HTTP 204: nothing in the range
		return nil, nil
	}
	if !odata.LooksLikeJSON(b) {
		return nil, errors.New("the audit log API answered with something that is not JSON: check the audit log URL (the url of the auditlog-management service key)")
	}
	var elems []json.RawMessage
	if b[0] == '{' {
		// Tolerate a wrapper object around the records ({"results":[…]} or {"value":[…]}).
		var w struct {
			Results []json.RawMessage `json:"results"`
			Value   []json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return nil, errors.New("the audit log API answered with JSON that is not a list of records (nor {\"results\": […]})")
		}
		elems = append(w.Results, w.Value...)
	} else if err := json.Unmarshal(b, &elems); err != nil {
		return nil, errors.New("the audit log API answered with JSON that is not a list of records")
	}
	raw := decodeRecords[CFRecord](elems, page, sk)
	out := make([]Record, len(raw))
	for i, r := range raw {
		out[i] = FromCF(r)
	}
	return out, nil
}

// pagingHandle reads "Paging: handle=<value>"; the value is opaque (SAP's contains '<' and ':').
func pagingHandle(h http.Header) string {
	for _, v := range h.Values("Paging") {
		for _, part := range strings.Split(v, ";") {
			part = strings.TrimSpace(part)
			if k, val, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "handle") {
				return strings.TrimSpace(val)
			}
		}
	}
	return ""
}

// neoPage is an OData v4 collection page.
type neoPage struct {
	Value    []json.RawMessage `json:"value"`
	NextLink string            `json:"@odata.nextLink"`
}

// fetchNeo pages through the Neo AuditLogRecords (OData v4). The next link's query is replayed against
// the configured service root: SAP's example shows a next link with an internal host, and credentials
// must never go to a host other than the configured one.
func fetchNeo(ctx context.Context, c cpi.Source, o Options, cats []string, limit int, res *Result) ([]Record, error) {
	terms := []string{
		"Time ge " + odata.StringLiteral(o.From.UTC().Format(neoTimeLayout)),
		"Time le " + odata.StringLiteral(o.To.UTC().Format(neoTimeLayout)),
	}
	var catTerms []string
	for _, cat := range cats {
		catTerms = append(catTerms, odata.Eq("Category", cat))
	}
	terms = append(terms, odata.Or(catTerms...))
	query := url.Values{"$filter": {odata.And(terms...)}}
	var out []Record
	seen := map[string]bool{}
	for {
		resp, err := c.Get(ctx, NeoPath, query)
		if resp != nil {
			res.Requests = append(res.Requests, resp.URL)
		}
		if err != nil {
			return nil, adaptError(err, true)
		}
		var page neoPage
		if b := bytes.TrimSpace(resp.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &page); err != nil {
				return nil, c.Malformed(resp, errors.New("the Neo audit log API answered with something that is not an OData v4 list of records ({\"value\": […]})"))
			}
		}
		if len(page.Value) > 0 {
			res.Pages++
		}
		for _, r := range decodeRecords[NeoRecord](page.Value, res.Pages, &res.skipped) {
			out = append(out, FromNeo(r))
		}
		if page.NextLink == "" {
			return out, nil
		}
		next, err := url.Parse(page.NextLink)
		if err != nil || next.RawQuery == "" {
			return nil, fmt.Errorf("the Neo audit log API returned a next link without a query (%q): cannot read further pages", odata.Excerpt(page.NextLink, 200))
		}
		if seen[next.RawQuery] {
			res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning,
				Text: "The audit log API returned the same next link twice; paging stopped there."})
			return out, nil
		}
		seen[next.RawQuery] = true
		if len(out) >= limit {
			res.Notices = append(res.Notices, capNotice(limit, len(out), res.Pages))
			return out, nil
		}
		query = next.Query()
	}
}

func capNotice(limit, read, pages int) data.Notice {
	return data.Notice{Severity: data.NoticeSeverityWarning,
		Text: fmt.Sprintf("The time range holds more than %d audit log records; only the first %d (%d pages, oldest first) were read: narrow the time range or choose a category.", limit, read, pages)}
}

// adaptError rewrites the CPI-centred advice of pkg/cpi for the audit log service, keeping the kind and
// HTTP status (the query's response status follows them) and the server's own words.
func adaptError(err error, neo bool) error {
	e, ok := cpi.AsError(err)
	if !ok {
		return err
	}
	cp := *e
	where := "the url of the auditlog-management service key (e.g. https://auditlog-management.cfapps.<region>.hana.ondemand.com)"
	client := "the auditlog-management service key (uaa.url, uaa.clientid, uaa.clientsecret)"
	scope := "the service key must belong to an auditlog-management instance (plan default) of this subaccount"
	if neo {
		where = "https://api.<region host>/auditlog/v1/accounts/<subaccount technical name>"
		client = "the platform API OAuth client (token URL https://api.<region host>/oauth2/apitoken/v1)"
		scope = "the platform API OAuth client needs the scope \"Read Audit Logs\""
	}
	switch e.Kind {
	case cpi.KindForbidden:
		cp.Message = fmt.Sprintf("The audit log API at %s denied access (HTTP 403): %s.", e.Host, scope)
	case cpi.KindNotFound, cpi.KindEntityNotFound, cpi.KindLoginPage:
		cp.Message = fmt.Sprintf("No audit log retrieval API at %s (HTTP %d): set the audit log URL to %s.", e.Host, e.Status, where)
	case cpi.KindUnauthorized:
		cp.Message = fmt.Sprintf("The audit log API at %s rejected the access token (HTTP 401): token URL, client ID and secret must all come from %s.", e.Host, client)
	case cpi.KindRateLimited:
		cp.Message = fmt.Sprintf("The audit log API at %s is rate limiting the requests (HTTP 429): SAP allows %d requests/s per token (8 in EU10, EU20, US10, US30); refresh less often or narrow the time range.", e.Host, DefaultRate)
	case cpi.KindBadRequest:
		cp.Message = fmt.Sprintf("The audit log API at %s rejected the request (HTTP 400): check the category and the time range (at most the retention period, 30 days by default).", e.Host)
	default:
		cp.Message = "Audit log connection: " + e.Message
	}
	return cpi.WithSource(&cp)
}

func hasStatus(err error, status int) bool {
	e, ok := cpi.AsError(err)
	return ok && e.Status == status
}
