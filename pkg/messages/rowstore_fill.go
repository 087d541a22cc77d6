package messages

// Filling the row store: the rows of one read are compacted page by page and become visible at once.

import (
	"errors"
	"hash/maphash"
	"slices"
	"time"
)

// filler compacts the rows of one read of the minutes [m0, m1), page by page, into blocks that become
// visible only at commit.
type filler struct {
	rs      *rowStore
	names   *names // the names the rows are interned in; a store cleared meanwhile drops the read
	m0, m1  int64
	blocks  map[int64]*minuteBlock
	seed    maphash.Seed
	seen    map[uint64]rowRef // messages read so far (by id hash): a message listed twice (it moved between two pages, in either order) is kept at its newer LogEnd
	dropped map[rowRef]bool
	moved   map[string]int64 // messages now read here that a minute outside the read still holds
	moves   map[string]int64 // moving messages of this read → their minute
	rows    int64
	gen     uint64 // rowStore.gen when the read began: a block changed by a later check is newer (commit)
}

type rowRef struct {
	m int64
	i int
}

func (rs *rowStore) newFiller(m0, m1 int64, now time.Time) *filler {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	f := &filler{rs: rs, names: rs.names, m0: m0, m1: m1, blocks: map[int64]*minuteBlock{}, seed: maphash.MakeSeed(), seen: map[uint64]rowRef{},
		dropped: map[rowRef]bool{}, moved: map[string]int64{}, moves: map[string]int64{}, gen: rs.gen}
	for m := m0; m < m1; m++ {
		f.blocks[m] = &minuteBlock{readAt: now}
	}
	return f
}

// errStoreReset: the store dropped its names while a read was compacting rows (hostile variety of names).
var errStoreReset = errors.New("the message store was reset during a read")

// add compacts one page of rows.
func (f *filler) add(rows []mplRow) error {
	rs := f.rs
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.names != f.names {
		return errStoreReset
	}
	nm := f.names
	for i := range rows {
		row := &rows[i]
		m := minuteOf(row.LogEnd.Time)
		b := f.blocks[m]
		if b == nil {
			continue // outside the minutes read (a tenant that ignores the filter)
		}
		g := row.MessageGuid
		key := maphash.String(f.seed, g)
		if prev, ok := f.seen[key]; ok && g != "" {
			pb := f.blocks[prev.m]
			if pb.rows[prev.i].end > row.LogEnd.UnixMilli() {
				continue // an older listing of a message whose newer one was already read
			}
			f.dropped[prev] = true
		}
		sr, extra, ok := nm.compact(row)
		if !ok {
			continue // a hostile status
		}
		if extra != nil {
			b.extras = append(b.extras, *extra)
			sr.extra = uint32(len(b.extras)) //nolint:gosec // a read holds at most fillRows rows
			b.bytes += extra.bytes()
		}
		b.rows = append(b.rows, sr)
		b.bytes += storedRowBytes
		f.rows++
		if g == "" {
			continue
		}
		if old, ok := rs.moves[g]; ok && (old < f.m0 || old >= f.m1) {
			f.moved[g] = old
		}
		f.seen[key] = rowRef{m, len(b.rows) - 1}
		if moving(row.Status) {
			f.moves[g] = m
		} else {
			delete(f.moves, g)
		}
	}
	if nm.bytes > rs.maxBytes/4 {
		rs.clearLocked()
		return errStoreReset
	}
	return nil
}

