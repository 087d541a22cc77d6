package oquery

import (
	"time"
)

// Walk visits x and its operands depth-first; fn returning false skips a node's operands. The simulator
// uses it to enforce per-collection restrictions (e.g. "only or, no nesting" on IntegrationRuntimeArtifacts).
func Walk(x Expr, fn func(Expr) bool) {
	if x == nil || !fn(x) {
		return
	}
	switch n := x.(type) {
	case *Compare:
		Walk(n.Left, fn)
		Walk(n.Right, fn)
	case *And:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Or:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Not:
		Walk(n.X, fn)
	case *Call:
		for _, a := range n.Args {
			Walk(a, fn)
		}
	}
}

// Properties lists the property paths x refers to, each once, in order of appearance, so the caller can
// check them against the entity type and answer PropertyNotFound.
func Properties(x Expr) []string {
	var out []string
	seen := map[string]bool{}
	Walk(x, func(n Expr) bool {
		if p, ok := n.(*Property); ok && !seen[p.Path] {
			seen[p.Path] = true
			out = append(out, p.Path)
		}
		return true
	})
	return out
}

// TimeBounds returns the window [from, to) of a DateTime property that every matching row must lie in, so
// the simulator only generates that window. nil means unbounded on that side.
//
// Top-level "and" terms intersect: LogStart ge datetime'A' and LogStart lt datetime'B' gives [A, B).
// gt and le are turned into half-open bounds by adding one nanosecond (gt A → from A+1ns, le B → to B+1ns),
// eq A gives [A, A+1ns). Operands may be either way round (datetime'A' lt LogStart). An "or" bounds a side
// only when every branch does (the hull of the branches); "not" and anything else bound nothing. The result
// is always a superset of the matching rows (the filter still has to be applied) and may be empty
// (from ≥ to) for contradictory filters.
func TimeBounds(expr Expr, property string) (from, to *time.Time) {
	f, t, okF, okT := bounds(expr, property)
	if okF {
		from = &f
	}
	if okT {
		to = &t
	}
	return from, to
}

func bounds(x Expr, prop string) (from, to time.Time, okFrom, okTo bool) {
	switch n := x.(type) {
	case *And:
		for _, term := range n.Terms {
			f, t, of, ot := bounds(term, prop)
			if of && (!okFrom || f.After(from)) {
				from, okFrom = f, true
			}
			if ot && (!okTo || t.Before(to)) {
				to, okTo = t, true
			}
		}
	case *Or:
		okFrom, okTo = true, true
		for i, term := range n.Terms {
			f, t, of, ot := bounds(term, prop)
			okFrom = okFrom && of
			okTo = okTo && ot
			if i == 0 || (of && f.Before(from)) {
				from = f
			}
			if i == 0 || (ot && t.After(to)) {
				to = t
			}
		}
		if !okFrom {
			from = time.Time{}
		}
		if !okTo {
			to = time.Time{}
		}
	case *Compare:
		path, lit, op, ok := propertyVsLiteral(n)
		if !ok || path != prop {
			break
		}
		ts, ok := lit.(time.Time)
		if !ok {
			break
		}
		switch op {
		case OpGe:
			return ts, time.Time{}, true, false
		case OpGt:
			return ts.Add(time.Nanosecond), time.Time{}, true, false
		case OpLt:
			return time.Time{}, ts, false, true
		case OpLe:
			return time.Time{}, ts.Add(time.Nanosecond), false, true
		case OpEq:
			return ts, ts.Add(time.Nanosecond), true, true
		}
	}
	return from, to, okFrom, okTo
}

// propertyVsLiteral normalises "path op literal" and "literal op path" to the former.
func propertyVsLiteral(c *Compare) (path string, lit Value, op Op, ok bool) {
	if p, isProp := c.Left.(*Property); isProp {
		if l, isLit := c.Right.(*Literal); isLit {
			return p.Path, normalize(l.Value), c.Op, true
		}
	}
	if p, isProp := c.Right.(*Property); isProp {
		if l, isLit := c.Left.(*Literal); isLit {
			return p.Path, normalize(l.Value), c.Op.flip(), true
		}
	}
	return "", nil, 0, false
}

// Equalities returns, per property path, the values a matching row can have according to "path eq
// literal" terms: top-level "and" terms intersect (Status eq 'A' and Status eq 'B' gives an empty, non-nil
// list: nothing matches), an "or" contributes a path only when every branch constrains it and then gives
// the union ((Status eq 'A' or Status eq 'B') gives both). Paths without such a constraint are absent; the
// map is nil when there is none. "eq null" contributes a nil value. Used to narrow generation
// (Status, IntegrationArtifact/Id, MessageGuid); the filter still has to be applied.
func Equalities(expr Expr) map[string][]Value {
	return equalities(expr)
}

func equalities(x Expr) map[string][]Value {
	switch n := x.(type) {
	case *Compare:
		if n.Op != OpEq {
			return nil
		}
		if path, lit, _, ok := propertyVsLiteral(n); ok {
			return map[string][]Value{path: {lit}}
		}
	case *And:
		var out map[string][]Value
		for _, t := range n.Terms {
			for path, vals := range equalities(t) {
				if out == nil {
					out = map[string][]Value{}
				}
				if prev, seen := out[path]; seen {
					out[path] = intersect(prev, vals)
				} else {
					out[path] = vals
				}
			}
		}
		return out
	case *Or:
		var out map[string][]Value
		for i, t := range n.Terms {
			m := equalities(t)
			if len(m) == 0 {
				return nil
			}
			if i == 0 {
				out = m
				continue
			}
			for path, vals := range out {
				more, ok := m[path]
				if !ok {
					delete(out, path)
					continue
				}
				out[path] = union(vals, more)
			}
			if len(out) == 0 {
				return nil
			}
		}
		return out
	}
	return nil
}

func valueEqual(a, b Value) bool {
	r, ok := compare(OpEq, a, b)
	return ok && r == true
}

func contains(vals []Value, v Value) bool {
	for _, w := range vals {
		if valueEqual(w, v) {
			return true
		}
	}
	return false
}

func intersect(a, b []Value) []Value {
	out := []Value{}
	for _, v := range a {
		if contains(b, v) && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func union(a, b []Value) []Value {
	out := make([]Value, 0, len(a)+len(b))
	for _, v := range append(append([]Value(nil), a...), b...) {
		if !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
