package oquery

import (
	"fmt"
)

// MaxDepth bounds the nesting of parentheses, function calls, "not" and chained comparisons in a $filter.
// Deeper input is refused with 400 instead of risking deep recursion on hostile input.
const MaxDepth = 100

// keywords cannot be property names: "Status eq eq 1" is a syntax error, not a property called "eq".
var keywords = map[string]bool{
	"and": true, "or": true, "not": true,
	"eq": true, "ne": true, "gt": true, "ge": true, "lt": true, "le": true,
	"add": true, "sub": true, "mul": true, "div": true, "mod": true,
}

// ParseFilter parses a $filter expression. Errors are *Error (400) naming the problem and its position.
// Keywords, function names and literal prefixes are case-sensitive as in OData V2.
func ParseFilter(src string) (x Expr, err error) {
	p := &parser{src: src, lx: lexer{src: src}}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			x, err = nil, b.err
		}
	}()
	p.advance()
	if p.tok.kind == tokEOF {
		p.fail(p.tok.pos, "Expression expected")
	}
	x = p.parseOr()
	if p.tok.kind != tokEOF {
		p.fail(p.tok.pos, fmt.Sprintf("Invalid token %s", p.tok.describe(src)))
	}
	if t := staticType(x); t != tyUnknown && t != tyBool && t != tyNull {
		p.fail(0, fmt.Sprintf("The expression must be of type Edm.Boolean, not %s", t.edm()))
	}
	return x, nil
}

// bailout carries a parse error up the recursive descent (as go/parser does); ParseFilter recovers it.
type bailout struct{ err *Error }

type parser struct {
	src     string
	lx      lexer
	tok     token
	prevEnd int // end offset of the last consumed token
	depth   int
}

func (p *parser) fail(pos int, detail string) {
	panic(bailout{filterError(p.src, fmt.Sprintf("%s at position %d.", detail, pos+1))})
}

func (p *parser) advance() {
	p.prevEnd = p.tok.end
	t, err := p.lx.next()
	if err != nil {
		p.fail(err.pos, err.detail)
	}
	p.tok = t
}

func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(pos, fmt.Sprintf("Expression nested more than %d levels deep", MaxDepth))
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) isKeyword(kw string) bool { return p.tok.kind == tokIdent && p.tok.text == kw }

// parseOr: and-expression {"or" and-expression}. Lowest precedence.
func (p *parser) parseOr() Expr {
	return p.parseFlat("or", p.parseAnd, func(terms []Expr, src string) Expr { return &Or{Terms: terms, raw: p.src, src: src} })
}

// parseAnd: comparison {"and" comparison}.
func (p *parser) parseAnd() Expr {
	return p.parseFlat("and", p.parseComparison, func(terms []Expr, src string) Expr { return &And{Terms: terms, raw: p.src, src: src} })
}

// parseFlat: operand {kw operand}, one node over all the terms, so a long chain adds no nesting level.
func (p *parser) parseFlat(kw string, operand func() Expr, node func(terms []Expr, src string) Expr) Expr {
	start := p.tok.pos
	x := operand()
	if !p.isKeyword(kw) {
		return x
	}
	terms := []Expr{x}
	for p.isKeyword(kw) {
		p.advance()
		terms = append(terms, operand())
	}
	n := node(terms, p.src[start:p.prevEnd])
	p.checkBoolTerms(kw, terms, start)
	return n
}

// parseComparison: unary {op unary}, left-associative. Each link of a chain counts as one nesting level
// because it adds one level to the tree.
func (p *parser) parseComparison() Expr {
	start := p.tok.pos
	x := p.parseUnary()
	links := 0
	defer func() { p.depth -= links }()
	for p.tok.kind == tokIdent {
		op := opFromKeyword(p.tok.text)
		if op == 0 {
			break
		}
		opPos := p.tok.pos
		p.advance()
		p.enter(opPos)
		links++
		y := p.parseUnary()
		c := &Compare{Op: op, Left: x, Right: y, raw: p.src, src: p.src[start:p.prevEnd]}
		p.checkCompare(c, opPos)
		x = c
	}
	return x
}

