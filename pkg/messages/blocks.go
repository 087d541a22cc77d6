package messages

// Blocks: the rows of settled scan slices, kept in the store so that a refresh reads only the slices at
// the edges of its range. A slice is identified by its query (filters, $select, window); its window is
// aligned to absolute time (splitWindow), so the next refresh asks for the same slice. By the settle rule
// (run.reqCtx) a slice is kept for settledTTL on the query clock, then read again (RETRY messages move
// their LogEnd). Memory is bounded by a number of rows (DefaultBlockRows; about 250 bytes each as
// decoded, most fields empty under $select), the oldest slices evicted first.

import (
	"container/list"
	"sync"
	"time"
)

// DefaultBlockRows bounds the rows the store keeps (≈ 75 MB at 250 bytes a row).
const DefaultBlockRows = 300_000

type blockStore struct {
	maxRows int

	mu    sync.Mutex
	rows  int
	byKey map[string]*list.Element
	order *list.List // oldest first; values *block
}

type block struct {
	key  string
	rows []mplRow
	at   time.Time // query clock when read
}

func newBlockStore(maxRows int) *blockStore {
	return &blockStore{maxRows: maxRows, byKey: map[string]*list.Element{}, order: list.New()}
}

// get returns the rows of a kept slice read less than settledTTL before now.
func (b *blockStore) get(key string, now time.Time) ([]mplRow, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.byKey[key]
	if !ok {
		return nil, false
	}
	bl := e.Value.(*block)
	if now.Sub(bl.at) >= settledTTL || now.Before(bl.at.Add(-settledTTL)) {
		b.remove(e)
		return nil, false
	}
	return bl.rows, true
}

// limit is the most rows the store keeps.
func (b *blockStore) limit() int { return b.maxRows }

// put keeps the rows of a slice (callers must not change them afterwards).
func (b *blockStore) put(key string, rows []mplRow, now time.Time) {
	if len(rows) > b.maxRows {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if e, ok := b.byKey[key]; ok {
		b.remove(e)
	}
	b.byKey[key] = b.order.PushBack(&block{key: key, rows: rows, at: now})
	b.rows += len(rows)
	for b.rows > b.maxRows {
		b.remove(b.order.Front())
	}
}

func (b *blockStore) remove(e *list.Element) {
	bl := e.Value.(*block)
	b.order.Remove(e)
	delete(b.byKey, bl.key)
	b.rows -= len(bl.rows)
}
