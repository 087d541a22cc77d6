package messages

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// Patching held RETRY/PROCESSING messages by their id (checkMoving): what the store holds afterwards, read
// by hand from its blocks.

// heldMinutes is, for every message the store holds with its id, the minutes and statuses it is held at.
func heldMinutes(rs *rowStore) map[string][]string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := map[string][]string{}
	for m, b := range rs.minutes {
		for _, r := range b.rows {
			if r.extra > 0 {
				g := b.extras[r.extra-1].guid
				out[g] = append(out[g], fmt.Sprintf("%d:%s", m, rs.names.statuses.vals[r.status]))
			}
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// watched reports whether the store watches the message as RETRY or PROCESSING, and at which minute.
func watched(rs *rowStore, guid string) (int64, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	m, ok := rs.moves[guid]
	return m, ok
}

// checkAccounting fails when the store's byte count is not what its blocks hold: rows of storedRowBytes,
// extras of their strings plus rowExtraBytes.
func checkAccounting(t *testing.T, rs *rowStore) {
	t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var total int64
	for m, b := range rs.minutes {
		want := int64(len(b.rows)) * 32
		for _, e := range b.extras {
			want += int64(len(e.guid)+len(e.link)+len(e.list)) + 64
		}
		if b.bytes != want {
			t.Errorf("minute %d accounts for %d bytes, holds %d", m, b.bytes, want)
		}
		total += b.bytes
	}
	if rs.bytes != total {
		t.Errorf("the store accounts for %d bytes, its blocks for %d", rs.bytes, total)
	}
}

func fillStore(t *testing.T, rs *rowStore, am0, m1 int64, at time.Time, rows ...mplRow) *filler {
	t.Helper()
	f := rs.newFiller(am0, m1, at)
	if err := f.add(rows); err != nil {
		t.Fatal(err)
	}
	return f
}

func commitFill(t *testing.T, f *filler, at time.Time) {
	t.Helper()
	if err := f.commit(at); err != nil {
		t.Fatal(err)
	}
}

// at0 is the start of the minutes the patch tests hold; settledAt reads them once they settledAt (held for good).
var (
	at0       = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	am0       = minuteOf(at0)
	settledAt = at0.Add(20 * time.Minute)
)

// settledStore is a store of the given bound holding rows, read once settledAt as the minutes [am0, am0+n).
func settledStore(t *testing.T, bound, n int64, rows ...mplRow) *rowStore {
	t.Helper()
	rs := newRowStore(bound)
	commitFill(t, fillStore(t, rs, am0, am0+n, settledAt, rows...), settledAt)
	return rs
}

// patchWith patches the changed messages with the tenant's rows by id (absent: no answer).
func patchWith(rs *rowStore, changed []movedMessage, rows ...mplRow) int {
	byID := map[string]*mplRow{}
	for i := range rows {
		byID[rows[i].MessageGuid] = &rows[i]
	}
	outcomes := make([]patchOutcome, len(changed))
	for i, c := range changed {
		outcomes[i].row = byID[c.guid]
	}
	return rs.patch(changed, outcomes)
}

// TestPatchOfMessageHeldTwice: two reads of different minutes committed out of order (the older listing
// last) hold a retried message at its old and its new minute. When the check then finds it ended at its
// new minute, the store holds it once, there, with the status the tenant answered, and a message still
// retrying there stays watched.
func TestPatchOfMessageHeldTwice(t *testing.T) {
	for _, tc := range []struct {
		status string
		watch  bool
	}{{"FAILED", false}, {"RETRY", true}} {
		t.Run(tc.status, func(t *testing.T) {
			rs := settledStore(t, DefaultStoreBytes, 1, msg("G", "RETRY", at0.Add(10*time.Second)))
			// The read of minute 0 lists G before it moved, the read of minute 3 after; 3 commits first.
			stale := fillStore(t, rs, am0, am0+1, settledAt, msg("G", "RETRY", at0.Add(10*time.Second)))
			commitFill(t, fillStore(t, rs, am0+3, am0+4, settledAt, msg("G", "RETRY", at0.Add(3*time.Minute+5*time.Second))), settledAt)
			commitFill(t, stale, settledAt)

			changed, _ := rs.changedMoving(am0, am0+4, map[string]listedMoving{"G": {am0 + 3, tc.status}})
			if n := patchWith(rs, changed, msg("G", tc.status, at0.Add(3*time.Minute+5*time.Second))); n == 0 {
				t.Fatal("nothing patched")
			}
			want := fmt.Sprintf("[%d:%s]", am0+3, tc.status)
			if got := fmt.Sprint(heldMinutes(rs)["G"]); got != want {
				t.Errorf("G held at %s, the tenant has it at %s", got, want)
			}
			if m, ok := watched(rs, "G"); ok != tc.watch || ok && m != am0+3 {
				t.Errorf("G watched %v at minute %d, want %v at %d", ok, m, tc.watch, am0+3)
			}
			checkAccounting(t, rs)
		})
	}
}

// TestRereadAfterNewerRead: the check finds a held retry changed, but before it marks the minute for
// reading again another query's read of that minute (listed a little earlier) commits it, holding the
// retry there again. The newer block is not marked, so the retry must stay watched: when it then fails
// at a later minute, the read of that minute removes it from the old one (counted once).
func TestRereadAfterNewerRead(t *testing.T) {
	rs := settledStore(t, DefaultStoreBytes, 2, msg("G", "RETRY", at0.Add(10*time.Second)), msg("H", "RETRY", at0.Add(70*time.Second)))
	changed, _ := rs.changedMoving(am0, am0+2, map[string]listedMoving{})
	if len(changed) != 2 {
		t.Fatalf("%d changed, want G and H", len(changed))
	}
	commitFill(t, fillStore(t, rs, am0, am0+1, settledAt, msg("G", "RETRY", at0.Add(10*time.Second))), settledAt)
	if n := rs.reread(changed); n != 1 {
		t.Errorf("%d minutes marked for reading again, want 1 (H's; G's was read since)", n)
	}
	if blocks, _ := rs.snapshot(am0, am0+2); !blocks[0].valid(am0, settledAt) || blocks[1].valid(am0+1, settledAt) {
		t.Error("want minute 0 (read since) kept, minute 1 read again")
	}
	commitFill(t, fillStore(t, rs, am0+5, am0+6, settledAt, msg("G", "FAILED", at0.Add(5*time.Minute))), settledAt)
	if got, want := fmt.Sprint(heldMinutes(rs)["G"]), fmt.Sprintf("[%d:FAILED]", am0+5); got != want {
		t.Errorf("G held at %s, the tenant has it at %s", got, want)
	}
	checkAccounting(t, rs)
}

// extrasHeld fails when a block keeps an extra no row refers to, or one two rows share.
func extrasHeld(t *testing.T, rs *rowStore) {
	t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for m, b := range rs.minutes {
		refs := make([]int, len(b.extras))
		for _, r := range b.rows {
			if r.extra > 0 {
				refs[r.extra-1]++
			}
		}
		for k, n := range refs {
			if n != 1 {
				t.Errorf("minute %d: extra %d (%s) is referred to by %d rows", m, k, b.extras[k].guid, n)
			}
		}
	}
}

// TestPatchedAgainAndAgainTakesNoMoreRoom: a message whose status flips between PROCESSING and RETRY at
// the same minute on every check is patched every time; the store takes no more room for it after a
// hundred patches than after one, and a message that moved away or ended COMPLETED leaves no extra
// behind.
func TestPatchedAgainAndAgainTakesNoMoreRoom(t *testing.T) {
	rs := settledStore(t, DefaultStoreBytes, 4, msg("A", "FAILED", at0.Add(time.Second)), msg("G", "PROCESSING", at0.Add(10*time.Second)),
		msg("B", "FAILED", at0.Add(20*time.Second)), msg("M", "RETRY", at0.Add(30*time.Second)), msg("C", "RETRY", at0.Add(40*time.Second)))
	var first int64
	for k := 0; k < 100; k++ {
		status := []string{"RETRY", "PROCESSING"}[k%2]
		changed, _ := rs.changedMoving(am0, am0+1, map[string]listedMoving{"G": {am0, status}, "M": {am0, "RETRY"}, "C": {am0, "RETRY"}})
		if len(changed) != 1 || patchWith(rs, changed, msg("G", status, at0.Add(10*time.Second))) != 1 {
			t.Fatalf("patch %d: %d changed, want G patched", k, len(changed))
		}
		if b, _ := rs.usage(); k == 0 {
			first = b
		} else if b != first {
			t.Fatalf("after %d patches the store takes %d bytes, after one %d", k+1, b, first)
		}
	}
	extrasHeld(t, rs)
	// M moved to minute 3, C ended COMPLETED in place.
	changed, _ := rs.changedMoving(am0, am0+1, map[string]listedMoving{"G": {am0, "PROCESSING"}})
	done := msg("C", "COMPLETED", at0.Add(40*time.Second))
	if n := patchWith(rs, changed, msg("M", "RETRY", at0.Add(3*time.Minute)), done); n != 2 {
		t.Fatalf("%d patched, want M and C", n)
	}
	extrasHeld(t, rs)
	checkAccounting(t, rs)
	want := map[string]string{"A": "FAILED", "B": "FAILED", "G": "PROCESSING", "M": "RETRY"}
	if got := storeRows(rs, at0, at0.Add(4*time.Minute)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("held %v, want %v", got, want)
	}
	if _, rows := rs.usage(); rows != 5 {
		t.Errorf("%d rows held, want 5", rows)
	}
}

// TestPatchKeepsTheBound: a tenant answering the check's read by id with a huge row (a 1 MiB link) does
// not take the store past its bound, before any later read.
func TestPatchKeepsTheBound(t *testing.T) {
	const bound = 256 << 10
	rs := settledStore(t, bound, 2, msg("A", "FAILED", at0.Add(time.Second)), msg("G", "RETRY", at0.Add(70*time.Second)))
	changed, _ := rs.changedMoving(am0, am0+2, map[string]listedMoving{})
	huge := msg("G", "FAILED", at0.Add(70*time.Second))
	huge.AlternateWebLink = strings.Repeat("x", 1<<20)
	patchWith(rs, changed, huge)
	if b, _ := rs.usage(); b > bound {
		t.Errorf("the store takes %d bytes, bound %d", b, bound)
	}
	checkAccounting(t, rs)
}

// TestLongRetryKeepsItsStart: a message retrying for four weeks (longer than a row's 32-bit duration in
// milliseconds holds), and one whose LogStart a tenant puts after its LogEnd, are given back with the
// LogStart the tenant listed (the failed-messages list shows it), to the millisecond; a patched one too.
func TestLongRetryKeepsItsStart(t *testing.T) {
	long := msg("LONG", "RETRY", at0.Add(10*time.Second+7*time.Millisecond))
	long.LogStart.Time = at0.Add(-28*24*time.Hour + 123*time.Millisecond)
	ahead := msg("AHEAD", "FAILED", at0.Add(20*time.Second))
	ahead.LogStart.Time = at0.Add(30 * 24 * time.Hour)
	short := msg("SHORT", "FAILED", at0.Add(30*time.Second))
	rs := settledStore(t, DefaultStoreBytes, 1, long, ahead, short)
	starts := func() map[string]time.Time {
		blocks, nm := rs.snapshot(am0, am0+1)
		out := map[string]time.Time{}
		for i := range blocks[0].rows {
			r := blocks[0].row(i, &nm)
			out[r.MessageGuid] = r.LogStart.Time
		}
		return out
	}
	want := map[string]time.Time{"LONG": long.LogStart.Time, "AHEAD": ahead.LogStart.Time, "SHORT": short.LogStart.Time}
	for g, at := range starts() {
		if !at.Equal(want[g]) {
			t.Errorf("%s started %v, the tenant says %v", g, at, want[g])
		}
	}
	changed, _ := rs.changedMoving(am0, am0+1, map[string]listedMoving{})
	failed := long
	failed.Status = "FAILED"
	failed.LogStart.Time = at0.Add(-29 * 24 * time.Hour)
	patchWith(rs, changed, failed)
	if at := starts()["LONG"]; !at.Equal(failed.LogStart.Time) {
		t.Errorf("patched LONG started %v, the tenant says %v", at, failed.LogStart.Time)
	}
}

// FuzzPatch drives the store through reads, checks with their reads by id or rereads, and a tenant whose
// retries move forward, end, or vanish (ops: 4 bytes each), and checks after every step that the store
// accounts for what it holds, keeps no extra without its row, holds each row in its minute, watches only
// retries it holds, and holds no message twice in the minutes it would answer from.
func FuzzPatch(f *testing.F) {
	f.Add([]byte{0, 0, 5, 0, 1, 1, 3, 0, 2, 0, 0, 2, 0, 3, 2, 0, 2, 1, 1, 0})
	f.Add([]byte{0, 0, 5, 0, 1, 2, 1, 1, 2, 0, 0, 3, 1, 2, 4, 2, 0, 4, 1, 0, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		at := at0.Add(time.Hour)
		type msgState struct {
			m      int64
			status string
			gone   bool
		}
		statuses := []string{"RETRY", "PROCESSING", "FAILED", "COMPLETED"}
		tenant := map[string]*msgState{}
		for j := 0; j < 6; j++ {
			tenant[fmt.Sprintf("G%d", j)] = &msgState{m: am0 + int64(j%3), status: statuses[j%2]}
		}
		rowOf := func(g string) mplRow {
			s := tenant[g]
			return msg(g, s.status, time.UnixMilli(s.m*60_000+int64(g[1])*100))
		}
		rs := newRowStore(DefaultStoreBytes)
		for len(ops) >= 4 {
			op, a, b, c := ops[0]%4, ops[1], ops[2], ops[3]
			ops = ops[4:]
			switch op {
			case 0: // read minutes [a, a+1+b%3) as the tenant has them now
				lo := am0 + int64(a%6)
				hi := lo + 1 + int64(b%3)
				var rows []mplRow
				for g, s := range tenant {
					if !s.gone && s.m >= lo && s.m < hi {
						rows = append(rows, rowOf(g))
					}
				}
				commitFill(t, fillStore(t, rs, lo, hi, at, rows...), at)
			case 1: // a retry moves forward, ends in place or elsewhere, or vanishes
				s := tenant[fmt.Sprintf("G%d", a%6)]
				if s.gone || !moving(s.status) {
					continue
				}
				s.m = min(s.m+int64(b%3), am0+7)
				s.status = statuses[c%4]
				s.gone = c%7 == 6
			case 2, 3: // a check: patched from answers by id (c: which are answered), or minutes read again
				listed := map[string]listedMoving{}
				for g, s := range tenant {
					if !s.gone && moving(s.status) {
						listed[g] = listedMoving{s.m, s.status}
					}
				}
				changed, _ := rs.changedMoving(am0, am0+8, listed)
				if op == 3 {
					rs.reread(changed)
					break
				}
				outcomes := make([]patchOutcome, len(changed))
				for i, ch := range changed {
					switch s := tenant[ch.guid]; {
					case (c>>(i%8))&1 == 1:
					case s.gone: // not found by its id: no answer
					default:
						r := rowOf(ch.guid)
						outcomes[i].row = &r
					}
				}
				rs.patch(changed, outcomes)
			}
			checkAccounting(t, rs)
			extrasHeld(t, rs)
			rs.mu.Lock()
			seen := map[string]int64{}
			for m, blk := range rs.minutes {
				for _, r := range blk.rows {
					if minuteOf(time.UnixMilli(r.end)) != m {
						t.Errorf("a row of minute %d held in %d", minuteOf(time.UnixMilli(r.end)), m)
					}
					if r.extra == 0 || blk.readAt.IsZero() {
						continue
					}
					g := blk.extras[r.extra-1].guid
					if other, twice := seen[g]; twice {
						t.Errorf("%s held at minutes %d and %d", g, other-am0, m-am0)
					}
					seen[g] = m
				}
			}
			for g, m := range rs.moves {
				blk := rs.minutes[m]
				if blk == nil {
					t.Errorf("%s watched at minute %d, which is not held", g, m-am0)
					continue
				}
				if i := blk.find(g); i < 0 || !moving(rs.names.statuses.vals[blk.rows[i].status]) {
					t.Errorf("%s watched at minute %d, which does not hold it as RETRY or PROCESSING", g, m-am0)
				}
			}
			rs.mu.Unlock()
			if t.Failed() {
				t.FailNow()
			}
		}
	})
}

// TestReadListedBeforePatchCommittedAfter: a read of a minute lists a held retry there; before that read
// commits, a check (another query's) finds the retry changed and patches it from its answer by id: moved
// to a later minute the store holds, or ended in place. The read, committed after the patch, must not put
// back what it listed before the change: the store then holds each message once, where and as the
// tenant has it. A message the read found that the check did not touch is kept.
func TestReadListedBeforePatchCommittedAfter(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  mplRow // G as the tenant has it once it changed
	}{
		{"moved", msg("G", "FAILED", at0.Add(3*time.Minute+5*time.Second))},
		{"ended in place", msg("G", "FAILED", at0.Add(10*time.Second))},
		{"moved still retrying", msg("G", "RETRY", at0.Add(3*time.Minute+5*time.Second))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The tenant's rows; the store read minutes 0–3 once they settled.
			tenant := map[string]mplRow{
				"A": msg("A", "FAILED", at0.Add(20*time.Second)),
				"G": msg("G", "RETRY", at0.Add(10*time.Second)),
				"B": msg("B", "FAILED", at0.Add(3*time.Minute+time.Second)),
			}
			rows := func() []mplRow {
				var out []mplRow
				for _, r := range tenant {
					out = append(out, r)
				}
				return out
			}
			rs := settledStore(t, DefaultStoreBytes, 4, rows()...)
			// A read of minutes 0–1 (its pages listed now) and a log of minute 1 written late.
			tenant["L"] = msg("L", "FAILED", at0.Add(80*time.Second))
			read := fillStore(t, rs, am0, am0+2, settledAt, tenant["G"], tenant["A"], tenant["L"])
			// G changes; the check lists the tenant's retries and patches G from its answer by id.
			tenant["G"] = tc.now
			listed := map[string]listedMoving{}
			for g, r := range tenant {
				if moving(r.Status) {
					listed[g] = listedMoving{minuteOf(r.LogEnd.Time), r.Status}
				}
			}
			changed, _ := rs.changedMoving(am0, am0+4, listed)
			if n := patchWith(rs, changed, tenant["G"]); n != 1 {
				t.Fatalf("%d messages patched, want G", n)
			}
			commitFill(t, read, settledAt)

			heldAsTenant(t, rs, tenant)
			if m, ok := watched(rs, "G"); ok != moving(tc.now.Status) || ok && m != minuteOf(tc.now.LogEnd.Time) {
				t.Errorf("G watched %v at minute %d; the tenant has it %s at %d", ok, m, tc.now.Status, minuteOf(tc.now.LogEnd.Time))
			}
			checkAccounting(t, rs)
			extrasHeld(t, rs)
		})
	}
}

