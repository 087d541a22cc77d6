package messages

// interner numbers values in the order they are first seen, so that rows and columns hold small numbers
// instead of repeating strings. Beyond limit distinct values (0: no limit) a new value is still numbered
// but no longer looked up: a tenant whose values never repeat gains nothing from the map.
type interner[K comparable] struct {
	vals  []K
	index map[K]uint32
	limit int
}

// intern is v's number; added reports that v was numbered now.
func (in *interner[K]) intern(v K) (n uint32, added bool) {
	if i, ok := in.index[v]; ok {
		return i, false
	}
	if in.index == nil {
		in.index = map[K]uint32{}
	}
	n = uint32(len(in.vals)) //nolint:gosec // the callers bound their values (rows, bytes) far below 2^32
	in.vals = append(in.vals, v)
	if in.limit == 0 || len(in.index) < in.limit {
		in.index[v] = n
	}
	return n, true
}
