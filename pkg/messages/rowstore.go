package messages

// The row store: the tenant's message processing logs, one block per minute of LogEnd (aligned to absolute
// time), each row compact (about 32 bytes), shared by every message panel, annotation and alert rule of
// the data source instance. A dashboard's counts, durations and error groups are answered from the rows
// of their range, so one scan of the window serves all of them, and a refresh reads only the minutes
// that may still change.
//
// The settle rule. SAP writes a log when a message's step ends, sometimes a little after its LogEnd, and a
// RETRY or PROCESSING message moves its LogEnd forward at every retry. A message that moves gets a LogEnd
// after the last read, so the next read of the open edge finds it, and it is removed from the minute it
// was in (counted once, where the tenant has it now). What a later read of an ended minute can still
// find is only a log written late. So a minute read while it was running is reused for edgeFresh (30 s on
// the query clock); a minute read after it ended is reused until it has settled (settleAfter, 5 minutes
// after its end) and is then read once more; a minute read once settled is kept until memory needs the
// room (oldest minute first) or it leaves the tenant's retention. A retry may also end in place (FAILED at
// the same LogEnd): checkMoving lists the RETRY and PROCESSING messages the store holds, at most every
// edgeFresh, and has the minutes of those that changed read again.
//
// Sharing. A query claims the minutes it needs that no one has read or is reading, reads them with one
// listing per run of consecutive minutes ($select of the union of the fields the message queries use, no
// filter: the store holds the whole tenant), and waits for the minutes other queries are reading. Twelve
// panels asking for the same six hours read it once.
//
// When it answers. A query whose filters the rows can evaluate (statuses, iFlows, packages, senders,
// receivers; not message ids, correlation ids or custom headers) and whose time field is LogEnd:
//   - unfiltered: always, unless the minutes to read hold more than defaultFillRows messages (the probe says so;
//     the query then asks the tenant directly with its own filters, which is cheaper for it alone, and
//     the store reads up to aheadRows of the window's newest missing minutes, so that a long
//     window asked for again and again is held after a few evaluations);
//   - filtered: when at most maxGapMinutes are missing and they are expected to hold at most maxGapPages
//     pages, so a filtered query never reads the whole tenant for itself, but uses what a dashboard keeps
//     fresh.
//
// The messages list is answered from the store when it asks only for statuses other than COMPLETED (the
// failed messages of a dashboard): those rows keep every field the list shows.
//
// Memory: maxBytes (DefaultStoreBytes) bounds the rows, the ids, links, application ids and types and
// custom statuses of the rows that are not COMPLETED (the only ones error texts, moves and the list
// need), and the interned names; 48 hours at a million messages a day, 5 % of them not COMPLETED, take
// about 91 MiB (BenchmarkRowStore48h).

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
)

const (
	// DefaultStoreBytes bounds the memory of the row store.
	DefaultStoreBytes = 96 << 20
	// defaultFillRows bounds the messages one query may read to fill the store.
	defaultFillRows = 600_000
	// edgeFresh is how long a minute read before it settled is reused.
	edgeFresh = 30 * time.Second
	// defaultAheadRows bounds the rows read ahead of need (fillAhead), per minute of the query clock;
	// aheadTimeout bounds one read ahead.
	defaultAheadRows = 250_000
	aheadTimeout     = 2 * time.Minute
	// maxGapMinutes and maxGapPages bound what a filtered query reads to use the store.
	maxGapMinutes = 10
	maxGapPages   = 10
	// storedRowBytes is the size of a storedRow; rowExtraBytes what an extra costs besides its strings.
	storedRowBytes = 32
	rowExtraBytes  = 64
	// noDuration marks a row without LogStart; droppedStatus a row replaced within its read.
	noDuration    = -1 << 31
	droppedStatus = 0xFFFF
)

// storeFields are the fields the store keeps ($select of the union of what the message query types
// read): the messages list's too, which the store answers for statuses other than COMPLETED.
var storeFields = []string{"AlternateWebLink", "ApplicationMessageId", "ApplicationMessageType", "CorrelationId", "CustomStatus",
	"IntegrationArtifact", "LogEnd", "LogStart", "Receiver", "Sender", "Status"}

// storedRow is one message, compact: strings are interned in the store.
type storedRow struct {
	end      int64  // LogEnd, Unix milliseconds
	dur      int32  // LogEnd − LogStart in milliseconds; noDuration without a LogStart
	flow     uint32 // index in rowStore.flows
	sender   uint32 // index in rowStore.strs
	receiver uint32
	extra    uint32 // 1 + index in minuteBlock.extras; 0 for a COMPLETED message
	status   uint16 // index in rowStore.statuses
}

