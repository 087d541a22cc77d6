package messages

// Answering a query from the row store (rowstore.go): which minutes it needs, reading the missing ones
// once for every query that waits for them, and handing the matching rows to the query's aggregation.

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/safe"
)

// StrategyStore is the strategy of a query the row store answered (frame meta Custom.strategy).
const StrategyStore = "store"

// errFillTooLarge: the minutes to read hold more messages than one query may read into the store.
var errFillTooLarge = errors.New("too many messages to read into the store")

// storable reports whether the store can answer the spec: rows by LogEnd, filters it can evaluate.
func (s scanSpec) storable() bool {
	return s.timeField == "LogEnd" && len(s.extra) == 0 && !s.filters.byText && s.filters.header == ""
}

// storeMinutes are the minutes [m0, m1) a window needs: up to the end of the current minute when it
// reaches it, so that a reload a few seconds later finds its edge already read.
func storeMinutes(w window, now time.Time) (int64, int64) {
	m0 := minuteOf(w.from)
	m1 := minuteOf(w.to.Add(-time.Millisecond)) + 1
	cur := minuteOf(now) + 1
	if m1 >= cur-1 {
		m1 = cur
	}
	return m0, m1
}

// fromStore hands the rows of s to fn from the store (in one call, newest first and capped, when s has
// maxRows), reading the minutes the store lacks. fn must not keep the slice: its array is reused. handled is false when the store does not answer this
// query (see rowstore.go); the caller then asks the tenant itself.
func (r *run) fromStore(ctx context.Context, s scanSpec, fn func([]mplRow) error) (res scanResult, handled bool, err error) {
	rs := r.st.rows
	// A range reaching past the next minute asks about messages the store has no minute for yet (a tenant
	// whose clock runs ahead of Grafana's would have them): ask the tenant.
	if rs == nil || rs.maxBytes == 0 || r.now.IsZero() || !s.storable() || s.w.empty() || s.w.to.After(r.now.Add(time.Minute)) {
		return res, false, nil
	}
	m0, m1 := storeMinutes(s.w, r.now)
	narrow := s.filters.narrow()
	checkMoving := func() {}
	defer func() { checkMoving() }()
	for attempt := 0; ; attempt++ {
		missing, await := rs.pending(m0, m1, r.now)
		if len(missing) > 0 && !r.worthFilling(len(missing), narrow) {
			if !narrow {
				r.fillAhead(ctx, m0, m1)
			}
			return res, false, nil
		}
		if attempt == 0 {
			// The moving messages are listed beside the read of the edge and checked once it is read.
			checkMoving = r.startMovingCheck(ctx)
		}
		if len(missing) > 0 {
			// A minute another query claimed meanwhile is left to it: the next round finds it read.
			claimed := rs.claim(missing)
			err := r.fillMinutes(ctx, claimed)
			rs.release(claimed)
			switch {
			case errors.Is(err, errFillTooLarge):
				r.fillAhead(ctx, m0, m1)
				return res, false, nil
			case errors.Is(err, errStoreReset):
				return res, false, nil
			case err != nil:
				return res, true, err
			}
		}
		if err := wait(ctx, await); err != nil {
			return res, true, err
		}
		// After the edge is read: the messages that moved into it have left their old minutes, so the
		// check finds only those that changed elsewhere (a minute it has read again is read next round).
		checkMoving()
		// Checked and taken under one lock: a minute evicted or reset meanwhile is read again, not
		// counted as empty.
		if blocks, nm, ok := rs.snapshotValid(m0, m1, r.now); ok {
			r.set("strategy", StrategyStore)
			res, err = r.deliver(s, blocks, nm, fn)
			return res, true, err
		}
		if attempt == 2 {
			return res, false, nil // other queries' reads keep failing or evicting: read directly
		}
	}
}

// storeSliceRows are the messages per time slice of a read into the store: no slice of it is cached on
// its own, so long slices only save the short last page of each (a quiet 6-hour window is read in 2
// slices instead of 12).
const storeSliceRows = 64 * cpi.MaxPageSize