// commit stores the blocks read, replacing what was kept for their minutes, and removes the messages
// that moved here from the minutes they were in before. A minute a check changed after the read began
// (a retry patched out of it, into it or in place, or marked for reading again) is left as the check
// made it: the read may have listed it before the change and would put the retry back where, or as, it
// was. It is read again when a query needs it and the check's block is not valid.
func (f *filler) commit(now time.Time) error {
	rs := f.rs
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.names != f.names {
		return errStoreReset
	}
	var stale map[int64]bool // minutes left as a check made them
	if rs.gen > f.gen {      // a check changed blocks since the read began
		stale = f.yieldToChecks()
	}
	for ref := range f.dropped {
		if b := f.blocks[ref.m]; b != nil {
			b.rows[ref.i].status = droppedStatus
		}
	}
	for m, b := range f.blocks {
		if len(f.dropped) > 0 {
			kept := b.rows[:0]
			var gone []bool // extras of the rows dropped: nothing left behind
			for _, r := range b.rows {
				if r.status != droppedStatus {
					kept = append(kept, r)
					continue
				}
				b.bytes -= storedRowBytes
				if r.extra != 0 {
					if gone == nil {
						gone = make([]bool, len(b.extras))
					}
					gone[r.extra-1] = true
				}
			}
			b.rows = kept
			if gone != nil {
				b.dropExtras(gone)
			}
		}
		// Appending left up to twice the room needed: keep exactly the rows.
		b.rows, b.extras = slices.Clone(b.rows), slices.Clone(b.extras)
		if old := rs.minutes[m]; old != nil {
			rs.bytes -= old.bytes
		}
		rs.minutes[m] = b
		rs.bytes += b.bytes
	}
	for g := range rs.moves {
		if m := rs.moves[g]; m >= f.m0 && m < f.m1 && !stale[m] {
			delete(rs.moves, g) // the minutes read again hold the message where it is now, if anywhere
		}
	}
	for g, old := range f.moved {
		if !stale[f.seen[maphash.String(f.seed, g)].m] {
			rs.removeLocked(old, g)
		}
	}
	for g, m := range f.moves {
		if !stale[m] {
			rs.moves[g] = m
		}
	}
	// When this read holds every moving message the store keeps, their statuses are as of now.
	fresh := true
	for _, m := range rs.moves {
		if m < f.m0 || m >= f.m1 {
			fresh = false
			break
		}
	}
	if fresh {
		rs.movingAt = now
	}
	rs.evictLocked(minuteOf(now.Add(-Retention)))
	return nil
}

// yieldToChecks leaves to the checks that ran since the read began what they changed: a minute whose block
// a check changed is marked stale and not committed, and a message held both at a minute a check changed
// and at another minute the read commits is kept once, at its newer LogEnd. It returns the stale minutes.
// Called by commit under rs.mu, only when a check ran since the read began (the common case walks nothing).
func (f *filler) yieldToChecks() (stale map[int64]bool) {
	rs := f.rs
	stale = map[int64]bool{}
	for m := range f.blocks {
		if old := rs.minutes[m]; old != nil && old.changed > f.gen {
			stale[m] = true
			delete(f.blocks, m)
		}
	}
	// A message a check placed after the read began, which the read holds at a minute it keeps (listed
	// before or after the check's answer): as within one read, it is kept once, at its newer LogEnd.
	type held struct {
		m int64
		g string
	}
	var older []held // the check's rows the read's are newer than
	for m, b := range rs.minutes {
		if b.changed <= f.gen {
			continue
		}
		for _, r := range b.rows {
			if r.extra == 0 {
				continue
			}
			g := b.extras[r.extra-1].guid
			ref, ok := f.seen[maphash.String(f.seed, g)]
			pb := f.blocks[ref.m]
			if !ok || pb == nil || ref.m == m || pb.rows[ref.i].extra == 0 || pb.extras[pb.rows[ref.i].extra-1].guid != g {
				continue
			}
			if pb.rows[ref.i].end > r.end {
				older = append(older, held{m, g})
				continue
			}
			f.dropped[ref] = true
			delete(f.moved, g)
			if w, ok := f.moves[g]; ok && w == ref.m {
				delete(f.moves, g)
			}
		}
	}
	for _, h := range older {
		rs.removeLocked(h.m, h.g)
	}
	return stale
}