// rowExtra is kept for messages that are not COMPLETED: the id (error texts, moves), the monitor link and
// what else the messages list shows: the correlation id, application id and type and custom status, one
// after the other in one string (one allocation, one header), cut at cuts; and what the duration of a
// message that ran longer than a row's dur holds (24.8 days: a retry may last weeks) exceeds it by, so the
// list shows its LogStart as the tenant has it (in the struct's padding: no more room).
type rowExtra struct {
	guid, link string
	list       string
	cuts       [3]uint32
	beyond     int32 // milliseconds beyond storedRow.dur
}

func newRowExtra(m *mplRow) *rowExtra {
	parts := [4]string{m.CorrelationID, m.ApplicationMessageID, m.ApplicationMessageType, m.CustomStatus}
	e := &rowExtra{guid: m.MessageGuid, link: m.AlternateWebLink, list: strings.Join(parts[:], "")}
	n := 0
	for i := range e.cuts {
		n += len(parts[i])
		e.cuts[i] = uint32(n) //nolint:gosec // a field of one decoded page, far below 4 GiB
	}
	return e
}

// fill sets the row's fields kept in the extra.
func (e *rowExtra) fill(m *mplRow) {
	c := e.cuts
	m.MessageGuid, m.AlternateWebLink = e.guid, e.link
	m.CorrelationID, m.ApplicationMessageID = e.list[:c[0]], e.list[c[0]:c[1]]
	m.ApplicationMessageType, m.CustomStatus = e.list[c[1]:c[2]], e.list[c[2]:]
}

// minuteBlock holds the messages whose LogEnd is in one minute. Blocks are never changed once stored:
// a change replaces the block, so readers may use a block after releasing the lock.
type minuteBlock struct {
	rows   []storedRow
	extras []rowExtra
	readAt time.Time // query clock of the read
	bytes  int64
	// changed is the check (rowStore.gen) that last changed the block, 0 if none: a read that began
	// before it may have listed the minute before that change (see filler.commit).
	changed uint64
}

// valid reports whether the block may answer a query at now (the settle rule): read once settled, it
// holds for good; read after the minute ended, only logs written late can still appear (a message that
// moves shows up in a later minute, which the store reads anyway), so it holds until the minute settles
// and is read once more; read while the minute was running, it holds for edgeFresh.
func (b *minuteBlock) valid(minute int64, now time.Time) bool {
	end := time.UnixMilli((minute + 1) * 60_000)
	switch {
	case b.readAt.After(now.Add(time.Minute)):
		return false // read by a clock ahead of this query's (a step back): it may have missed what came since
	case !b.readAt.Before(end.Add(settleAfter)):
		return true
	case !b.readAt.Before(end):
		return now.Before(end.Add(settleAfter))
	}
	return now.Sub(b.readAt) < edgeFresh
}

// names are the interned values of the store; append-only, so a snapshot stays valid.
type names struct {
	flows    interner[artifactRef]
	strs     interner[string]
	statuses interner[string]
	bytes    int64
}

func newNames() *names { return &names{} }

func (n *names) flow(a artifactRef) uint32 {
	i, added := n.flows.intern(a)
	if added {
		n.bytes += int64(2*(len(a.ID)+len(a.Name)+len(a.PackageID)+len(a.PackageName))) + 128
	}
	return i
}

func (n *names) str(s string) uint32 {
	i, added := n.strs.intern(s)
	if added {
		n.bytes += int64(2*len(s)) + 64
	}
	return i
}

// status interns a status; ok is false beyond 65 535 distinct values (a hostile tenant).
func (n *names) status(s string) (uint16, bool) {
	if _, known := n.statuses.index[s]; !known && len(n.statuses.vals) >= droppedStatus {
		return 0, false
	}
	i, added := n.statuses.intern(s)
	if added {
		n.bytes += int64(2*len(s)) + 64
	}
	return uint16(i), true //nolint:gosec // below droppedStatus, checked above
}

