package oquery

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Expr is a parsed $filter expression (or a part of it). Parse once, evaluate for every row.
// String renders it back as a canonical $filter that parses to the same tree.
type Expr interface {
	Eval(e Entity) (Value, error)
	String() string
}

// Op is a comparison operator.
type Op uint8

// Comparison operators of OData V2.
const (
	OpEq Op = iota + 1
	OpNe
	OpGt
	OpGe
	OpLt
	OpLe
)

var opNames = [...]string{OpEq: "eq", OpNe: "ne", OpGt: "gt", OpGe: "ge", OpLt: "lt", OpLe: "le"}

func (o Op) String() string {
	if int(o) < len(opNames) && o != 0 {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// flip returns the operator with the operands swapped (5 lt X ⇔ X gt 5).
func (o Op) flip() Op {
	switch o {
	case OpGt:
		return OpLt
	case OpGe:
		return OpLe
	case OpLt:
		return OpGt
	case OpLe:
		return OpGe
	}
	return o
}

func opFromKeyword(s string) Op {
	switch s {
	case "eq":
		return OpEq
	case "ne":
		return OpNe
	case "gt":
		return OpGt
	case "ge":
		return OpGe
	case "lt":
		return OpLt
	case "le":
		return OpLe
	}
	return 0
}

// Literal is a constant: nil, string, bool, int64, float64 or time.Time (UTC).
type Literal struct {
	Value Value
}

// Property is a property path such as Status or IntegrationArtifact/Id.
type Property struct {
	Path string
	raw  string // whole $filter, for messages
}

// Compare is Left Op Right.
type Compare struct {
	Op          Op
	Left, Right Expr
	raw, src    string // whole $filter and this comparison's text, for messages
}

// And is Terms[0] and Terms[1] and …; a chain of "and" is one node so evaluation and analysis do not
// recurse once per term.
type And struct {
	Terms    []Expr
	raw, src string
}

// Or is Terms[0] or Terms[1] or ….
type Or struct {
	Terms    []Expr
	raw, src string
}

// Not is "not X".
type Not struct {
	X        Expr
	raw, src string
}

// Call is a function call: substringof, startswith, endswith, tolower, toupper.
type Call struct {
	Name     string
	Args     []Expr
	fn       *function // resolved by the parser; looked up by Name for hand-built trees
	raw, src string
}

// ---- Eval ----

// Eval returns the constant.
func (x *Literal) Eval(Entity) (Value, error) { return x.Value, nil }

// Eval looks the path up on the row. A path the row does not know is an error rather than null, because
// it means the caller let an unknown property through (SAP answers 400 for those).
func (x *Property) Eval(e Entity) (Value, error) {
	v, ok := e.Get(x.Path)
	if !ok {
		return nil, PropertyNotFound("$filter", x.raw, x.Path)
	}
	return v, nil
}

// Eval compares both operands; see compare for the type rules.
func (x *Compare) Eval(e Entity) (Value, error) {
	a, err := x.Left.Eval(e)
	if err != nil {
		return nil, err
	}
	b, err := x.Right.Eval(e)
	if err != nil {
		return nil, err
	}
	r, ok := compare(x.Op, a, b)
	if !ok {
		return nil, filterError(x.raw, fmt.Sprintf("Operator '%s' is not applicable to operand types %s and %s in '%s'.",
			x.Op, edmType(a), edmType(b), clip(x.src)))
	}
	return r, nil
}

// Eval uses OData's three-valued logic: false wins, then null, then true. It stops at the first false.
func (x *And) Eval(e Entity) (Value, error) {
	sawNull := false
	for _, t := range x.Terms {
		v, err := t.Eval(e)
		if err != nil {
			return nil, err
		}
		switch b := v.(type) {
		case bool:
			if !b {
				return false, nil
			}
		case nil:
			sawNull = true
		default:
			return nil, notBoolean(x.raw, "and", x.src, v)
		}
	}
	if sawNull {
		return nil, nil
	}
	return true, nil
}

// Eval uses OData's three-valued logic: true wins, then null, then false. It stops at the first true.
func (x *Or) Eval(e Entity) (Value, error) {
	sawNull := false
	for _, t := range x.Terms {
		v, err := t.Eval(e)
		if err != nil {
			return nil, err
		}
		switch b := v.(type) {
		case bool:
			if b {
				return true, nil
			}
		case nil:
			sawNull = true
		default:
			return nil, notBoolean(x.raw, "or", x.src, v)
		}
	}
	if sawNull {
		return nil, nil
	}
	return false, nil
}

// Eval negates a boolean; not null is null.
func (x *Not) Eval(e Entity) (Value, error) {
	v, err := x.X.Eval(e)
	if err != nil {
		return nil, err
	}
	switch b := v.(type) {
	case bool:
		return !b, nil
	case nil:
		return nil, nil
	}
	return nil, notBoolean(x.raw, "not", x.src, v)
}

// Eval applies the function. A null argument gives null (OData null propagation), which a filter treats
// as false.
func (x *Call) Eval(e Entity) (Value, error) {
	f := x.fn
	if f == nil {
		g, ok := functions[x.Name]
		if !ok {
			return nil, filterError(x.raw, fmt.Sprintf("Unknown function '%s'.", clip(x.Name)))
		}
		f = &g
	}
	if len(x.Args) != f.arity {
		return nil, filterError(x.raw, fmt.Sprintf("Function '%s' expects %d argument(s).", x.Name, f.arity))
	}
	var args [2]string
	for i, a := range x.Args {
		v, err := a.Eval(e)
		if err != nil {
			return nil, err
		}
		switch s := v.(type) {
		case string:
			args[i] = s
		case nil:
			return nil, nil
		default:
			return nil, filterError(x.raw, fmt.Sprintf("Function '%s' expects Edm.String arguments, got %s in '%s'.",
				x.Name, edmType(v), clip(x.src)))
		}
	}
	return f.apply(args[0], args[1]), nil
}

func notBoolean(raw, op, src string, v Value) *Error {
	return filterError(raw, fmt.Sprintf("Operator '%s' expects Edm.Boolean operands, got %s in '%s'.", op, edmType(v), clip(src)))
}

// function describes one supported OData V2 function.
type function struct {
	arity  int
	result etype
	apply  func(a, b string) Value
}

var functions = map[string]function{
	"substringof": {2, tyBool, func(a, b string) Value { return strings.Contains(b, a) }},
	"startswith":  {2, tyBool, func(a, b string) Value { return strings.HasPrefix(a, b) }},
	"endswith":    {2, tyBool, func(a, b string) Value { return strings.HasSuffix(a, b) }},
	"tolower":     {1, tyString, func(a, _ string) Value { return strings.ToLower(a) }},
	"toupper":     {1, tyString, func(a, _ string) Value { return strings.ToUpper(a) }},
}

// ---- String ----

// String renders the literal in $filter syntax.
func (x *Literal) String() string { return literalString(x.Value) }

func literalString(v Value) string {
	switch v := normalize(v).(type) {
	case nil:
		return "null"
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return s // not expressible in $filter; only reachable for hand-built trees
		}
		if !strings.ContainsAny(s, ".e") {
			s += ".0" // keep it a decimal so that it parses back as float64, not int64
		}
		return s
	case time.Time:
		return "datetime'" + v.UTC().Format("2006-01-02T15:04:05.9999999") + "'"
	}
	return fmt.Sprintf("%v", v)
}

// String returns the path.
func (x *Property) String() string { return x.Path }

// String renders "left op right", parenthesising only where the grammar requires it, so that the
// rendering never nests deeper than the input it was parsed from.
func (x *Compare) String() string {
	l := x.Left.String()
	if isLogical(x.Left) {
		l = "(" + l + ")"
	}
	r := x.Right.String()
	if isLogical(x.Right) || isCompare(x.Right) {
		r = "(" + r + ")"
	}
	return l + " " + x.Op.String() + " " + r
}

// String joins the terms with "and"; nested and/or terms came from parentheses and keep them.
func (x *And) String() string {
	return joinTerms(x.Terms, " and ", func(t Expr) bool { return isLogical(t) })
}

// String joins the terms with "or"; a nested "or" came from parentheses and keeps them.
func (x *Or) String() string {
	return joinTerms(x.Terms, " or ", func(t Expr) bool { _, ok := t.(*Or); return ok })
}

// String renders "not X", with parentheses around comparisons and logical operands.
func (x *Not) String() string {
	if isLogical(x.X) || isCompare(x.X) {
		return "not (" + x.X.String() + ")"
	}
	return "not " + x.X.String()
}

// String renders name(arg, …).
func (x *Call) String() string {
	parts := make([]string, len(x.Args))
	for i, a := range x.Args {
		parts[i] = a.String()
	}
	return x.Name + "(" + strings.Join(parts, ", ") + ")"
}

func joinTerms(terms []Expr, sep string, paren func(Expr) bool) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t.String()
		if paren(t) {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}

func isLogical(x Expr) bool {
	switch x.(type) {
	case *And, *Or:
		return true
	}
	return false
}

func isCompare(x Expr) bool { _, ok := x.(*Compare); return ok }