// TestReadAfterOlderPatchKeepsWatch: a read lists a retry that moved twice at its newest minute (FAILED)
// while a check, from an older answer by id, moves it out of the minute the store held it at to a
// minute between (still RETRY); the read commits after. Removing the message from the minute the read
// found it had left must not stop watching it where the check put it: the next check then finds it
// ended and holds it once, where the tenant has it.
func TestReadAfterOlderPatchKeepsWatch(t *testing.T) {
	rs := settledStore(t, DefaultStoreBytes, 6, msg("A", "FAILED", at0.Add(20*time.Second)), msg("G", "RETRY", at0.Add(10*time.Second)))
	// G retried at minute 3, then failed at minute 5; the read of minute 5 lists it there.
	now := msg("G", "FAILED", at0.Add(5*time.Minute+5*time.Second))
	read := fillStore(t, rs, am0+5, am0+6, settledAt, now)
	// The check listed G at minute 3 and read it by id before it failed.
	changed, _ := rs.changedMoving(am0, am0+6, map[string]listedMoving{"G": {am0 + 3, "RETRY"}})
	if n := patchWith(rs, changed, msg("G", "RETRY", at0.Add(3*time.Minute+5*time.Second))); n != 1 {
		t.Fatalf("%d messages patched, want G", n)
	}
	commitFill(t, read, settledAt)
	// The next check: the tenant lists no retry.
	changed, _ = rs.changedMoving(am0, am0+6, map[string]listedMoving{})
	patchWith(rs, changed, now)
	want := fmt.Sprintf("[%d:FAILED]", am0+5)
	if got := fmt.Sprint(heldMinutes(rs)["G"]); got != want {
		t.Errorf("G held at %s, the tenant has it at %s", got, want)
	}
	checkAccounting(t, rs)
}

