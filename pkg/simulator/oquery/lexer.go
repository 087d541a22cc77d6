package oquery

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokInt
	tokFloat
	tokDateTime
	tokLParen
	tokRParen
	tokComma
)

// token is one lexical element of a $filter. Only the field matching kind is meaningful.
type token struct {
	kind tokKind
	pos  int // byte offset of the first character
	end  int // byte offset after the last character
	text string
	ival int64
	fval float64
	tval time.Time
}

// describe names a token for error messages.
func (t token) describe(src string) string {
	if t.kind == tokEOF {
		return "end of expression"
	}
	return "'" + clip(src[t.pos:t.end]) + "'"
}

// lexer splits a $filter into tokens. It never allocates for tokens that are substrings of the input
// (identifiers, strings without escaped quotes), so parsing stays linear even for very long literals.
type lexer struct {
	src string
	pos int
}

// lexError is a lexical error at a byte offset.
type lexError struct {
	pos    int
	detail string
}

// typedLiteralPrefixes are the OData V2 literal forms prefix'…'. Only datetime is supported because it is
// the only one the CPI APIs use; the others are named so the error says what is not supported.
var typedLiteralPrefixes = map[string]bool{
	"datetime": true, "datetimeoffset": true, "time": true, "guid": true, "binary": true, "X": true,
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }

func isIdentPart(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func (l *lexer) next() (token, *lexError) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '(':
		l.pos++
		return token{kind: tokLParen, pos: start, end: l.pos}, nil
	case c == ')':
		l.pos++
		return token{kind: tokRParen, pos: start, end: l.pos}, nil
	case c == ',':
		l.pos++
		return token{kind: tokComma, pos: start, end: l.pos}, nil
	case c == '\'':
		s, err := l.scanString()
		if err != nil {
			return token{}, err
		}
		return token{kind: tokString, pos: start, end: l.pos, text: s}, nil
	case c == '-' || isDigit(c):
		return l.scanNumber()
	}
	r, size := utf8.DecodeRuneInString(l.src[start:])
	if r == utf8.RuneError && size <= 1 {
		return token{}, &lexError{start, "Invalid character (not UTF-8)"}
	}
	if !isIdentStart(r) {
		return token{}, &lexError{start, fmt.Sprintf("Unexpected character '%c'", r)}
	}
	path, err := l.scanPath()
	if err != nil {
		return token{}, err
	}
	if l.pos < len(l.src) && l.src[l.pos] == '\'' && typedLiteralPrefixes[path] {
		if path != "datetime" {
			return token{}, &lexError{start, fmt.Sprintf("Literals of type %s'…' are not supported", path)}
		}
		s, err := l.scanString()
		if err != nil {
			return token{}, err
		}
		t, problem := parseDateTime(s)
		if problem != "" {
			return token{}, &lexError{start, fmt.Sprintf("Invalid datetime literal datetime'%s': %s", clip(s), problem)}
		}
		return token{kind: tokDateTime, pos: start, end: l.pos, tval: t}, nil
	}
	return token{kind: tokIdent, pos: start, end: l.pos, text: path}, nil
}

// scanPath reads an identifier or a property path of identifiers separated by '/' (IntegrationArtifact/Id).
func (l *lexer) scanPath() (string, *lexError) {
	start := l.pos
	for {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentStart(r) {
			return "", &lexError{l.pos, "Invalid property path: identifier expected after '/'"}
		}
		l.pos += size
		for l.pos < len(l.src) {
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			if !isIdentPart(r) {
				break
			}
			l.pos += size
		}
		if l.pos < len(l.src) && l.src[l.pos] == '/' {
			l.pos++
			continue
		}
		return l.src[start:l.pos], nil
	}
}

// scanString reads a '…' literal at l.pos; a doubled single quote stands for one quote. Without escapes the
// value is a substring of the input (no copy).
func (l *lexer) scanString() (string, *lexError) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	escaped := false
	for {
		i := strings.IndexByte(l.src[l.pos:], '\'')
		if i < 0 {
			l.pos = len(l.src)
			return "", &lexError{start, "Unterminated string literal"}
		}
		seg := l.src[l.pos : l.pos+i]
		if l.pos+i+1 < len(l.src) && l.src[l.pos+i+1] == '\'' {
			if !escaped {
				b.Grow(i + 16)
				escaped = true
			}
			b.WriteString(seg)
			b.WriteByte('\'')
			l.pos += i + 2
			continue
		}
		l.pos += i + 1
		if !escaped {
			return seg, nil
		}
		b.WriteString(seg)
		return b.String(), nil
	}
}

// scanNumber reads an integer (optionally with the Int64 suffix L) or a decimal/double (with '.', an
// exponent or one of the suffixes M, D, F). A leading '-' belongs to the literal.
func (l *lexer) scanNumber() (token, *lexError) {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
	}
	digits := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos == digits {
		return token{}, &lexError{start, "Unexpected character '-'"}
	}
	isFloat := false
	if l.pos+1 < len(l.src) && l.src[l.pos] == '.' && isDigit(l.src[l.pos+1]) {
		isFloat = true
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		isFloat = true
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		exp := l.pos
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		if l.pos == exp {
			return token{}, &lexError{start, "Invalid number literal: exponent digits expected"}
		}
	}
	text := l.src[start:l.pos]
	if l.pos < len(l.src) {
		switch l.src[l.pos] {
		case 'L', 'l':
			if isFloat {
				return token{}, &lexError{start, "Invalid number literal"}
			}
			l.pos++
		case 'M', 'm', 'D', 'd', 'F', 'f':
			isFloat = true
			l.pos++
		}
	}
	if l.pos < len(l.src) {
		if r, _ := utf8.DecodeRuneInString(l.src[l.pos:]); isIdentPart(r) || r == '.' {
			return token{}, &lexError{start, "Invalid number literal"}
		}
	}
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, &lexError{start, "Number literal out of range"}
		}
		return token{kind: tokFloat, pos: start, end: l.pos, fval: f}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return token{}, &lexError{start, "Number literal out of range"}
	}
	return token{kind: tokInt, pos: start, end: l.pos, ival: n}, nil
}

// parseDateTime parses the body of datetime'…': YYYY-MM-DDTHH:MM[:SS[.fffffff]], always UTC. Like SAP's
// service it refuses a zone designator or offset instead of silently converting, so a client that sends
// "…Z" learns about it here and not from shifted results in production. problem is "" on success.
func parseDateTime(s string) (time.Time, string) {
	const want = "expected YYYY-MM-DDThh:mm[:ss[.fffffff]]"
	num := func(i, n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if !isDigit(c) {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' {
		return time.Time{}, want
	}
	i := 16
	sec, nsec := 0, 0
	if i < len(s) && s[i] == ':' {
		v, ok := num(i+1, 2)
		if !ok {
			return time.Time{}, want
		}
		sec = v
		i += 3
		if i < len(s) && s[i] == '.' {
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			frac := s[i+1 : j]
			if len(frac) == 0 || len(frac) > 7 {
				return time.Time{}, "fractional seconds must have 1 to 7 digits"
			}
			v, _ := strconv.Atoi((frac + "000000000")[:9])
			nsec = v
			i = j
		}
	}
	if i < len(s) {
		switch s[i] {
		case 'Z', 'z', '+', '-':
			return time.Time{}, "a time zone designator or offset is not allowed (datetime literals are UTC)"
		}
		return time.Time{}, want
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 || year < 1 {
		return time.Time{}, "date or time out of range"
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // time.Date normalises 2021-02-30 to March; SAP rejects it
		return time.Time{}, "date or time out of range"
	}
	return t, ""
}
