package messages

// The rows of the messages list by column, built as pages arrive: a page's rows are appended to the
// columns of its own chunk (keyed by slice and page, which order the rows newest first) and the decoded
// page is dropped. Values that repeat from row to row (status, iFlow, package, sender, receiver…) are
// kept once, in a dictionary, and the columns hold their index; a monitor link is kept as the text
// around the message id. Once every page is in, the chunks are joined in order, each message once, up
// to the cap.

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// maxIndexed bounds the values the dictionary looks up: a tenant whose values never repeat gains
// nothing from the lookup table (its values are still kept, once per row).
const maxIndexed = 4096

// noTail marks a link kept whole in the dictionary (it does not hold the message id).
const noTail = math.MaxUint32

// dictionary keeps repeating values once.
type dictionary struct{ interner[string] }

func (d *dictionary) id(s string) uint32 {
	i, _ := d.intern(s)
	return i
}

// listRows are rows of the messages list by column.
type listRows struct {
	dict                                                           *dictionary
	end, start                                                     []time.Time // start zero: unknown
	guid, corr, appID                                              []string
	status, iflow, iflowID, pkg, sender, receiver, appType, custom []uint32 // dictionary indexes
	failed                                                         []string // the ids of the FAILED rows, in order (of a whole list)
	// The link (odata.WebLink of AlternateWebLink) is dict[linkHead] + guid + dict[linkTail], or
	// dict[linkHead] when linkTail is noTail.
	linkHead, linkTail []uint32
}

func (l *listRows) len() int { return len(l.guid) }

// at is row i of a dictionary column.
func (l *listRows) at(col []uint32, i int) string { return l.dict.vals[col[i]] }

// strings expands a dictionary column.
func (l *listRows) strings(col []uint32) []string {
	out := make([]string, len(col))
	for i, id := range col {
		out[i] = l.dict.vals[id]
	}
	return out
}

func (l *listRows) link(i int) string {
	if l.linkTail[i] == noTail {
		return l.dict.vals[l.linkHead[i]]
	}
	return l.dict.vals[l.linkHead[i]] + l.guid[i] + l.dict.vals[l.linkTail[i]]
}

// linkShape is a monitor link without its message id: a tenant's links differ only in the id.
type linkShape struct {
	head, tail string
	idLen      int
}

// linkShapes remembers of each link shape whether it is a web link (odata.WebLink parses every link
// it is asked about, which took a tenth of the list's time).
type linkShapes map[linkShape]bool

// webLink is odata.WebLink(s) and where the message id g is in it (-1: not, or no link). The shape
// decides when g cannot change how the link parses: g is letters, digits, '-' and '_' (nothing that ends
// a part of a URL or an escape), and it comes after a '/' that follows "://" (past the host), no escape
// open before it.
func (ls linkShapes) webLink(s, g string) (string, int) {
	s = strings.TrimSpace(s)
	at := -1
	if g != "" {
		at = strings.Index(s, g)
	}
	if at < 0 || !plainID(g) || !pastHost(s[:at]) {
		s = odata.WebLink(s)
		if at >= 0 && s == "" {
			at = -1
		}
		return s, at
	}
	shape := linkShape{s[:at], s[at+len(g):], len(g)}
	ok, known := ls[shape]
	if !known {
		ok = odata.WebLink(s) != ""
		if len(ls) < maxIndexed {
			ls[shape] = ok
		}
	}
	if !ok {
		return "", -1
	}
	return s, at
}