// TestReadListedRetryBeforePatchMovedItOn: a read lists a held retry at a minute it retried to, outside
// the minutes a check then changes; the check, from its later answer by id, moves it on to a later
// minute of the same read (still retrying, or failed there). The read, committed after, leaves that
// later minute as the check made it; it must not keep the message at the minute it listed it at too:
// the store holds it once, where and as the tenant has it.
func TestReadListedRetryBeforePatchMovedItOn(t *testing.T) {
	for _, status := range []string{"RETRY", "FAILED"} {
		t.Run(status, func(t *testing.T) {
			tenant := map[string]mplRow{
				"A": msg("A", "FAILED", at0.Add(20*time.Second)),
				"G": msg("G", "RETRY", at0.Add(10*time.Second)),
			}
			rs := settledStore(t, DefaultStoreBytes, 4, tenant["A"], tenant["G"])
			// G retried at minute 1; a read of minutes 1–3 lists it there.
			tenant["G"] = msg("G", "RETRY", at0.Add(time.Minute+5*time.Second))
			read := fillStore(t, rs, am0+1, am0+4, settledAt, tenant["G"])
			// G retried again at minute 2; the check lists it there and reads it by id.
			tenant["G"] = msg("G", status, at0.Add(2*time.Minute+5*time.Second))
			listed := map[string]listedMoving{}
			if moving(status) {
				listed["G"] = listedMoving{am0 + 2, status}
			}
			changed, _ := rs.changedMoving(am0, am0+4, listed)
			if n := patchWith(rs, changed, tenant["G"]); n != 1 {
				t.Fatalf("%d messages patched, want G", n)
			}
			commitFill(t, read, settledAt)

			heldAsTenant(t, rs, tenant)
			if m, ok := watched(rs, "G"); ok != moving(status) || ok && m != am0+2 {
				t.Errorf("G watched %v at minute %d; the tenant has it %s at %d", ok, m, status, am0+2)
			}
			checkAccounting(t, rs)
			extrasHeld(t, rs)
		})
	}
}

