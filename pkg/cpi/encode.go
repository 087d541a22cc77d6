package cpi

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// EncodeQuery encodes OData system query options so that SAP's OData stack reads them: spaces as %20
// (Olingo does not turn '+' into a space), and '$', quotes, parentheses, commas and colons left readable
// (they are legal in a query component and make the Query inspector legible). Keys are sorted.
func EncodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range sortedKeys(q) {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(escapeQuery(k))
			b.WriteByte('=')
			b.WriteString(escapeQuery(v))
		}
	}
	return b.String()
}

func escapeQuery(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			strings.IndexByte("-._~$'(),:@!*/", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

func sortedKeys(q url.Values) []string { return slices.Sorted(maps.Keys(q)) }