func plainID(g string) bool {
	return g != "" && strings.IndexFunc(g, func(c rune) bool {
		return (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_'
	}) < 0
}

func pastHost(head string) bool {
	i := strings.Index(head, "://")
	return i >= 0 && strings.Contains(head[i+3:], "/") && !strings.Contains(head[max(len(head)-2, 0):], "%")
}

// pageKey orders the pages of a scan: slice, then page within the slice.
type pageKey struct{ slice, page int }

// listBuilder collects the pages of a list (scanPages calls add and sliceDone, never concurrently).
// The rows of the slices done, every slice before them done too, are final: they are marked (each
// message once, up to the cap) as soon as that is so, and the failed ones among them are known before
// the other slices are in (their error texts can be read meanwhile).
type listBuilder struct {
	dict    *dictionary
	maxRows int
	chunks  map[pageKey]*listRows
	done    map[int]bool
	next    int // the first slice not marked
	seen    map[string]struct{}
	n       int         // rows marked to keep
	marked  []*listRows // the chunks marked, in order
	keep    [][]bool    // per marked chunk, its rows kept
	failed  []string    // the FAILED messages among the rows kept, in order
	links   linkShapes
}

func newListBuilder(maxRows int) *listBuilder {
	return &listBuilder{dict: &dictionary{interner[string]{limit: maxIndexed}}, maxRows: maxRows,
		chunks: map[pageKey]*listRows{}, done: map[int]bool{}, seen: map[string]struct{}{}, links: linkShapes{}}
}

// add appends a page's rows to the chunk of its key.
func (b *listBuilder) add(slice, page int, rows []mplRow) error {
	c := b.chunks[pageKey{slice, page}]
	if c == nil {
		// Sized for the rows at hand (decoded, not a number sent): a scan gives each key one page.
		n := len(rows)
		c = &listRows{dict: b.dict, end: make([]time.Time, 0, n), start: make([]time.Time, 0, n),
			guid: make([]string, 0, n), corr: make([]string, 0, n), appID: make([]string, 0, n)}
		for _, col := range []*[]uint32{&c.status, &c.iflow, &c.iflowID, &c.pkg, &c.sender, &c.receiver, &c.appType,
			&c.custom, &c.linkHead, &c.linkTail} {
			*col = make([]uint32, 0, n)
		}
		b.chunks[pageKey{slice, page}] = c
	}
	d := b.dict
	for i := range rows {
		m := &rows[i]
		c.end = append(c.end, m.LogEnd.Time)
		c.start = append(c.start, m.LogStart.Time)
		c.guid = append(c.guid, m.MessageGuid)
		c.corr = append(c.corr, m.CorrelationID)
		c.appID = append(c.appID, m.ApplicationMessageID)
		c.status = append(c.status, d.id(m.Status))
		c.iflow = append(c.iflow, d.id(nameOr(m.IntegrationArtifact.Name, m.IntegrationArtifact.ID)))
		c.iflowID = append(c.iflowID, d.id(m.IntegrationArtifact.ID))
		c.pkg = append(c.pkg, d.id(m.IntegrationArtifact.PackageID))
		c.sender = append(c.sender, d.id(m.Sender))
		c.receiver = append(c.receiver, d.id(m.Receiver))
		c.appType = append(c.appType, d.id(m.ApplicationMessageType))
		c.custom = append(c.custom, d.id(m.CustomStatus))
		link, at := b.links.webLink(m.AlternateWebLink, m.MessageGuid)
		if at >= 0 {
			c.linkHead = append(c.linkHead, d.id(link[:at]))
			c.linkTail = append(c.linkTail, d.id(link[at+len(m.MessageGuid):]))
		} else {
			c.linkHead = append(c.linkHead, d.id(link))
			c.linkTail = append(c.linkTail, noTail)
		}
	}
	return nil
}

// sliceDone records that a slice delivered all its pages and marks the slices now final; it reports
// whether any was.
func (b *listBuilder) sliceDone(slice int) bool {
	b.done[slice] = true
	start := b.next
	for ; b.done[b.next]; b.next++ {
		var pages []int
		for k := range b.chunks {
			if k.slice == b.next {
				pages = append(pages, k.page)
			}
		}
		slices.Sort(pages)
		b.markKeys(pages, b.next)
	}
	return b.next > start
}

// markKeys marks the given pages of a slice, in order.
func (b *listBuilder) markKeys(pages []int, slice int) {
	for _, page := range pages {
		key := pageKey{slice, page}
		c := b.chunks[key]
		delete(b.chunks, key)
		keep := make([]bool, c.len())
		for i, g := range c.guid {
			if _, dup := b.seen[g]; dup || b.n >= b.maxRows {
				continue
			}
			b.seen[g] = struct{}{}
			keep[i] = true
			b.n++
			if b.dict.vals[c.status[i]] == "FAILED" {
				b.failed = append(b.failed, g)
			}
		}
		b.marked = append(b.marked, c)
		b.keep = append(b.keep, keep)
	}
}

// rows marks the chunks not marked yet in key order and joins them all, keeping each message once (a
// message still running moves its LogEnd between two pages and may be listed twice; its first, newest,
// row is kept) and at most maxRows rows. The chunks are released column by column as they are joined.
func (b *listBuilder) rows() *listRows {
	keys := slices.SortedFunc(maps.Keys(b.chunks), func(a, c pageKey) int {
		if a.slice != c.slice {
			return a.slice - c.slice
		}
		return a.page - c.page
	})
	for _, k := range keys {
		b.markKeys([]int{k.page}, k.slice)
	}
	chunks, keep, n := b.marked, b.keep, b.n
	b.chunks, b.marked, b.keep, b.seen = nil, nil, nil, nil
	out := &listRows{dict: b.dict, failed: b.failed}
	out.end = joinKept(chunks, keep, n, func(c *listRows) *[]time.Time { return &c.end })
	out.start = joinKept(chunks, keep, n, func(c *listRows) *[]time.Time { return &c.start })
	out.guid = joinKept(chunks, keep, n, func(c *listRows) *[]string { return &c.guid })
	out.corr = joinKept(chunks, keep, n, func(c *listRows) *[]string { return &c.corr })
	out.appID = joinKept(chunks, keep, n, func(c *listRows) *[]string { return &c.appID })
	for _, col := range []func(*listRows) *[]uint32{
		func(c *listRows) *[]uint32 { return &c.status }, func(c *listRows) *[]uint32 { return &c.iflow },
		func(c *listRows) *[]uint32 { return &c.iflowID }, func(c *listRows) *[]uint32 { return &c.pkg },
		func(c *listRows) *[]uint32 { return &c.sender }, func(c *listRows) *[]uint32 { return &c.receiver },
		func(c *listRows) *[]uint32 { return &c.appType }, func(c *listRows) *[]uint32 { return &c.custom },
		func(c *listRows) *[]uint32 { return &c.linkHead }, func(c *listRows) *[]uint32 { return &c.linkTail },
	} {
		*col(out) = joinKept(chunks, keep, n, col)
	}
	return out
}

// joinKept joins one column of the chunks, the kept rows only, drops the chunks' column and returns
// the joined column.
func joinKept[T any](chunks []*listRows, keep [][]bool, n int, col func(*listRows) *[]T) []T {
	out := make([]T, 0, n)
	for k, c := range chunks {
		vals := col(c)
		for i, v := range *vals {
			if keep[k][i] {
				out = append(out, v)
			}
		}
		*vals = nil
	}
	return out
}
