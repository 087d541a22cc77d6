package odata

import (
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"  folded \n\t white   space ", 40, "folded white space"},
		{"abcdefghij", 4, "abcd…"},
		{"Grüße", 3, "Gr…"}, // byte 3 is inside ü: the cut moves back to the character boundary
		{"Grüße", 4, "Grü…"},
		{"ü", 1, "…"},
	} {
		got := Excerpt(tc.in, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