// compact is a message row as the store keeps it, with its extra for a message that is not COMPLETED;
// ok is false for a status beyond the store's bound (a hostile tenant).
func (n *names) compact(row *mplRow) (sr storedRow, extra *rowExtra, ok bool) {
	st, ok := n.status(row.Status)
	if !ok {
		return sr, nil, false
	}
	sr = storedRow{end: row.LogEnd.UnixMilli(), dur: noDuration, flow: n.flow(row.IntegrationArtifact),
		sender: n.str(row.Sender), receiver: n.str(row.Receiver), status: st}
	var d int64
	if !row.LogStart.IsZero() {
		d = row.LogEnd.Sub(row.LogStart.Time).Milliseconds()
		sr.dur = int32(min(max(d, noDuration+1), 1<<31-1))
	}
	if row.Status != "COMPLETED" {
		extra = newRowExtra(row)
		if sr.dur != noDuration {
			extra.beyond = int32(min(max(d-int64(sr.dur), -1<<31), 1<<31-1))
		}
	}
	return sr, extra, true
}

// bytes is what an extra costs in the store's bound.
func (e *rowExtra) bytes() int64 { return int64(len(e.guid)+len(e.link)+len(e.list)) + rowExtraBytes }

// movingStatuses are the statuses whose LogEnd still moves.
func moving(status string) bool { return status == "RETRY" || status == "PROCESSING" }

// rowStore is the store of one data source instance. Safe for concurrent use.
type rowStore struct {
	maxBytes  int64
	fillRows  int64   // see defaultFillRows
	aheadRows float64 // see defaultAheadRows

	mu       sync.Mutex
	minutes  map[int64]*minuteBlock
	inflight map[int64]chan struct{}
	moves    map[string]int64 // id of a RETRY or PROCESSING message → its minute
	names    *names
	bytes    int64   // blocks
	rate     float64 // messages per minute seen by the last large read (0: unknown)

	ahead     float64       // rows that may be read ahead now (fillAhead)
	aheadLast time.Time     // when ahead was last refilled
	movingAt  time.Time     // when the moving messages were last checked (checkMoving)
	checking  chan struct{} // closed when the check under way ends; nil when none is
	gen       uint64        // counts the changes of checks (patch, reread) to blocks; see minuteBlock.changed
}

func newRowStore(maxBytes int64) *rowStore {
	return &rowStore{maxBytes: maxBytes, fillRows: defaultFillRows, aheadRows: defaultAheadRows, minutes: map[int64]*minuteBlock{}, inflight: map[int64]chan struct{}{},
		moves: map[string]int64{}, names: newNames()}
}

func minuteOf(t time.Time) int64 { return floorDiv(t.UnixMilli(), 60_000) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// pending sorts the minutes [m0, m1) that are not valid at now into those nobody is reading (missing)
// and those another query is reading (to await).
func (rs *rowStore) pending(m0, m1 int64, now time.Time) (missing []int64, await []chan struct{}) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for m := m0; m < m1; m++ {
		if b := rs.minutes[m]; b != nil && b.valid(m, now) {
			continue
		}
		if ch, ok := rs.inflight[m]; ok {
			await = append(await, ch)
			continue
		}
		missing = append(missing, m)
	}
	return missing, await
}

// claim marks those of the minutes nobody is reading as being read by the caller (until release), and
// returns them.
func (rs *rowStore) claim(minutes []int64) []int64 {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var out []int64
	for _, m := range minutes {
		if _, busy := rs.inflight[m]; !busy {
			rs.inflight[m] = make(chan struct{})
			out = append(out, m)
		}
	}
	return out
}

// takeAhead takes what the read-ahead budget allows now (a bucket of aheadRows a minute, refilled on
// the query clock).
func (rs *rowStore) takeAhead(now time.Time) float64 {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.aheadLast.IsZero() {
		rs.ahead = rs.aheadRows
	} else if now.After(rs.aheadLast) {
		rs.ahead = min(rs.aheadRows, rs.ahead+now.Sub(rs.aheadLast).Minutes()*rs.aheadRows)
	}
	if now.After(rs.aheadLast) {
		rs.aheadLast = now
	}
	took := rs.ahead
	rs.ahead = 0
	return took
}

// release ends the claim of minutes (read or not) and wakes the queries waiting for them.
func (rs *rowStore) release(minutes []int64) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, m := range minutes {
		if ch, ok := rs.inflight[m]; ok {
			close(ch)
			delete(rs.inflight, m)
		}
	}
}

