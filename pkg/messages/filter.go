package messages

// Filter building: the query range becomes a LogEnd (or LogStart) window, the multi-value filters become
// OData terms (OR within a field, AND across fields), and every user value is checked and quoted.
//
// Which time field. The range selects messages by LogEnd, the time of their last update: for a finished
// message the moment it reached its final status. That is what "failed in the last 5 minutes" means to an
// alert rule: a failure is counted in the evaluation window in which it happened, exactly once, however
// long the message ran before (a LogStart window would miss a message that started before the window and
// failed inside it). SAP's own examples filter on LogEnd the same way. stuckMessages is the exception: it
// asks for messages that started long ago and have not finished, so it filters on LogStart.
//
// Windows are half-open, [from, to): `LogEnd ge datetime'from' and LogEnd lt datetime'to'`, so adjacent
// buckets never count a message twice. datetime literals are UTC at whole seconds (odata.DateTimeLiteral),
// so windows are truncated to seconds.

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Statuses are the message processing log status values, in the order shown.
var Statuses = []string{"COMPLETED", "PROCESSING", "RETRY", "ESCALATED", "FAILED", "CANCELLED", "DISCARDED", "ABANDONED"}

// Retention is how long CPI keeps message processing logs by default.
const Retention = 30 * 24 * time.Hour

// closedAfter: a window that ended at least this long ago is "closed": its answer no longer changes
// (messages still being written may move their LogEnd for a little while), so it may be cached.
const closedAfter = time.Minute

// settleAfter and settledTTL: the settle rule (run.reqCtx).
const (
	settleAfter = 5 * time.Minute
	settledTTL  = 10 * time.Minute
)

// maxListFilterChars bounds the OR term of one multi-value filter in the URL. A longer list (a template
// variable set to "All" over hundreds of iFlows) is applied to the rows after reading instead, because
// SAP's URL length limit is not documented and a too-long URL fails the whole query.
const maxListFilterChars = 1500

// Range is what a query's options do not say: its time range, the panel interval and the current time.
type Range struct {
	From, To      time.Time
	Interval      time.Duration // panel interval (time series buckets)
	MaxDataPoints int64
	Now           time.Time
}

// window is a half-open time interval [from, to).
type window struct{ from, to time.Time }

func (w window) empty() bool { return !w.from.Before(w.to) }

// closed reports whether the window ended long enough ago for its answer to be cached.
func (w window) closed(now time.Time) bool { return !w.to.After(now.Add(-closedAfter)) }

// settled reports whether the window ended long enough ago for its answer to be kept (run.reqCtx).
func (w window) settled(now time.Time) bool { return !w.to.After(now.Add(-settleAfter)) }

// window is the range at whole seconds, cut to the retention: SAP holds nothing older, so asking for it
// would only cost requests (a 10-year range would not answer in time).
func (r Range) window() window {
	w := window{from: r.From.UTC().Truncate(time.Second), to: r.To.UTC().Truncate(time.Second)}
	if oldest := r.oldest(); !r.Now.IsZero() && w.from.Before(oldest) {
		w.from = oldest
	}
	return w
}

// oldest is the start of the retention, at a whole minute (so that refreshes within a minute agree).
func (r Range) oldest() time.Time {
	return r.Now.UTC().Add(-Retention).Truncate(time.Minute).Add(time.Minute)
}

// timeTerms is the $filter term of a window on field (LogEnd or LogStart).
func timeTerms(field string, w window) string {
	return odata.And(field+" ge "+odata.DateTimeLiteral(w.from), field+" lt "+odata.DateTimeLiteral(w.to))
}

// listField describes one multi-value filter.
type listField struct {
	option string // JSON option name, for messages
	path   string // OData property path
	values []string
}

// filterSet is the checked, quoted form of a query's filters.
type filterSet struct {
	server []string // $filter terms, ANDed
	header string   // filterCustomHeaderProperties value
	local  []localFilter

	statuses                           []string // the status filter, upper case (nil = any); see query
	iflows, packages, senders, receivs []string
	byText                             bool // a filter on ids, custom status or custom headers
}

// narrow reports whether the set selects fewer messages than the whole tenant.
func (fs *filterSet) narrow() bool {
	return len(fs.statuses)+len(fs.iflows)+len(fs.packages)+len(fs.senders)+len(fs.receivs) > 0 || fs.byText
}

