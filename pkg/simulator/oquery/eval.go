package oquery

import (
	"cmp"
	"strings"
	"time"
)

// Entity gives the engine access to one row's properties by OData path ("Status",
// "IntegrationArtifact/Id"). ok=false means the entity type has no such property.
type Entity interface {
	Get(path string) (Value, bool)
}

// Value is one of: nil, string, bool, int64, float64, time.Time (Edm.DateTime, always UTC).
// Other Go integer and float types are accepted and widened to int64/float64.
type Value = any

// Match reports whether the row satisfies the filter. A nil filter matches everything; a filter that
// evaluates to null (e.g. "Sender eq 'x'" compared with a null Sender through a function) does not match.
// Errors are *Error (400): type mismatches such as Status eq 1, or properties the row does not have.
func Match(expr Expr, e Entity) (bool, error) {
	if expr == nil {
		return true, nil
	}
	v, err := expr.Eval(e)
	if err != nil {
		return false, err
	}
	switch b := v.(type) {
	case bool:
		return b, nil
	case nil:
		return false, nil
	}
	return false, filterError(rawOf(expr), "The filter expression must evaluate to Edm.Boolean, got "+edmType(v)+".")
}

// rawOf returns the $filter text a parsed node came from ("" for hand-built nodes and literals).
func rawOf(x Expr) string {
	switch n := x.(type) {
	case *Property:
		return n.raw
	case *Compare:
		return n.raw
	case *And:
		return n.raw
	case *Or:
		return n.raw
	case *Not:
		return n.raw
	case *Call:
		return n.raw
	}
	return ""
}

// compare applies op. ok=false when the operand types cannot be compared (the caller reports 400).
// Rules: null eq null is true and null ne x is true; ordering with a null operand is false; strings compare
// ordinally (byte order = code point order for UTF-8), numbers across int64/float64, DateTimes by instant,
// booleans only with eq/ne.
func compare(op Op, a, b Value) (Value, bool) {
	if a == nil || b == nil {
		both := a == nil && b == nil
		switch op {
		case OpEq:
			return both, true
		case OpNe:
			return !both, true
		}
		return false, true
	}
	var c int
	switch av := a.(type) {
	case string:
		bv, ok := b.(string)
		if !ok {
			return retryNormalized(op, a, b)
		}
		c = strings.Compare(av, bv)
	case int64:
		switch bv := b.(type) {
		case int64:
			c = cmp.Compare(av, bv)
		case float64:
			c = cmp.Compare(float64(av), bv)
		default:
			return retryNormalized(op, a, b)
		}
	case float64:
		switch bv := b.(type) {
		case float64:
			c = cmp.Compare(av, bv)
		case int64:
			c = cmp.Compare(av, float64(bv))
		default:
			return retryNormalized(op, a, b)
		}
	case time.Time:
		bv, ok := b.(time.Time)
		if !ok {
			return retryNormalized(op, a, b)
		}
		c = av.Compare(bv)
	case bool:
		bv, ok := b.(bool)
		if !ok {
			return retryNormalized(op, a, b)
		}
		switch op {
		case OpEq:
			return av == bv, true
		case OpNe:
			return av != bv, true
		}
		return nil, false
	default:
		return retryNormalized(op, a, b)
	}
	switch op {
	case OpEq:
		return c == 0, true
	case OpNe:
		return c != 0, true
	case OpGt:
		return c > 0, true
	case OpGe:
		return c >= 0, true
	case OpLt:
		return c < 0, true
	case OpLe:
		return c <= 0, true
	}
	return nil, false
}

// retryNormalized is the slow path for values of other Go types (int, int32, float32, *time.Time …).
func retryNormalized(op Op, a, b Value) (Value, bool) {
	na, nb := normalize(a), normalize(b)
	if sameKind(na, a) && sameKind(nb, b) {
		return nil, false // nothing to widen: a genuine type mismatch
	}
	return compare(op, na, nb)
}

func sameKind(x, y Value) bool {
	switch x.(type) {
	case nil:
		return y == nil
	case string:
		_, ok := y.(string)
		return ok
	case bool:
		_, ok := y.(bool)
		return ok
	case int64:
		_, ok := y.(int64)
		return ok
	case float64:
		_, ok := y.(float64)
		return ok
	case time.Time:
		_, ok := y.(time.Time)
		return ok
	}
	return true // unknown type stays unknown: no progress possible
}

// normalize widens the Go types an Entity may reasonably return to the six Value kinds.
func normalize(v Value) Value {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time:
		return v
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		if uint64(x) <= 1<<63-1 {
			return int64(x)
		}
		return float64(x)
	case uint64:
		if x <= 1<<63-1 {
			return int64(x)
		}
		return float64(x)
	case float32:
		return float64(x)
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	case *string:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

// etype is a static (parse-time) type; tyUnknown for properties, whose type only the row knows.
type etype uint8

const (
	tyUnknown etype = iota
	tyNull
	tyBool
	tyString
	tyNumber
	tyDateTime
)

func (t etype) edm() string {
	switch t {
	case tyNull:
		return "null"
	case tyBool:
		return "Edm.Boolean"
	case tyString:
		return "Edm.String"
	case tyNumber:
		return "Edm.Decimal"
	case tyDateTime:
		return "Edm.DateTime"
	}
	return "unknown"
}

func typeOfValue(v Value) etype {
	switch normalize(v).(type) {
	case nil:
		return tyNull
	case bool:
		return tyBool
	case string:
		return tyString
	case int64, float64:
		return tyNumber
	case time.Time:
		return tyDateTime
	}
	return tyUnknown
}

// staticType is what can be known about x before seeing a row.
func staticType(x Expr) etype {
	switch n := x.(type) {
	case *Literal:
		return typeOfValue(n.Value)
	case *Compare, *And, *Or, *Not:
		return tyBool
	case *Call:
		if f, ok := functions[n.Name]; ok {
			return f.result
		}
	}
	return tyUnknown
}

// edmType names the type of a runtime value for messages.
func edmType(v Value) string {
	switch normalize(v).(type) {
	case nil:
		return "null"
	case bool:
		return "Edm.Boolean"
	case string:
		return "Edm.String"
	case int64:
		return "Edm.Int64"
	case float64:
		return "Edm.Double"
	case time.Time:
		return "Edm.DateTime"
	}
	return "unsupported type"
}