// removeLocked removes the message guid from the block of minute m (copying the block). It is no
// longer watched there; watched at another minute (a check put it there since), it stays watched.
func (rs *rowStore) removeLocked(m int64, guid string) {
	if w, ok := rs.moves[guid]; ok && w == m {
		delete(rs.moves, guid)
	}
	b := rs.minutes[m]
	if b == nil {
		return
	}
	if i := b.find(guid); i >= 0 {
		// Still the check's block, less the message: a read older than the check still leaves it.
		nb := &minuteBlock{readAt: b.readAt, rows: append(slices.Clone(b.rows[:i]), b.rows[i+1:]...), extras: slices.Clone(b.extras),
			bytes: b.bytes - storedRowBytes, changed: b.changed}
		nb.dropExtra(b.rows[i].extra)
		rs.minutes[m] = nb
		rs.bytes += nb.bytes - b.bytes
	}
}

// dropExtra removes extra k (1-based; 0: none) from a block the caller has just copied (rows and extras
// its own), so that the rows patched out of a block leave nothing behind.
func (b *minuteBlock) dropExtra(k uint32) {
	if k == 0 {
		return
	}
	b.bytes -= b.extras[k-1].bytes()
	b.extras = slices.Delete(b.extras, int(k-1), int(k))
	for j := range b.rows {
		if b.rows[j].extra > k {
			b.rows[j].extra--
		}
	}
}

// dropExtras removes the extras marked gone and renumbers the rows' references in one pass (a hostile
// read may drop many: one pass each would be quadratic).
func (b *minuteBlock) dropExtras(gone []bool) {
	index := make([]uint32, len(b.extras)) // old index → 1 + new index
	kept, n := b.extras[:0], uint32(0)
	for i, e := range b.extras {
		if gone[i] {
			b.bytes -= e.bytes()
			continue
		}
		kept = append(kept, e)
		n++
		index[i] = n
	}
	b.extras = kept
	for j := range b.rows {
		if k := b.rows[j].extra; k != 0 {
			b.rows[j].extra = index[k-1]
		}
	}
}

// evictLocked drops the minutes before oldest, then the oldest minutes while the store is over its bound.
func (rs *rowStore) evictLocked(oldest int64) {
	if rs.bytes+rs.names.bytes <= rs.maxBytes && len(rs.minutes) > 0 {
		var first int64 = 1<<63 - 1
		for m := range rs.minutes {
			first = min(first, m)
		}
		if first >= oldest {
			return
		}
	}
	keys := make([]int64, 0, len(rs.minutes))
	for m := range rs.minutes {
		keys = append(keys, m)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, m := range keys {
		if m >= oldest && rs.bytes+rs.names.bytes <= rs.maxBytes {
			break
		}
		rs.bytes -= rs.minutes[m].bytes
		delete(rs.minutes, m)
	}
	for g, m := range rs.moves {
		if _, ok := rs.minutes[m]; !ok {
			delete(rs.moves, g)
		}
	}
}

func (rs *rowStore) clearLocked() {
	rs.minutes, rs.moves, rs.names, rs.bytes = map[int64]*minuteBlock{}, map[string]int64{}, newNames(), 0
}

// movingSpan returns the minutes [m0, m1) of the messages held as RETRY or PROCESSING, once per
// edgeFresh of the query clock, like the open edge (ok false: nothing to check now); the caller checks
// them and then calls checked. While another query checks, it returns that check's end to wait for, so
// that the panels refreshed together all answer after it (one would count a retry that ended in place,
// the other not).
func (rs *rowStore) movingSpan(now time.Time) (m0, m1 int64, ok bool, busy chan struct{}) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.checking != nil {
		return 0, 0, false, rs.checking
	}
	if len(rs.moves) == 0 || (!rs.movingAt.IsZero() && now.Sub(rs.movingAt) < edgeFresh && !now.Before(rs.movingAt)) {
		return 0, 0, false, nil
	}
	rs.movingAt = now
	rs.checking = make(chan struct{})
	m0, m1 = 1<<63-1, -1<<63
	for _, m := range rs.moves {
		m0, m1 = min(m0, m), max(m1, m+1)
	}
	return m0, m1, true, nil
}

// checked ends the check movingSpan began and wakes the queries waiting for it.
func (rs *rowStore) checked() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	close(rs.checking)
	rs.checking = nil
}

// movedMessage is a message the store holds as RETRY or PROCESSING that the tenant no longer lists
// there with that status: block is the block that held it when that was found.
type movedMessage struct {
	guid            string
	m               int64
	block           *minuteBlock
	to              int64 // the minute the tenant lists it at now, if listed elsewhere (listedElsewhere)
	listedElsewhere bool
}