// matches applies the status and list filters to a row (the row store evaluates them itself).
func (fs *filterSet) matches(m *mplRow) bool {
	in := func(values []string, v string) bool { return len(values) == 0 || slices.Contains(values, v) }
	a := &m.IntegrationArtifact
	return in(fs.statuses, m.Status) && in(fs.iflows, a.ID) && in(fs.packages, a.PackageID) &&
		in(fs.senders, m.Sender) && in(fs.receivs, m.Receiver)
}

// localFilter is a multi-value filter applied to the rows read (too long for the URL).
type localFilter struct {
	option string
	values map[string]bool
	get    func(*mplRow) string
}

func (f localFilter) keep(r *mplRow) bool { return f.values[f.get(r)] }

// intOption is an optional whole-number option: def when unset, else within [lo, hi].
func intOption(name string, v *int, def, lo, hi int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < lo || *v > hi {
		return 0, fmt.Errorf("%s must be between %d and %d, not %d", name, lo, hi, *v)
	}
	return *v, nil
}

// templateVar matches a value that is still a template variable: the frontend replaces them, so one that
// arrives here comes from an alert rule (no dashboard variables there) or a variable that does not exist.
var templateVar = regexp.MustCompile(`^(\$\w+|\$\{[^}]*\}|\[\[[^\]]*\]\])$`)

func checkValue(option, v string) error {
	if templateVar.MatchString(v) {
		return fmt.Errorf("%s contains %s, a template variable that was not replaced: alert rules and queries outside a dashboard have no dashboard variables, so give the value itself", option, v)
	}
	if err := odata.CheckValue(option, v); err != nil {
		return err
	}
	return nil
}

// allValues are what a multi-value variable set to "All" may send: Grafana's $__all, or "*" as a custom
// all value. Either means no filter (not a list of every value, which would cost a long URL or a local
// filter and leave out messages of iFlows not deployed any more).
var allValues = []string{"$__all", "*"}

