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
