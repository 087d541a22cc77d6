package simulator

import (
	"container/heap"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/simulator/oquery"
)

// allStatuses are the MPL status values in ascending order.
var allStatuses = []string{"ABANDONED", "CANCELLED", "COMPLETED", "DISCARDED", "ESCALATED", "FAILED", "PROCESSING", "RETRY"}

// maxSortRows bounds in-memory sorting for orders that cannot be streamed.
const maxSortRows = 1_000_000

// mplSpec lists what $filter/$select/$orderby/$expand may name on MessageProcessingLogs.
var mplSpec = func() setSpec {
	s := setSpec{navs: mplNavs, props: slices.Clone(mplProperties)}
	for _, m := range []string{"Id", "Name", "Type", "PackageId", "PackageName"} {
		s.props = append(s.props, "IntegrationArtifact/"+m)
	}
	return s
}()

// headerCond is one condition of filterCustomHeaderProperties='name' eq 'value'.
type headerCond struct{ name, value string }

// parseHeaderFilter parses the custom query option: one or more 'name' eq 'value' joined by "and".
func parseHeaderFilter(s string) ([]headerCond, error) {
	var out []headerCond
	rest := strings.TrimSpace(s)
	for {
		name, r1, err := quoted(rest)
		if err != nil {
			return nil, err
		}
		r1 = strings.TrimSpace(r1)
		if !strings.HasPrefix(r1, "eq ") {
			return nil, fmt.Errorf("expected 'eq' after '%s'", name)
		}
		value, r2, err := quoted(strings.TrimSpace(r1[3:]))
		if err != nil {
			return nil, err
		}
		out = append(out, headerCond{name, value})
		r2 = strings.TrimSpace(r2)
		if r2 == "" {
			return out, nil
		}
		if !strings.HasPrefix(r2, "and ") {
			return nil, fmt.Errorf("unexpected '%s'", r2)
		}
		rest = strings.TrimSpace(r2[4:])
	}
}

func quoted(s string) (string, string, error) {
	if !strings.HasPrefix(s, "'") {
		return "", "", fmt.Errorf("a quoted string is expected at '%s'", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), s[i+1:], nil
		}
		b.WriteByte(s[i])
	}
	return "", "", fmt.Errorf("unterminated string")
}