// TestReadBeforePatchAfterOtherReadRemoves: a check ends a held retry in place; before a read that
// listed its minute earlier commits, another read finds a second retry of that minute moved on and
// removes it from there. The older read must still leave the minute as the check made it (less the
// message that moved): the store holds each message once, where and as the tenant has it.
func TestReadBeforePatchAfterOtherReadRemoves(t *testing.T) {
	tenant := map[string]mplRow{
		"G": msg("G", "RETRY", at0.Add(10*time.Second)),
		"Y": msg("Y", "RETRY", at0.Add(20*time.Second)),
	}
	rs := settledStore(t, DefaultStoreBytes, 4, tenant["G"], tenant["Y"])
	// A read of minute 0 lists both retries as they were.
	older := fillStore(t, rs, am0, am0+1, settledAt, tenant["G"], tenant["Y"])
	// G fails in place; the check patches it.
	tenant["G"] = msg("G", "FAILED", at0.Add(10*time.Second))
	changed, _ := rs.changedMoving(am0, am0+4, map[string]listedMoving{"Y": {am0, "RETRY"}})
	if n := patchWith(rs, changed, tenant["G"]); n != 1 {
		t.Fatalf("%d messages patched, want G", n)
	}
	// Y retries at minute 2; a read of minute 2 lists it there and commits.
	tenant["Y"] = msg("Y", "RETRY", at0.Add(2*time.Minute+5*time.Second))
	commitFill(t, fillStore(t, rs, am0+2, am0+3, settledAt, tenant["Y"]), settledAt)
	commitFill(t, older, settledAt)

	heldAsTenant(t, rs, tenant)
	checkAccounting(t, rs)
}