// maxMovingRows bounds the listing of moving messages (checkMoving); a longer one is not used.
const maxMovingRows = 20_000

// maxPatchedMessages bounds the messages checkMoving reads one by one; more changed messages have their
// minutes read again instead.
const maxPatchedMessages = 20

// listedMoving is where and how the tenant lists a RETRY or PROCESSING message.
type listedMoving struct {
	m      int64
	status string
}

// startMovingCheck lists, at most once per edgeFresh, the RETRY and PROCESSING messages of the minutes
// where the store holds such messages (one small request, $select of three fields; nothing when the
// store holds none), beside the caller's reads. The returned function (idempotent; the caller calls it
// before it returns) waits for the listing and applies it (see checkMoving). While another query's check
// is under way, it waits for that check instead, so that the panels refreshed together all answer after
// it (one would count a retry that ended in place, the other not).
func (r *run) startMovingCheck(ctx context.Context) func() {
	rs := r.st.rows
	m0, m1, ok, busy := rs.movingSpan(r.now)
	if busy != nil {
		return func() { _ = wait(ctx, []chan struct{}{busy}) } // cancelled: the query ends anyway
	}
	if !ok {
		return func() {}
	}
	w := window{from: time.UnixMilli(m0 * 60_000).UTC(), to: time.UnixMilli(m1 * 60_000).UTC()}
	q := (&filterSet{statuses: []string{"PROCESSING", "RETRY"}}).query("LogEnd", w)
	q.Set("$select", "LogEnd,MessageGuid,Status")
	var (
		rows []mplRow
		lr   cpi.ListResult
		err  error
	)
	listed := make(chan struct{})
	go func() {
		defer close(listed)
		err = safe.Call(func() (err error) {
			rows, lr, err = cpi.List[mplRow](cpi.Shareable(ctx), r.c, cpi.ListOptions{Path: mplPath, Query: q, MaxRows: maxMovingRows})
			return err
		})
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			defer rs.checked()
			<-listed
			r.recordList(lr)
			if err != nil || lr.Incomplete || len(rows) >= maxMovingRows {
				return // unknown: keep what is held
			}
			r.checkMoving(ctx, m0, m1, rows)
		})
	}
}

// checkMoving applies the listing of the moving messages of [m0, m1): a held one the tenant no longer
// lists at the same minute with the same status (SAP may end a retry in place, or the message moved) is
// read by its id and patched in the store when that costs fewer requests than reading its minute again;
// otherwise its minute is read again.
func (r *run) checkMoving(ctx context.Context, m0, m1 int64, rows []mplRow) {
	rs := r.st.rows
	listed := make(map[string]listedMoving, len(rows))
	for i := range rows {
		listed[rows[i].MessageGuid] = listedMoving{minuteOf(rows[i].LogEnd.Time), rows[i].Status}
	}
	changed, pages := rs.changedMoving(m0, m1, listed)
	if len(changed) == 0 {
		return
	}
	if len(changed) > min(pages, maxPatchedMessages) {
		r.addStat("storeMinutesChanged", rs.reread(changed))
		return
	}
	outcomes := make([]patchOutcome, len(changed))
	_ = forEachLimit(ctx, len(changed), 4, func(ctx context.Context, i int) error {
		query := url.Values{"$select": {strings.Join(storeFields, ",") + ",MessageGuid"}}
		row, resp, err := cpi.GetEntity[mplRow](cpi.Shareable(ctx), r.c, mplPath+"("+odata.KeyPredicate(changed[i].guid)+")", query)
		r.record(resp)
		if err == nil {
			outcomes[i].row = &row
		}
		return nil // without an answer (not found by its id either), the message's minutes are read again
	})
	r.addStat("storeMessagesPatched", rs.patch(changed, outcomes))
}

