package messages

// errorGroups: failed messages (optionally also RETRY and ESCALATED) grouped by error signature (the
// error text with ids, numbers, timestamps and URLs masked, see signature.go).
//
// SAP has no bulk read of error texts: each is one request. The failed rows are listed cheaply ($select),
// then texts are read for up to maxErrorTexts messages per query (default 500) within the tenant's budget
// per refresh (store.go), newest first and spread over the iFlows so that every failing iFlow is
// represented; texts read before are kept, so each refresh reads further down the list.
// Failures whose text was not read are counted in one "error text not read" group, and a notice says so;
// the table's "estimated" column scales each signature's count, per iFlow, to the failures not read.

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

const (
	// DefaultMaxErrorTexts is the errorGroups budget of error-text requests per query.
	DefaultMaxErrorTexts = 500
	// MaxMaxErrorTexts is the largest budget accepted.
	MaxMaxErrorTexts = 5000
	// unreadSignature groups failures whose error text was not read.
	unreadSignature = "(error text not read: raise maxErrorTexts or narrow the time range)"
	// maxErrorRows bounds the failed messages listed (each costs memory, not requests).
	maxErrorRows = 200_000
)

// ErrorGroup is one signature.
type ErrorGroup struct {
	ID         string // SignatureID
	Signature  string
	Count      int      // messages whose error text has this signature
	Estimated  float64  // Count scaled per iFlow to the failures whose text was not read (= Count when all were read)
	IFlows     []string // names
	IFlowIDs   []string
	FirstSeen  time.Time
	LastSeen   time.Time
	SampleID   string // newest message
	SampleLink string
	SampleText string
}

// ErrorGroupsResult is the error groups of an errorGroups query, largest first.
type ErrorGroupsResult struct {
	Groups []ErrorGroup
	r      *run
	format models.Format
}

// FetchErrorGroups lists the failed messages of an errorGroups query and groups them by signature.
func FetchErrorGroups(ctx context.Context, st *Store, rg Range, q models.ErrorGroupsQuery) (ErrorGroupsResult, error) {
	format, err := models.ResolveFormat(models.QueryErrorGroups, q.Format)
	if err != nil {
		return ErrorGroupsResult{}, err
	}
	budget, err := intOption("maxErrorTexts", q.MaxErrorTexts, DefaultMaxErrorTexts, 0, MaxMaxErrorTexts)
	if err != nil {
		return ErrorGroupsResult{}, err
	}
	fs, err := newFilterSet(q.MessageFilters)
	if err != nil {
		return ErrorGroupsResult{}, err
	}
	statuses := []string{"FAILED"}
	if q.IncludeRetry {
		statuses = []string{"FAILED", "RETRY", "ESCALATED"}
	}
	if fs, err = fs.narrowStatuses("errorGroups", statuses); err != nil {
		return ErrorGroupsResult{}, err
	}
	r := newRun(st, rg.Now)
	r.addNotice(retentionNotice(rg))
	s := scanSpec{filters: fs, timeField: "LogEnd", w: rg.window(), desc: true, maxRows: maxErrorRows,
		fields: []string{"AlternateWebLink", "IntegrationArtifact", "LogEnd", "Status"}}
	if s.w.empty() {
		return ErrorGroupsResult{r: r, format: format}, nil
	}
	var rows []mplRow
	collect := func(page []mplRow) error {
		rows = append(rows, page...)
		return nil
	}
	res, ok, err := r.fromStore(ctx, s, collect)
	total := int64(res.read)
	if !ok {
		var p probeResult
		if p, err = r.probe(ctx, s); err != nil {
			return ErrorGroupsResult{}, err
		}
		total = p.total
		res, err = r.scan(ctx, s, p, collect)
	}
	if err != nil {
		return ErrorGroupsResult{}, err
	}
	r.set("failedMessages", total)
	if res.capped {
		r.notice(data.NoticeSeverityWarning, "Only the newest %d of %d failed messages are grouped: narrow the time range.", len(rows), total)
	}

	before := r.requestCount()
	texts := r.errorTexts(ctx, textPriority(rows), budget)
	r.set("errorTextRequests", r.requestCount()-before)

	groups := map[string]*ErrorGroup{}
	unread := 0
	// Per iFlow: failures and texts read, to scale each signature's count to the unread failures.
	failedPer, readPer := map[string]int{}, map[string]int{}
	perFlow := map[string]map[string]int{} // signature → iFlow → count
	for i := range rows {
		id := rows[i].IntegrationArtifact.ID
		failedPer[id]++
		if _, ok := texts[rows[i].MessageGuid]; ok {
			readPer[id]++
		}
	}
	for i := range rows { // newest first
		m := &rows[i]
		text, ok := texts[m.MessageGuid]
		sig := unreadSignature
		if ok {
			sig = Signature(text)
		} else {
			unread++
		}
		g := groups[sig]
		if g == nil {
			g = &ErrorGroup{ID: SignatureID(sig), Signature: sig, SampleID: m.MessageGuid, SampleLink: odata.WebLink(m.AlternateWebLink),
				SampleText: text, LastSeen: m.LogEnd.Time, FirstSeen: m.LogEnd.Time}
			if !ok {
				g.ID = "unread"
			}
			groups[sig] = g
		}
		g.Count++
		if perFlow[sig] == nil {
			perFlow[sig] = map[string]int{}
		}
		perFlow[sig][m.IntegrationArtifact.ID]++
		if m.LogEnd.Before(g.FirstSeen) {
			g.FirstSeen = m.LogEnd.Time
		}
		if m.LogEnd.After(g.LastSeen) {
			g.LastSeen = m.LogEnd.Time
		}
		id := orNone(m.IntegrationArtifact.ID)
		if !contains(g.IFlowIDs, id) {
			g.IFlowIDs = append(g.IFlowIDs, id)
			g.IFlows = append(g.IFlows, nameOr(m.IntegrationArtifact.Name, id))
		}
	}
	if unread > 0 {
		r.notice(data.NoticeSeverityInfo, "Error texts were read for %d of %d failed messages (at most %d per query, within the tenant's budget shared by every panel: %d at once, then %g a minute; texts read before are kept, so each refresh reads further): %d are in the group \"error text not read\".",
			len(rows)-unread, len(rows), budget, r.st.texts.burst, r.st.texts.perMinute, unread)
	}
	out := make([]ErrorGroup, 0, len(groups))
	for sig, g := range groups {
		for flow, n := range perFlow[sig] {
			switch {
			case sig == unreadSignature && readPer[flow] == 0:
				g.Estimated += float64(n) // an iFlow without any text read stays unexplained
			case sig != unreadSignature:
				g.Estimated += float64(n) * float64(failedPer[flow]) / float64(readPer[flow])
			}
		}
		g.Estimated = math.Round(g.Estimated)
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Estimated != out[j].Estimated {
			return out[i].Estimated > out[j].Estimated
		}
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Signature < out[j].Signature
	})
	return ErrorGroupsResult{Groups: out, r: r, format: format}, nil
}