// heldAsTenant checks that the store holds each of the tenant's messages once, at its minute with its
// status.
func heldAsTenant(t *testing.T, rs *rowStore, tenant map[string]mplRow) {
	t.Helper()
	want := map[string][]string{}
	for g, r := range tenant {
		want[g] = []string{fmt.Sprintf("%d:%s", minuteOf(r.LogEnd.Time), r.Status)}
	}
	if got := heldMinutes(rs); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the store holds %v, the tenant has %v", got, want)
	}
}

// TestDropExtras: dropping some extras keeps every other row pointing at its own (by id) and the block's
// bytes those of what it holds.
func TestDropExtras(t *testing.T) {
	ids := []string{"A", "B", "C", "D", "E"}
	b := &minuteBlock{}
	for i, id := range ids {
		e := rowExtra{guid: id}
		b.extras = append(b.extras, e)
		b.rows = append(b.rows, storedRow{end: int64(i), extra: uint32(i + 1)})
		b.bytes += storedRowBytes + e.bytes()
	}
	b.rows = append(b.rows, storedRow{end: 9}) // a COMPLETED row: no extra
	b.bytes += storedRowBytes
	// Rows B and D are gone (their rows already removed, as commit does).
	b.rows = slices.DeleteFunc(b.rows, func(r storedRow) bool { return r.end == 1 || r.end == 3 })
	b.bytes -= 2 * storedRowBytes
	b.dropExtras([]bool{false, true, false, true, false})
	var got []string
	for _, r := range b.rows {
		if r.extra == 0 {
			got = append(got, "-")
			continue
		}
		got = append(got, b.extras[r.extra-1].guid)
	}
	if want := []string{"A", "C", "E", "-"}; !slices.Equal(got, want) {
		t.Errorf("rows point at %v, want %v", got, want)
	}
	want := int64(len(b.rows)) * storedRowBytes
	for _, e := range b.extras {
		want += e.bytes()
	}
	if len(b.extras) != 3 || b.bytes != want {
		t.Errorf("%d extras, %d bytes accounted, holds %d", len(b.extras), b.bytes, want)
	}
}