// cleanList drops empty values and duplicates and checks each value; "All" is no filter (nil).
func cleanList(option string, values []string) ([]string, error) {
	for _, v := range values {
		if slices.Contains(allValues, v) {
			return nil, nil
		}
	}
	var out []string
	for _, v := range values {
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if err := checkValue(option, v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// newFilterSet checks every value and builds the OData terms. Errors name the option to fix.
func newFilterSet(f models.MessageFilters) (*filterSet, error) {
	fs := &filterSet{}
	statuses, err := cleanList("statuses", f.Statuses)
	if err != nil {
		return nil, err
	}
	for i, s := range statuses {
		up := strings.ToUpper(strings.TrimSpace(s))
		if !slices.Contains(Statuses, up) {
			return nil, fmt.Errorf("statuses: %q is not a message status; use %s", s, strings.Join(Statuses, ", "))
		}
		statuses[i] = up
	}
	statuses = slices.Compact(statuses)
	fs.statuses = statuses

	// The status term is added by query (queries narrow the statuses further, see withStatuses).
	lists := []listField{
		{"iflows", "IntegrationArtifact/Id", nil},
		{"packages", "IntegrationArtifact/PackageId", nil},
		{"senders", "Sender", nil},
		{"receivers", "Receiver", nil},
	}
	raw := [][]string{f.IFlows, f.Packages, f.Senders, f.Receivers}
	for i := range lists {
		if lists[i].values, err = cleanList(lists[i].option, raw[i]); err != nil {
			return nil, err
		}
	}
	fs.iflows, fs.packages, fs.senders, fs.receivs = lists[0].values, lists[1].values, lists[2].values, lists[3].values
	for _, l := range lists {
		if len(l.values) == 0 {
			continue
		}
		terms := make([]string, len(l.values))
		for i, v := range l.values {
			terms[i] = odata.Eq(l.path, v)
		}
		term := odata.Or(terms...)
		if len(term) <= maxListFilterChars {
			fs.server = append(fs.server, term)
			continue
		}
		set := map[string]bool{}
		for _, v := range l.values {
			set[v] = true
		}
		fs.local = append(fs.local, localFilter{option: l.option, values: set, get: rowGetter(l.option)})
	}

	texts := []struct{ option, path, value string }{
		{"messageId", "MessageGuid", f.MessageID},
		{"correlationId", "CorrelationId", f.CorrelationID},
		{"applicationMessageId", "ApplicationMessageId", f.ApplicationMessageID},
		{"applicationMessageType", "ApplicationMessageType", f.ApplicationMessageType},
		{"customStatus", "CustomStatus", f.CustomStatus},
	}
	for _, t := range texts {
		if t.value == "" {
			continue
		}
		if err := checkValue(t.option, t.value); err != nil {
			return nil, err
		}
		fs.server = append(fs.server, odata.Eq(t.path, t.value))
		fs.byText = true
	}

	switch {
	case f.CustomHeaderName != "" && f.CustomHeaderValue != "":
		for _, t := range [][2]string{{"customHeaderName", f.CustomHeaderName}, {"customHeaderValue", f.CustomHeaderValue}} {
			if err := checkValue(t[0], t[1]); err != nil {
				return nil, err
			}
		}
		// SAP's custom query option: filterCustomHeaderProperties='<name>' eq '<value>'.
		fs.header = odata.StringLiteral(f.CustomHeaderName) + " eq " + odata.StringLiteral(f.CustomHeaderValue)
	case f.CustomHeaderName != "":
		return nil, fmt.Errorf("customHeaderValue is missing: SAP filters custom header properties by name and exact value (%s = ?)", f.CustomHeaderName)
	case f.CustomHeaderValue != "":
		return nil, fmt.Errorf("customHeaderName is missing: SAP filters custom header properties by name and exact value")
	}
	return fs, nil
}

func rowGetter(option string) func(*mplRow) string {
	switch option {
	case "iflows":
		return func(r *mplRow) string { return r.IntegrationArtifact.ID }
	case "packages":
		return func(r *mplRow) string { return r.IntegrationArtifact.PackageID }
	case "senders":
		return func(r *mplRow) string { return r.Sender }
	default:
		return func(r *mplRow) string { return r.Receiver }
	}
}

// localFields are the $select fields the local filters need.
func (fs *filterSet) localFields() []string {
	var out []string
	for _, l := range fs.local {
		switch l.option {
		case "iflows", "packages":
			out = append(out, "IntegrationArtifact")
		case "senders":
			out = append(out, "Sender")
		case "receivers":
			out = append(out, "Receiver")
		}
	}
	return out
}

// keep applies the local filters to a row.
func (fs *filterSet) keep(r *mplRow) bool {
	for _, l := range fs.local {
		if !l.keep(r) {
			return false
		}
	}
	return true
}

// withStatuses returns a copy filtering on the given statuses instead (nil = any status).
func (fs *filterSet) withStatuses(statuses []string) *filterSet {
	cp := *fs
	cp.statuses = statuses
	return &cp
}

// narrowStatuses intersects the query's status filter with the statuses a query type looks at; an empty
// intersection is the user's mistake and is explained.
func (fs *filterSet) narrowStatuses(queryType string, allowed []string) (*filterSet, error) {
	if len(fs.statuses) == 0 {
		return fs.withStatuses(allowed), nil
	}
	var out []string
	for _, s := range fs.statuses {
		if slices.Contains(allowed, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("statuses: %s looks at %s messages only; remove %s from the status filter",
			queryType, strings.Join(allowed, " and "), strings.Join(fs.statuses, ", "))
	}
	return fs.withStatuses(out), nil
}

// query is the OData query for a window on timeField with extra terms (ANDed).
func (fs *filterSet) query(timeField string, w window, extra ...string) url.Values {
	terms := slices.Clone(fs.server)
	if len(fs.statuses) > 0 {
		terms = append(terms, statusTerm(fs.statuses))
	}
	terms = append(terms, timeTerms(timeField, w))
	terms = append(terms, extra...)
	q := url.Values{"$filter": {odata.And(terms...)}}
	if fs.header != "" {
		q.Set("filterCustomHeaderProperties", fs.header)
	}
	return q
}

// statusTerm is the OR of Status eq … for the given statuses.
func statusTerm(statuses []string) string {
	terms := make([]string, len(statuses))
	for i, s := range statuses {
		terms[i] = odata.Eq("Status", s)
	}
	return odata.Or(terms...)
}

// retentionNotice says that the range was cut to the retention (see window).
func retentionNotice(r Range) *data.Notice {
	oldest := r.oldest()
	if r.Now.IsZero() || !r.From.Before(oldest) {
		return nil
	}
	return &data.Notice{Severity: data.NoticeSeverityWarning,
		Text: fmt.Sprintf("SAP Cloud Integration keeps message processing logs for 30 days by default: the range starts %s and was cut to start at %s.",
			r.From.UTC().Format("2006-01-02 15:04 UTC"), oldest.UTC().Format("2006-01-02 15:04 UTC"))}
}