// worthFilling decides whether reading missing minutes into the store pays: an unfiltered query reads
// them unless they hold too many messages; a narrower query only the few edge minutes a dashboard
// leaves (a few pages, which the other panels and alert rules of the tenant then share).
func (r *run) worthFilling(missing int, narrow bool) bool {
	e := r.st.rows.expected(missing)
	if !narrow {
		return e <= float64(r.st.rows.fillRows) && r.st.rows.fits(e)
	}
	return missing <= maxGapMinutes && e >= 0 && e <= maxGapPages*cpi.MaxPageSize
}

// fillAhead reads part of a window too large to read at once, newest minutes first, within the store's
// budget of rows read ahead (rowStore.aheadRows a minute): a long window that alert rules or dashboards
// ask for again and again (a 24-hour baseline) is then held after a few evaluations, and each later one
// costs only its edge. It reads beside the query, which is answered directly meanwhile, one read ahead
// at a time, until the store is closed. Nothing is read when the store could not hold the whole window.
func (r *run) fillAhead(ctx context.Context, m0, m1 int64) {
	st, rs := r.st, r.st.rows
	perMinute := rs.expected(1)
	if perMinute <= 0 || !rs.fits(perMinute*float64(m1-m0)) {
		return
	}
	if st.ctx.Err() != nil || !st.aheadBusy.CompareAndSwap(false, true) {
		return // closed, or reading ahead already
	}
	rows := rs.takeAhead(r.now)
	missing, _ := rs.pending(m0, m1, r.now)
	if n := int(rows / perMinute); len(missing) > n {
		missing = missing[len(missing)-n:]
	}
	claimed := rs.claim(missing)
	if len(claimed) == 0 {
		st.aheadBusy.Store(false)
		return
	}
	r.set("storeMinutesReadAhead", len(claimed))
	st.ahead.Add(1)
	go func() {
		defer st.ahead.Done()
		defer st.aheadBusy.Store(false)
		defer rs.release(claimed)
		// The query's values, not its end: the read outlives the query, until the store is closed.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), aheadTimeout)
		defer cancel()
		defer context.AfterFunc(st.ctx, cancel)() //nolint:contextcheck // the store's lifetime ends a read ahead too
		ahead := newRun(st, r.now)
		if err := safe.Call(func() error { return ahead.fillMinutes(ctx, claimed) }); err != nil {
			log.DefaultLogger.Debug("Reading message logs ahead failed", "error", st.c.Redact(err.Error()))
		}
	}()
}

// fillMinutes reads the minutes (sorted) into the store, one listing per run of consecutive minutes, the
// runs at once (a refresh's open edge and the minute that just settled are two runs).
func (r *run) fillMinutes(ctx context.Context, minutes []int64) error {
	var runs [][2]int64
	for i := 0; i < len(minutes); {
		j := i + 1
		for j < len(minutes) && minutes[j] == minutes[j-1]+1 {
			j++
		}
		runs = append(runs, [2]int64{minutes[i], minutes[j-1] + 1})
		i = j
	}
	return forEachLimit(ctx, len(runs), parallelSlices, func(ctx context.Context, i int) error {
		return r.fillRun(ctx, runs[i][0], runs[i][1])
	})
}

// fillRun reads every message of the minutes [m0, m1) with the store's fields and stores them.
func (r *run) fillRun(ctx context.Context, m0, m1 int64) error {
	rs := r.st.rows
	w := window{from: time.UnixMilli(m0 * 60_000).UTC(), to: time.UnixMilli(m1 * 60_000).UTC()}
	spec := scanSpec{filters: &filterSet{}, timeField: "LogEnd", w: w, fields: storeFields, align: time.Minute, uncached: true, sliceRows: storeSliceRows}
	p, err := r.probe(ctx, spec)
	if err != nil {
		return err
	}
	rs.observe(p.total, m1-m0)
	if p.total > rs.fillRows || !rs.fits(float64(p.total)) {
		return errFillTooLarge
	}
	f := rs.newFiller(m0, m1, r.now)
	if _, err := r.scan(ctx, spec, p, f.add); err != nil {
		return err
	}
	r.addStat("storeMinutesRead", int(m1-m0))
	return f.commit(r.now)
}