func (m *msg) matchHeaders(conds []headerCond) bool {
	for _, c := range conds {
		found := false
		for i, name := range m.flow.headers {
			if name == c.name && m.headerValue(i, name) == c.value {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// mplQuery is a prepared message query: the LogStart range to generate and the row predicate.
type mplQuery struct {
	g         *generator
	nowMs     int64
	fromMs    int64 // LogStart range [fromMs, toMs)
	toMs      int64
	filter    oquery.Expr
	headers   []headerCond
	guids     []string // MessageGuid eq … fast path
	errorOnly bool     // only messages with error information
	status    string   // only messages with this status ("" = any); used for Status-first orders
}

func (c *call) prepareMPL() (*mplQuery, bool) {
	q := &mplQuery{g: c.t.gen, nowMs: c.now.UnixMilli(), filter: c.o.Filter}
	q.fromMs = q.nowMs - retention.Milliseconds()
	q.toMs = q.nowMs + 1
	if from, to := oquery.TimeBounds(c.o.Filter, "LogStart"); true {
		if from != nil {
			q.fromMs = max(q.fromMs, ceilMs(*from))
		}
		if to != nil {
			q.toMs = min(q.toMs, ceilMs(*to))
		}
	}
	if from, to := oquery.TimeBounds(c.o.Filter, "LogEnd"); true {
		if from != nil {
			q.fromMs = max(q.fromMs, ceilMs(*from)-maxDuration.Milliseconds())
		}
		if to != nil {
			q.toMs = min(q.toMs, ceilMs(*to))
		}
	}
	if s, ok := c.o.Custom["filterCustomHeaderProperties"]; ok {
		conds, err := parseHeaderFilter(s)
		if err != nil {
			c.fail(http.StatusBadRequest, oquery.CodeBadRequest, "Invalid value for query option filterCustomHeaderProperties: "+err.Error())
			return nil, false
		}
		q.headers = conds
	}
	if eq := oquery.Equalities(c.o.Filter); eq != nil {
		if vals, ok := eq["MessageGuid"]; ok {
			q.guids = []string{}
			for _, v := range vals {
				if s, ok := v.(string); ok {
					q.guids = append(q.guids, s)
				}
			}
		}
	}
	return q, true
}

// ceilMs converts a bound to milliseconds, rounding up (TimeBounds may add a nanosecond for gt/le).
func ceilMs(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

func (q *mplQuery) match(m *msg) (bool, error) {
	if q.errorOnly && m.errKind < 0 {
		return false, nil
	}
	if q.status != "" && m.status != q.status {
		return false, nil
	}
	if m.startMs < q.fromMs || m.startMs >= q.toMs {
		return false, nil
	}
	ok, err := oquery.Match(q.filter, m)
	if err != nil || !ok {
		return false, err
	}
	if len(q.headers) > 0 && !m.matchHeaders(q.headers) {
		return false, nil
	}
	return true, nil
}

// scanStart calls fn for every generated message with LogStart in the query range, in LogStart order
// (descending with desc). fn returns false to stop.
func (q *mplQuery) scanStart(desc bool, fn func(m *msg) bool) {
	if q.fromMs >= q.toMs {
		return
	}
	first, last := floorDiv(q.fromMs, minuteMs), floorDiv(q.toMs-1, minuteMs)
	var m msg
	step := int64(1)
	minute := first
	if desc {
		step, minute = -1, last
	}
	for ; minute >= first && minute <= last; minute += step {
		n := q.g.count(minute)
		for k := 0; k < n; k++ {
			idx := k
			if desc {
				idx = n - 1 - k
			}
			if !q.g.fill(&m, minute, idx, n, q.nowMs) {
				continue
			}
			if m.startMs < q.fromMs || m.startMs >= q.toMs {
				continue
			}
			if !fn(&m) {
				return
			}
		}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// endRef is a buffered message in LogEnd-ordered streaming: just its sort keys and its generator key
// (the message is rebuilt when emitted), so minutes of traffic fit in little memory.
type endRef struct {
	endMs, startMs int64
	minute         int64
	idx, n         int32
}

// endHeap orders buffered messages by LogEnd (then LogStart).
type endHeap struct {
	items []endRef
	desc  bool
}

func (h *endHeap) Len() int { return len(h.items) }
func (h *endHeap) Less(i, j int) bool {
	a, b := &h.items[i], &h.items[j]
	if a.endMs != b.endMs {
		return (a.endMs < b.endMs) != h.desc
	}
	return (a.startMs < b.startMs) != h.desc
}
func (h *endHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *endHeap) Push(x any)    { h.items = append(h.items, x.(endRef)) }
func (h *endHeap) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	h.items = h.items[:n]
	return x
}

// run streams the matching messages in the requested order, calling emit until it returns false. It
// never holds more than a few minutes of messages, except for orders other than LogStart/LogEnd, which
// are sorted in memory.
func (q *mplQuery) run(order []oquery.OrderTerm, emit func(m *msg) bool) error {
	var ferr error
	matchThen := func(next func(m *msg) bool) func(m *msg) bool {
		return func(m *msg) bool {
			ok, err := q.match(m)
			if err != nil {
				ferr = err
				return false
			}
			if !ok {
				return true
			}
			return next(m)
		}
	}
	if q.guids != nil {
		// Direct lookups: ids encode their bucket. Results follow the order of the generated stream.
		var rows []oquery.Entity
		for _, id := range q.guids {
			var m msg
			if q.g.lookup(id, q.nowMs, &m) {
				ok, err := q.match(&m)
				if err != nil {
					return err
				}
				if ok {
					mm := m
					rows = append(rows, &mm)
				}
			}
		}
		oquery.Sort(rows, append(order, oquery.OrderTerm{Path: "LogStart"}))
		for _, r := range rows {
			if !emit(r.(*msg)) {
				break
			}
		}
		return nil
	}
	first := oquery.OrderTerm{Path: "LogStart"}
	if len(order) > 0 {
		first = order[0]
	}
	switch first.Path {
	case "LogStart":
		q.scanStart(first.Desc, matchThen(emit))
		return ferr
	case "LogEnd":
		h := &endHeap{desc: first.Desc}
		stopped := false
		curMinute := int64(-1 << 62)
		var out msg
		pop := func() *msg {
			r := heap.Pop(h).(endRef)
			q.g.fill(&out, r.minute, int(r.idx), int(r.n), q.nowMs)
			return &out
		}
		q.scanStart(first.Desc, matchThen(func(m *msg) bool {
			if m.minute != curMinute {
				curMinute = m.minute
				b := m.minute * minuteMs
				for h.Len() > 0 {
					top := &h.items[0]
					ready := top.endMs < b
					if first.Desc {
						ready = top.endMs >= b+minuteMs+maxDuration.Milliseconds()
					}
					if !ready {
						break
					}
					if !emit(pop()) {
						stopped = true
						return false
					}
				}
			}
			heap.Push(h, endRef{endMs: m.endMs, startMs: m.startMs, minute: m.minute, idx: int32(m.idx), n: int32(m.n)})
			return true
		}))
		if ferr != nil {
			return ferr
		}
		for !stopped && h.Len() > 0 {
			if !emit(pop()) {
				break
			}
		}
		return nil
	}
	if first.Path == "Status" && len(order) > 1 && (order[1].Path == "LogStart" || order[1].Path == "LogEnd") {
		// SAP's documented "Status,LogEnd desc": one streamed pass per status value, in status order.
		statuses := slices.Clone(allStatuses)
		if first.Desc {
			slices.Reverse(statuses)
		}
		stopped := false
		for _, s := range statuses {
			sub := *q
			sub.status = s
			err := sub.run(order[1:], func(m *msg) bool {
				if !emit(m) {
					stopped = true
					return false
				}
				return true
			})
			if err != nil || stopped {
				return err
			}
		}
		return nil
	}
	// Other orders: materialise the matches and sort them, within a bound (SAP limits a request's
	// execution time; the simulator limits its memory).
	var rows []oquery.Entity
	q.scanStart(false, matchThen(func(m *msg) bool {
		if len(rows) >= maxSortRows {
			ferr = &oquery.Error{Status: http.StatusBadRequest, Code: oquery.CodeBadRequest,
				Message: fmt.Sprintf("More than %d messages match; ordering them by %s exceeds the maximum execution time. Narrow the time window or order by LogStart or LogEnd.", maxSortRows, first.Path)}
			return false
		}
		mm := *m
		rows = append(rows, &mm)
		return true
	}))
	if ferr != nil {
		return ferr
	}
	oquery.Sort(rows, order)
	for _, r := range rows {
		if !emit(r.(*msg)) {
			break
		}
	}
	return nil
}

// serveMPL answers everything under /MessageProcessingLogs.
func (c *call) serveMPL() {
	segs := c.segs
	if !segs[0].hasKey {
		switch {
		case len(segs) == 1:
			c.mplCollection(false)
		case len(segs) == 2 && segs[1].name == "$count":
			c.mplCollection(true)
		default:
			c.notFound()
		}
		return
	}
	id, ok := singleKey(segs[0].key)
	var m msg
	if !ok || !c.t.gen.lookup(id, c.now.UnixMilli(), &m) {
		c.notFound()
		return
	}
	if len(segs) == 1 {
		e := m.entity(c.root)
		c.expandMPL(e, &m)
		c.writeEntity(e)
		return
	}
	c.serveMPLSub(&m, segs[1:])
}

func (c *call) mplCollection(countOnly bool) {
	if !c.validate(mplSpec) {
		return
	}
	q, ok := c.prepareMPL()
	if !ok {
		return
	}
	// Validate the filter's types once even when the window is empty (e.g. Status eq 1 is a 400).
	var proto msg
	c.t.gen.fill(&proto, floorDiv(q.nowMs, minuteMs)-60, 0, 1, q.nowMs)
	if _, err := oquery.Match(q.filter, &proto); err != nil {
		c.queryError(err)
		return
	}
	if countOnly {
		var n int64
		if err := q.run(nil, func(*msg) bool { n++; return true }); err != nil {
			c.queryError(err)
			return
		}
		c.writeCount(n)
		return
	}
	w, ok := c.pageWindow()
	if !ok {
		return
	}
	pe := w.pageEnd()
	var page []msg
	var total int64
	more := false
	err := q.run(c.o.OrderBy, func(m *msg) bool {
		i := int(total)
		total++
		if w.end >= 0 && i >= w.end {
			return c.o.InlineCount
		}
		if i >= w.begin && i < pe {
			page = append(page, *m)
		} else if i >= pe {
			more = true
			if !c.o.InlineCount {
				return false
			}
		}
		return true
	})
	if err != nil {
		c.queryError(err)
		return
	}
	next := ""
	if more {
		next = c.nextLink(w.tokenOff + (pe - w.begin))
	}
	count := int64(-1)
	if c.o.InlineCount {
		count = total
	}
	rows := make([]*entity, len(page))
	for i := range page {
		rows[i] = page[i].entity(c.root)
		c.expandMPL(rows[i], &page[i])
	}
	c.writeFeed("MessageProcessingLogs", rows, count, next)
}

// expandMPL loads the expanded navigation properties of one message entry.
func (c *call) expandMPL(e *entity, m *msg) {
	c.t.hostileMessageLink(e)
	for _, x := range c.o.Expand {
		for i := range e.navs {
			if e.navs[i].name != x {
				continue
			}
			switch x {
			case "CustomHeaderProperties":
				e.navs[i].rows = m.customHeaderEntities()
			case "AdapterAttributes":
				e.navs[i].rows = m.adapterAttributeEntities()
			case "ErrorInformation":
				if ei := m.errorInfoEntity(); ei != nil {
					e.navs[i].rows = []*entity{ei}
				}
			case "Attachments":
				e.navs[i].rows = m.attachmentEntities()
			case "MessageStoreEntries":
				e.navs[i].rows = m.storeEntryEntities()
			case "Runs":
				e.navs[i].rows = m.runEntities()
			}
		}
	}
}

func (c *call) serveMPLSub(m *msg, segs []seg) {
	switch segs[0].name {
	case "ErrorInformation":
		ei := m.errorInfoEntity()
		if ei == nil {
			c.notFound()
			return
		}
		switch {
		case len(segs) == 1:
			c.writeEntity(ei)
		case len(segs) == 2 && segs[1].name == "$value":
			c.writeErrorText(m.errorText())
		default:
			c.notFound()
		}
		return
	}
	var rows []*entity
	var spec setSpec
	switch segs[0].name {
	case "CustomHeaderProperties":
		rows, spec = m.customHeaderEntities(), customHeaderSpec
	case "AdapterAttributes":
		rows, spec = m.adapterAttributeEntities(), adapterAttrSpec
	case "Attachments":
		rows, spec = m.attachmentEntities(), attachmentSpec
	case "MessageStoreEntries":
		rows, spec = m.storeEntryEntities(), storeEntrySpec
	case "Runs":
		rows, spec = m.runEntities(), runSpec
	default:
		c.notFound()
		return
	}
	switch {
	case len(segs) == 1:
		c.serveEntities(rows, spec, false)
	case len(segs) == 2 && segs[1].name == "$count":
		c.serveEntities(rows, spec, true)
	default:
		c.notFound()
	}
}

// serveMPLErrorInformations answers /MessageProcessingLogErrorInformations (collection, key, $value).
func (c *call) serveMPLErrorInformations() {
	segs := c.segs
	if segs[0].hasKey {
		id, ok := singleKey(segs[0].key)
		var m msg
		if !ok || !c.t.gen.lookup(id, c.now.UnixMilli(), &m) || m.errKind < 0 {
			c.notFound()
			return
		}
		switch {
		case len(segs) == 1:
			c.writeEntity(m.errorInfoEntity())
		case len(segs) == 2 && segs[1].name == "$value":
			c.writeErrorText(m.errorText())
		default:
			c.notFound()
		}
		return
	}
	if len(segs) > 2 || (len(segs) == 2 && segs[1].name != "$count") {
		c.notFound()
		return
	}
	if !c.validate(errorInfoSpec) {
		return
	}
	q, ok := c.prepareMPL()
	if !ok {
		return
	}
	q.errorOnly = true
	// The predicate here is on error-information properties, not on the log: evaluate it on the
	// error-information entity.
	filter := q.filter
	q.filter = nil
	var rows []*entity
	var ferr error
	q.scanStart(false, func(m *msg) bool {
		if m.errKind < 0 {
			return true
		}
		e := m.errorInfoEntity()
		ok, err := oquery.Match(filter, e)
		if err != nil {
			ferr = err
			return false
		}
		if ok {
			rows = append(rows, e)
		}
		return true
	})
	if ferr != nil {
		c.queryError(ferr)
		return
	}
	c.serveEntities(rows, errorInfoSpec, len(segs) == 2)
}

// ---- message sub-entities ----

var (
	errorInfoSpec    = setSpec{props: []string{"MessageGuid", "Type", "LastErrorModelStepId"}}
	customHeaderSpec = setSpec{props: []string{"Id", "Name", "Value"}, navs: []string{"Log"}}
	adapterAttrSpec  = setSpec{props: []string{"Id", "AdapterId", "AdapterMessageId", "Name", "Value"}, navs: []string{"MessageProcessingLog"}}
	attachmentSpec   = setSpec{props: []string{"Id", "MessageGuid", "TimeStamp", "Name", "ContentType", "PayloadSize"}}
	storeEntrySpec   = setSpec{props: []string{"Id", "MessageGuid", "MessageStoreId", "TimeStamp", "HasAttachments"}, navs: []string{"Attachments", "Properties"}}
	runSpec          = setSpec{props: []string{"Id", "RunStart", "RunStop", "LogLevel", "OverallState", "ProcessId"}, navs: []string{"RunSteps"}}
)

func (m *msg) errorInfoEntity() *entity {
	if m.errKind < 0 {
		return nil
	}
	guid := m.guid()
	return &entity{set: "MessageProcessingLogErrorInformations", key: keyString(guid),
		typ: "com.sap.hci.api.MessageProcessingLogErrorInformation", media: "text/plain",
		props: []prop{{"MessageGuid", guid}, {"Type", "text/plain"}, {"LastErrorModelStepId", m.lastErrorStep()}},
		navs:  []navLink{{name: "MessageProcessingLog", hidden: true}},
	}
}

func (m *msg) customHeaderEntities() []*entity {
	hs := m.headers()
	rows := make([]*entity, 0, len(hs))
	for i, kv := range hs {
		id := strconv.FormatUint(mix(m.h, 0x90, uint64(i))%1_000_000_000, 10)
		rows = append(rows, &entity{set: "MessageProcessingLogCustomHeaderProperties", key: keyString(id),
			typ:   "com.sap.hci.api.MessageProcessingLogCustomHeaderProperty",
			props: []prop{{"Id", id}, {"Name", kv[0]}, {"Value", kv[1]}},
			navs:  []navLink{{name: "Log", hidden: true}},
		})
	}
	return rows
}

func (m *msg) adapterAttributeEntities() []*entity {
	f := m.flow
	type attr struct{ adapter, name, value string }
	var attrs []attr
	corrID := m.correlationID()
	switch f.senderAdapter {
	case "Timer", "":
	default:
		attrs = append(attrs, attr{f.senderAdapter + " Sender", "SAP_MplCorrelationId", corrID})
	}
	if f.receiver != "" {
		code := "200"
		switch m.errKind {
		case errHTTP500:
			code = "500"
		case errAuth:
			code = "401"
		}
		attrs = append(attrs, attr{f.adapter + " Receiver", "ResponseCode", code})
		attrs = append(attrs, attr{f.adapter + " Receiver", "Address", f.receiverURL})
	}
	rows := make([]*entity, 0, len(attrs))
	for i, a := range attrs {
		id := strconv.FormatUint(mix(m.h, 0x91, uint64(i))%1_000_000_000, 10)
		rows = append(rows, &entity{set: "MessageProcessingLogAdapterAttributes", key: keyString(id),
			typ: "com.sap.hci.api.MessageProcessingLogAdapterAttribute",
			props: []prop{{"Id", id}, {"AdapterId", a.adapter},
				{"AdapterMessageId", "<" + uuidFrom(mix(m.h, 0x92, uint64(i))) + "@" + strings.ReplaceAll(f.id, "_", "") + ">"},
				{"Name", a.name}, {"Value", a.value}},
			navs: []navLink{{name: "MessageProcessingLog", hidden: true}},
		})
	}
	return rows
}

// attachmentEntities: failed messages carry the failing payload as an attachment (as iFlows commonly
// do in their exception subprocess); trace-level flows attach their request.
func (m *msg) attachmentEntities() []*entity {
	var names []string
	if m.errKind >= 0 {
		names = append(names, "ErrorPayload")
	}
	if m.flow.logLevel == "TRACE" {
		names = append(names, "Request")
	}
	rows := make([]*entity, 0, len(names))
	for i, name := range names {
		id := "sap-it-res:msg:" + hexN(mix(m.h, 0x93), 9) + ":" + uuidFrom(mix(m.h, 0x94, uint64(i)))
		rows = append(rows, &entity{set: "MessageProcessingLogAttachments", key: keyString(id),
			typ: "com.sap.hci.api.MessageProcessingLogAttachment", media: "text/plain",
			props: []prop{{"Id", id}, {"MessageGuid", m.guid()}, {"TimeStamp", m.time(m.endMs)},
				{"Name", name}, {"ContentType", "text/plain"}, {"PayloadSize", strconv.FormatUint(200+mix(m.h, 0x95, uint64(i))%50000, 10)}},
			navs: []navLink{{name: "MessageProcessingLog", hidden: true}},
		})
	}
	return rows
}

// storeEntryEntities: flows with a Persist step (every fifth) keep the payload in the message store.
func (m *msg) storeEntryEntities() []*entity {
	if m.flow.idx%5 != 0 || m.status != "COMPLETED" {
		return []*entity{}
	}
	id := "sap-it-res:msg:" + hexN(mix(m.h, 0x96), 9) + ":" + uuidFrom(mix(m.h, 0x97))
	return []*entity{{set: "MessageStoreEntries", key: keyString(id), typ: "com.sap.hci.api.MessageStoreEntry",
		media: "application/octet-stream",
		props: []prop{{"Id", id}, {"MessageGuid", m.guid()}, {"MessageStoreId", "Persist1"}, {"TimeStamp", m.time(m.endMs)}, {"HasAttachments", false}},
		navs:  []navLink{{name: "Attachments", many: true}, {name: "Properties", many: true}},
	}}
}

func (m *msg) runEntities() []*entity {
	state := m.status
	id := hexN(mix(m.h, 0x98), 32)
	return []*entity{{set: "MessageProcessingLogRuns", key: keyString(id), typ: "com.sap.hci.api.MessageProcessingLogRun",
		props: []prop{{"Id", id}, {"RunStart", m.time(m.startMs)}, {"RunStop", m.time(m.endMs)}, {"LogLevel", m.logLevel()},
			{"OverallState", state}, {"ProcessId", hexN(mix(m.h, 0x99), 24)}},
		navs: []navLink{{name: "RunSteps", many: true}},
	}}
}