// textPriority orders the failed messages for reading their text: round-robin over the iFlows (most
// failures first), newest first within each, so a small budget still covers every failing iFlow.
func textPriority(rows []mplRow) []string {
	byFlow := map[string][]string{}
	var flows []string
	for i := range rows { // rows are newest first
		id := rows[i].IntegrationArtifact.ID
		if _, ok := byFlow[id]; !ok {
			flows = append(flows, id)
		}
		byFlow[id] = append(byFlow[id], rows[i].MessageGuid)
	}
	sort.SliceStable(flows, func(i, j int) bool { return len(byFlow[flows[i]]) > len(byFlow[flows[j]]) })
	out := make([]string, 0, len(rows))
	for round := 0; len(out) < len(rows); round++ {
		for _, f := range flows {
			if round < len(byFlow[f]) {
				out = append(out, byFlow[f][round])
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ErrorGroupsFrames is the answer in the format FetchErrorGroups resolved: a table of the groups, one count
// per signature (numeric), or one region event per group (annotations).
func ErrorGroupsFrames(res ErrorGroupsResult, _ models.ErrorGroupsQuery, tenant string) data.Frames {
	r, groups := res.r, res.Groups
	if res.format == models.FormatNumeric {
		list := make([]series, len(groups))
		for i, g := range groups {
			list[i] = series{name: "count", labels: data.Labels{"signature": g.ID}, display: firstLine(g.Signature, 120),
				values: []float64{float64(g.Count)}}
		}
		return seriesFrames(r, tenant, data.FrameTypeNumericMulti, list)
	}
	if res.format == models.FormatAnnotations {
		return data.Frames{burstAnnotations(r, groups, tenant)}
	}
	n := len(groups)
	sigs, ids, flows, samples, links, texts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	counts, estimated := make([]float64, n), make([]float64, n)
	first, last := make([]time.Time, n), make([]time.Time, n)
	for i, g := range groups {
		estimated[i] = g.Estimated
		sigs[i], ids[i], flows[i] = g.Signature, g.ID, strings.Join(g.IFlows, ", ")
		samples[i], links[i], texts[i] = g.SampleID, g.SampleLink, g.SampleText
		counts[i], first[i], last[i] = float64(g.Count), g.FirstSeen, g.LastSeen
	}
	sample := data.NewField("sample message id", nil, samples)
	sample.Config = &data.FieldConfig{Links: monitorLink()}
	return data.Frames{tableFrame(r, "error groups", tenant,
		data.NewField("signature", nil, sigs),
		data.NewField("count", nil, counts),
		data.NewField("estimated", nil, estimated),
		data.NewField("iFlows", nil, flows),
		data.NewField("first seen", nil, first),
		data.NewField("last seen", nil, last),
		sample,
		data.NewField("sample error", nil, texts),
		data.NewField("link", nil, links),
		data.NewField("signature id", nil, ids),
	)}
}

// burstAnnotations turns each error group into a region event: a burst of identical failures from its
// first to its last occurrence, titled by the signature, with the count and iFlows as text and the iFlows
// as tags (Grafana splits a comma-separated string into tags).
func burstAnnotations(r *run, groups []ErrorGroup, tenant string) *data.Frame {
	n := len(groups)
	start, end := make([]time.Time, n), make([]time.Time, n)
	titles, texts, tags, ids := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, g := range groups {
		start[i], end[i] = g.FirstSeen, g.LastSeen
		titles[i] = firstLine(g.Signature, 120)
		noun := "failed messages"
		if g.Count == 1 {
			noun = "failed message"
		}
		texts[i] = fmt.Sprintf("%d %s in %s. Latest: %s", g.Count, noun, strings.Join(g.IFlows, ", "), firstLine(g.SampleText, 300))
		tags[i] = strings.Join(append([]string{"FAILED"}, g.IFlowIDs...), ",")
		ids[i] = g.ID
	}
	return tableFrame(r, "failure bursts", tenant,
		data.NewField("time", nil, start),
		data.NewField("timeEnd", nil, end),
		data.NewField("title", nil, titles),
		data.NewField("text", nil, texts),
		data.NewField("tags", nil, tags),
		data.NewField("signature id", nil, ids),
	)
}