// countHeld counts the messages of w that fs keeps from the minutes the store holds, valid now; ok is
// false when the store cannot say (a minute not held, or a filter it cannot evaluate).
func (r *run) countHeld(fs *filterSet, w window) (n int64, ok bool) {
	rs := r.st.rows
	if rs == nil || rs.maxBytes == 0 || r.now.IsZero() || w.empty() || !(scanSpec{filters: fs, timeField: "LogEnd"}).storable() {
		return 0, false
	}
	m0, m1 := minuteOf(w.from), minuteOf(w.to.Add(-time.Millisecond))+1
	blocks, nm, ok := rs.snapshotValid(m0, m1, r.now)
	if !ok {
		return 0, false
	}
	from, to := w.from.UnixMilli(), w.to.UnixMilli()
	for _, b := range blocks {
		for i := range b.rows {
			if b.rows[i].end < from || b.rows[i].end >= to {
				continue
			}
			if m := b.row(i, &nm); fs.matches(&m) {
				n++
			}
		}
	}
	return n, true
}

// deliver hands the stored rows of s's window that pass its filters to fn, in batches; with maxRows,
// newest first and capped, in one call.
func (r *run) deliver(s scanSpec, blocks []*minuteBlock, nm names, fn func([]mplRow) error) (scanResult, error) {
	from, to := s.w.from.UnixMilli(), s.w.to.UnixMilli()
	const batchRows = 4096
	var res scanResult
	var all []mplRow
	batch := make([]mplRow, 0, batchRows)
	// The status filter is applied to the stored rows before they are rebuilt: most rows of a panel of
	// failed messages are COMPLETED, and rebuilding each only to drop it was most of such a query's work.
	var keepStatus []bool
	if len(s.filters.statuses) > 0 {
		keepStatus = make([]bool, len(nm.statuses.vals))
		for i, v := range nm.statuses.vals {
			keepStatus[i] = slices.Contains(s.filters.statuses, v)
		}
	}
	for _, b := range blocks {
		if b == nil {
			continue
		}
		for i := range b.rows {
			if b.rows[i].end < from || b.rows[i].end >= to {
				continue
			}
			if st := int(b.rows[i].status); st < len(keepStatus) && !keepStatus[st] {
				continue
			}
			m := b.row(i, &nm)
			if !s.filters.matches(&m) {
				continue
			}
			res.read++
			if s.maxRows > 0 {
				all = append(all, m)
				continue
			}
			batch = append(batch, m)
			if len(batch) == batchRows {
				if err := fn(batch); err != nil {
					return res, err
				}
				batch = batch[:0]
			}
		}
	}
	if s.maxRows > 0 {
		// Ties on LogEnd by LogStart, as the simulated tenant lists them (SAP documents no order for ties).
		slices.SortStableFunc(all, func(a, b mplRow) int {
			if s.desc {
				a, b = b, a
			}
			if c := a.LogEnd.Compare(b.LogEnd.Time); c != 0 {
				return c
			}
			return a.LogStart.Compare(b.LogStart.Time)
		})
		if len(all) > s.maxRows {
			all, res.capped = all[:s.maxRows], true
		}
		batch = all
	}
	r.set("messages", res.read)
	if len(batch) == 0 {
		return res, nil
	}
	return res, fn(batch)
}

// row rebuilds message i of the block.
func (b *minuteBlock) row(i int, nm *names) mplRow {
	sr := b.rows[i]
	m := mplRow{LogEnd: odata.Time{Time: time.UnixMilli(sr.end).UTC()}, Status: nm.statuses.vals[sr.status],
		Sender: nm.strs.vals[sr.sender], Receiver: nm.strs.vals[sr.receiver], IntegrationArtifact: nm.flows.vals[sr.flow]}
	var beyond int64
	if sr.extra > 0 {
		e := &b.extras[sr.extra-1]
		e.fill(&m)
		beyond = int64(e.beyond)
	}
	if sr.dur != noDuration {
		m.LogStart = odata.Time{Time: time.UnixMilli(sr.end - int64(sr.dur) - beyond).UTC()}
	}
	return m
}