// changedMoving returns the messages held as RETRY or PROCESSING in [m0, m1) that the tenant no longer
// lists at the same minute with the same status (listed: id → minute and status), and the pages that
// reading their minutes again would cost.
func (rs *rowStore) changedMoving(m0, m1 int64, listed map[string]listedMoving) (changed []movedMessage, pages int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	minutes := map[int64]bool{}
	for g, m := range rs.moves {
		if m < m0 || m >= m1 {
			continue
		}
		b := rs.minutes[m]
		if b == nil {
			delete(rs.moves, g)
			continue
		}
		l, ok := listed[g]
		if ok && l.m == m {
			if i := b.find(g); i >= 0 && rs.names.statuses.vals[b.rows[i].status] == l.status {
				continue
			}
		}
		changed = append(changed, movedMessage{guid: g, m: m, block: b, to: l.m, listedElsewhere: ok && l.m != m})
		if !minutes[m] {
			minutes[m] = true
			pages += max(1, (len(b.rows)+cpi.MaxPageSize-1)/cpi.MaxPageSize)
		}
	}
	return changed, pages
}

// find returns the index of the message guid among the block's rows (held with an extra), or -1.
func (b *minuteBlock) find(guid string) int {
	for i, r := range b.rows {
		if r.extra != 0 && b.extras[r.extra-1].guid == guid {
			return i
		}
	}
	return -1
}

// stampLocked records that the check rs.gen changed the minutes' blocks (a shallow copy: blocks are
// never changed once stored).
func (rs *rowStore) stampLocked(minutes map[int64]bool) {
	for m := range minutes {
		if b := rs.minutes[m]; b != nil {
			nb := *b
			nb.changed = rs.gen
			rs.minutes[m] = &nb
		}
	}
}

// rereadLocked marks the minute for reading again when a query needs it.
func (rs *rowStore) rereadLocked(m int64) {
	if b := rs.minutes[m]; b != nil {
		nb := *b
		nb.readAt = time.Time{} // never valid
		rs.minutes[m] = &nb
	}
}

// reread marks the minutes of the changed messages for reading again, and the minutes the tenant lists
// them at now (one read before they arrived there misses them); it returns how many. A minute read again
// since the change was found is left as it is: its read watches the messages it holds.
func (rs *rowStore) reread(changed []movedMessage) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	minutes := map[int64]bool{}
	for _, c := range changed {
		if _, seen := minutes[c.m]; !seen {
			minutes[c.m] = rs.minutes[c.m] == c.block
			if minutes[c.m] {
				rs.rereadLocked(c.m)
			}
		}
		if !minutes[c.m] {
			continue
		}
		delete(rs.moves, c.guid)
		if _, seen := minutes[c.to]; c.listedElsewhere && !seen && rs.minutes[c.to] != nil {
			rs.rereadLocked(c.to)
			minutes[c.to] = true
		}
	}
	n := 0
	for m, marked := range minutes {
		if marked {
			n++
		} else {
			delete(minutes, m)
		}
	}
	rs.gen++
	rs.stampLocked(minutes)
	return n
}

// patchOutcome is what the tenant answered for one changed message: its row now, or nothing usable (not
// found by its id either: the listing decides, so its minutes are read again).
type patchOutcome struct {
	row *mplRow
}

// patch applies what the tenant answered for each changed message (outcomes in the order of changed)
// to the blocks that held them, unless a minute was read again meanwhile (that read is newer): a
// message that ended in place gets its new status and duration, one that moved leaves its old minute
// for its new one (see arrivedLocked), one without an answer has its minute read again, and the minute
// the tenant lists it at. It returns the messages patched.
func (rs *rowStore) patch(changed []movedMessage, outcomes []patchOutcome) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	current := map[int64]bool{} // minutes still holding the block the changes were found in
	for _, c := range changed {
		if _, seen := current[c.m]; !seen {
			current[c.m] = rs.minutes[c.m] == c.block
		}
	}
	patched := 0
	touched := map[int64]bool{}
	for k, c := range changed {
		if !current[c.m] {
			continue
		}
		touched[c.m] = true
		o := outcomes[k]
		if o.row != nil && o.row.LogEnd.IsZero() {
			o.row = nil // no LogEnd (null): no minute to hold it at, so the listing decides
		}
		switch {
		case o.row != nil && o.row.MessageGuid == c.guid && minuteOf(o.row.LogEnd.Time) != c.m:
			rs.removeLocked(c.m, c.guid)
			rs.arrivedLocked(o.row)
			touched[minuteOf(o.row.LogEnd.Time)] = true
			patched++
		case o.row == nil || o.row.MessageGuid != c.guid || !rs.replaceLocked(c.m, o.row):
			delete(rs.moves, c.guid)
			rs.rereadLocked(c.m)
			if c.listedElsewhere {
				rs.rereadLocked(c.to) // as reread does: one read before it arrived there misses it
				touched[c.to] = true
			}
		default:
			patched++
		}
	}
	rs.gen++
	rs.stampLocked(touched)
	// A patched row may be larger than the one it replaced (a tenant decides its fields' length).
	if rs.bytes+rs.names.bytes > rs.maxBytes {
		rs.evictLocked(math.MinInt64)
	}
	return patched
}

