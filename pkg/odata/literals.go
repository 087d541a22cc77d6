package odata

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLiteralLength bounds user-supplied filter values; longer values are refused rather than sent.
const MaxLiteralLength = 1024

// DateTimeLiteral renders t as a $filter literal. SAP interprets datetime'…' as UTC and does not parse a
// zone designator (a trailing Z breaks the filter), so the value is converted to UTC and written without
// one, at whole seconds (fractional seconds are not documented as supported).
func DateTimeLiteral(t time.Time) string {
	return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'"
}

// StringLiteral quotes s as an OData string literal; a single quote is escaped by doubling it, which is
// the only escape OData V2 literals have. Use CheckValue first on user input.
func StringLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// KeyPredicate renders s as a string literal for a key predicate in a URL path ("Set(" + KeyPredicate(id)
// + ")"): quotes doubled for OData, then every byte other than an unreserved character or the quote
// percent-encoded, so the value stays inside its literal and its path segment whatever it holds: no '/',
// '?', '#' or '%' reaches the path as such. The server decodes the path before it parses the literal.
func KeyPredicate(s string) string {
	const hex = "0123456789ABCDEF"
	lit := strings.ReplaceAll(s, "'", "''")
	var b strings.Builder
	b.Grow(len(lit) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(lit); i++ {
		ch := lit[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("-._~'", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	b.WriteByte('\'')
	return b.String()
}

// notInIDs are characters no SAP object id (package, artifact, log file) contains; a value with one is a
// typing mistake or an attempt to reach another resource, and is refused before any request.
const notInIDs = `/\?#%'"`

// CheckID refuses a user-supplied id that goes into a URL path: CheckValue's rules, and none of the
// characters SAP ids never contain. The message names the field and the character.
func CheckID(field, s string) error {
	if err := CheckValue(field, s); err != nil {
		return err
	}
	if i := strings.IndexAny(s, notInIDs); i >= 0 {
		return fmt.Errorf("%s %q contains %q, which SAP ids never contain: pick the id from the list", field, s, s[i:i+1])
	}
	return nil
}

// CheckValue refuses values that cannot be sent safely as a literal: invalid UTF-8, control characters
// and values longer than MaxLiteralLength. The message names the field so the user can fix it.
func CheckValue(field, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	if n := utf8.RuneCountInString(s); n > MaxLiteralLength {
		return fmt.Errorf("%s is %d characters long; at most %d are allowed", field, n, MaxLiteralLength)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s contains a control character (U+%04X); remove it", field, r)
		}
	}
	return nil
}

// Eq renders "path eq 'value'".
func Eq(path, value string) string { return path + " eq " + StringLiteral(value) }

// And joins non-empty terms with "and", parenthesising terms that contain "or".
func And(terms ...string) string { return join(" and ", terms, true) }

// Or joins non-empty terms with "or" in parentheses when there is more than one.
func Or(terms ...string) string {
	s := join(" or ", terms, false)
	if count(terms) > 1 {
		return "(" + s + ")"
	}
	return s
}

func join(sep string, terms []string, wrapOr bool) string {
	var parts []string
	for _, t := range terms {
		if t == "" {
			continue
		}
		if wrapOr && strings.Contains(t, " or ") && (!strings.HasPrefix(t, "(") || !strings.HasSuffix(t, ")")) {
			t = "(" + t + ")"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, sep)
}

func count(terms []string) int {
	n := 0
	for _, t := range terms {
		if t != "" {
			n++
		}
	}
	return n
}
