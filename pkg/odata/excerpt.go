package odata

import (
	"strings"
	"unicode/utf8"
)

// Excerpt is what an error or notice repeats of a text a server sent: white space folded, at most n bytes,
// cut at a character boundary (half a UTF-8 sequence would make the message invalid text), "…" when cut.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