// arrivedLocked puts a message that moved into the block of its new minute, when the store holds that
// minute: one read before the message arrived there would miss it until the settle rule reads it again.
// A block that holds it already (read after it arrived) gets the answered row, which is as new, and the
// message stays watched if it still moves. A COMPLETED message is kept without its id, so whether the
// block has it already is unknown: the minute is read again instead.
func (rs *rowStore) arrivedLocked(row *mplRow) {
	m := minuteOf(row.LogEnd.Time)
	b := rs.minutes[m]
	if b == nil {
		return
	}
	if b.find(row.MessageGuid) >= 0 {
		if !rs.replaceLocked(m, row) {
			rs.rereadLocked(m)
		}
		return
	}
	sr, extra, ok := rs.names.compact(row)
	if !ok || extra == nil {
		rs.rereadLocked(m)
		return
	}
	nb := &minuteBlock{readAt: b.readAt, rows: append(slices.Clone(b.rows), sr), extras: append(slices.Clone(b.extras), *extra),
		bytes: b.bytes + storedRowBytes + extra.bytes()}
	nb.rows[len(nb.rows)-1].extra = uint32(len(nb.extras)) //nolint:gosec // a block holds at most fillRows rows
	rs.minutes[m] = nb
	rs.bytes += nb.bytes - b.bytes
	if moving(row.Status) {
		rs.moves[row.MessageGuid] = m
	}
}

// replaceLocked replaces the message row.MessageGuid in the block of minute m with row (same minute),
// copying the block; false when the block does not hold it or the row cannot be stored.
func (rs *rowStore) replaceLocked(m int64, row *mplRow) bool {
	b := rs.minutes[m]
	if b == nil {
		return false
	}
	i := b.find(row.MessageGuid)
	if i < 0 {
		return false
	}
	sr, extra, ok := rs.names.compact(row)
	if !ok {
		return false
	}
	// The message's extra is overwritten (or dropped for a COMPLETED row): patched again and again, it
	// takes no more room.
	nb := &minuteBlock{readAt: b.readAt, rows: slices.Clone(b.rows), extras: slices.Clone(b.extras), bytes: b.bytes}
	k := b.rows[i].extra
	if extra == nil {
		nb.rows[i] = sr
		nb.dropExtra(k)
	} else {
		nb.bytes += extra.bytes() - nb.extras[k-1].bytes()
		nb.extras[k-1], sr.extra = *extra, k
		nb.rows[i] = sr
	}
	rs.minutes[m] = nb
	rs.bytes += nb.bytes - b.bytes
	if moving(row.Status) {
		rs.moves[row.MessageGuid] = m
	} else {
		delete(rs.moves, row.MessageGuid)
	}
	return true
}

// snapshotValid is snapshot when every minute of [m0, m1) is held and valid at now.
func (rs *rowStore) snapshotValid(m0, m1 int64, now time.Time) ([]*minuteBlock, names, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]*minuteBlock, 0, m1-m0)
	for m := m0; m < m1; m++ {
		b := rs.minutes[m]
		if b == nil || !b.valid(m, now) {
			return nil, names{}, false
		}
		out = append(out, b)
	}
	return out, *rs.names, true
}

// fits reports whether rows messages take at most three quarters of the store, so that reading them
// does not evict the minutes of the same window.
func (rs *rowStore) fits(rows float64) bool {
	return rows*(storedRowBytes+8) <= float64(rs.maxBytes)*3/4
}

// expected is the number of messages the minutes are expected to hold (-1: unknown).
func (rs *rowStore) expected(minutes int) float64 {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.rate <= 0 {
		return -1
	}
	return rs.rate * float64(minutes)
}

// observe records the messages per minute of a read of many minutes.
func (rs *rowStore) observe(rows int64, minutes int64) {
	if minutes < 10 {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.rate = float64(rows) / float64(minutes)
}

// wait waits for the channels (or ctx).
func wait(ctx context.Context, chans []chan struct{}) error {
	for _, ch := range chans {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
