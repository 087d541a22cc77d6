package oquery

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// OrderTerm is one $orderby item.
type OrderTerm struct {
	Path string
	Desc bool
}

// Sort orders rows by the terms, stably (rows equal on every key keep their order, which keeps paging
// deterministic). Nulls sort first ascending and therefore last descending, as OData specifies. Values of
// different kinds (which a well-typed property never has) are ordered by kind so the order stays total.
// Each row's keys are read once, not once per comparison.
func Sort(rows []Entity, terms []OrderTerm) {
	if len(rows) < 2 || len(terms) == 0 {
		return
	}
	k := len(terms)
	keys := make([]Value, len(rows)*k)
	for i, r := range rows {
		for j, t := range terms {
			v, _ := r.Get(t.Path) // unknown paths sort as null; validating them is the caller's job
			keys[i*k+j] = normalize(v)
		}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		for j, t := range terms {
			c := CompareValues(keys[a*k+j], keys[b*k+j])
			if c != 0 {
				if t.Desc {
					return -c
				}
				return c
			}
		}
		return 0
	})
	sorted := make([]Entity, len(rows))
	for i, j := range idx {
		sorted[i] = rows[j]
	}
	copy(rows, sorted)
}

// CompareValues orders two values for $orderby: null first, then by kind (bool, number, string, DateTime),
// within a kind naturally (false < true, numbers across int64/float64, strings ordinally, instants).
func CompareValues(a, b Value) int {
	a, b = normalize(a), normalize(b)
	ra, rb := kindRank(a), kindRank(b)
	if ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch av := a.(type) {
	case bool:
		bv := b.(bool)
		switch {
		case av == bv:
			return 0
		case !av:
			return -1
		}
		return 1
	case int64:
		if bv, ok := b.(int64); ok {
			return cmp.Compare(av, bv)
		}
		return cmp.Compare(float64(av), b.(float64))
	case float64:
		if bv, ok := b.(int64); ok {
			return cmp.Compare(av, float64(bv))
		}
		return cmp.Compare(av, b.(float64))
	case string:
		return strings.Compare(av, b.(string))
	case time.Time:
		return av.Compare(b.(time.Time))
	}
	return 0
}

func kindRank(v Value) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case int64, float64:
		return 2
	case string:
		return 3
	case time.Time:
		return 4
	}
	return 5
}