// parseUnary: "not" unary | primary. "not" binds tighter than comparisons, as OData V2 specifies, so
// "not Flag eq true" is "(not Flag) eq true"; write not(…) to negate a comparison.
func (p *parser) parseUnary() Expr {
	if !p.isKeyword("not") {
		return p.parsePrimary()
	}
	start := p.tok.pos
	p.advance()
	p.enter(start)
	x := p.parseUnary()
	p.leave()
	if t := staticType(x); t != tyUnknown && t != tyBool && t != tyNull {
		p.fail(start, fmt.Sprintf("Operator 'not' expects an Edm.Boolean operand, not %s", t.edm()))
	}
	return &Not{X: x, raw: p.src, src: p.src[start:p.prevEnd]}
}

func (p *parser) parsePrimary() Expr {
	t := p.tok
	switch t.kind {
	case tokLParen:
		p.advance()
		p.enter(t.pos)
		x := p.parseOr()
		if p.tok.kind != tokRParen {
			p.fail(p.tok.pos, fmt.Sprintf("Missing closing parenthesis for '(' at position %d; found %s", t.pos+1, p.tok.describe(p.src)))
		}
		p.advance()
		p.leave()
		return x
	case tokString:
		p.advance()
		return &Literal{Value: t.text}
	case tokInt:
		p.advance()
		return &Literal{Value: t.ival}
	case tokFloat:
		p.advance()
		return &Literal{Value: t.fval}
	case tokDateTime:
		p.advance()
		return &Literal{Value: t.tval}
	case tokIdent:
		switch t.text {
		case "true":
			p.advance()
			return &Literal{Value: true}
		case "false":
			p.advance()
			return &Literal{Value: false}
		case "null":
			p.advance()
			return &Literal{Value: nil}
		}
		if keywords[t.text] {
			p.fail(t.pos, fmt.Sprintf("Expression expected, found keyword '%s'", t.text))
		}
		p.advance()
		if p.tok.kind == tokLParen {
			return p.parseCall(t)
		}
		return &Property{Path: t.text, raw: p.src}
	case tokEOF:
		p.fail(t.pos, "Expression expected")
	}
	p.fail(t.pos, fmt.Sprintf("Expression expected, found %s", t.describe(p.src)))
	return nil
}

// parseCall parses name(arg, …) with p.tok at '('.
func (p *parser) parseCall(name token) Expr {
	f, ok := functions[name.text]
	if !ok {
		p.fail(name.pos, fmt.Sprintf("Unknown function '%s'", clip(name.text)))
	}
	p.advance()
	p.enter(name.pos)
	var args []Expr
	if p.tok.kind != tokRParen {
		for {
			args = append(args, p.parseOr())
			if p.tok.kind == tokComma {
				p.advance()
				continue
			}
			if p.tok.kind != tokRParen {
				p.fail(p.tok.pos, fmt.Sprintf("',' or ')' expected, found %s", p.tok.describe(p.src)))
			}
			break
		}
	}
	p.advance()
	p.leave()
	if len(args) != f.arity {
		p.fail(name.pos, fmt.Sprintf("Function '%s' expects %d argument(s), got %d", name.text, f.arity, len(args)))
	}
	for _, a := range args {
		if t := staticType(a); t != tyUnknown && t != tyString && t != tyNull {
			p.fail(name.pos, fmt.Sprintf("Function '%s' expects Edm.String arguments, not %s", name.text, t.edm()))
		}
	}
	return &Call{Name: name.text, Args: args, fn: &f, raw: p.src, src: p.src[name.pos:p.prevEnd]}
}

// checkCompare refuses comparisons whose operand types are known to be incompatible (Status eq 1 is caught
// at run time, 'a' eq 1 already here).
func (p *parser) checkCompare(c *Compare, opPos int) {
	lt, rt := staticType(c.Left), staticType(c.Right)
	if lt == tyUnknown || rt == tyUnknown || lt == tyNull || rt == tyNull {
		return
	}
	if lt != rt || (lt == tyBool && c.Op != OpEq && c.Op != OpNe) {
		p.fail(opPos, fmt.Sprintf("Operator '%s' is not applicable to operand types %s and %s", c.Op, lt.edm(), rt.edm()))
	}
}

func (p *parser) checkBoolTerms(op string, terms []Expr, start int) {
	for _, t := range terms {
		if ty := staticType(t); ty != tyUnknown && ty != tyBool && ty != tyNull {
			p.fail(start, fmt.Sprintf("Operator '%s' expects Edm.Boolean operands, not %s", op, ty.edm()))
		}
	}
}
