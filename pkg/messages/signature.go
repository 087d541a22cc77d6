package messages

// Error signatures: the error text with everything that differs between two occurrences of the same
// error masked (message ids, GUIDs, hex ids, timestamps, URLs, host names, numbers), so that failures with
// the same cause fall into one group. HTTP status codes after "status"/"code"/"HTTP" are kept: a 401 and a
// 500 from the same receiver are different problems.

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

const maxSignatureRunes = 500

var (
	reURL       = regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"<>()\[\]{},;]+`)
	reTimestamp = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b|/Date\(\d+([+-]\d+)?\)/`)
	reUUID      = regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
	reEmail     = regexp.MustCompile(`\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b`)
	// A run of base64url characters; runs of exactly 28 are CPI message (and correlation) ids, which may
	// begin or end with '-' or '_' (where \b finds no boundary) and may hold no digit.
	reBase64URL = regexp.MustCompile(`[A-Za-z0-9_-]+`)
	reHex       = regexp.MustCompile(`\b(0x)?[0-9a-fA-F]{8,}\b`)
	reHost      = regexp.MustCompile(`[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?`)
	reNumber    = regexp.MustCompile(`\d+([.,]\d+)*`)
	reSpaces    = regexp.MustCompile(`\s+`)
	reStatus    = regexp.MustCompile(`(?i)(status\s*(code)?|code|http)\s*[:=]?\s*$`)
)

// hostTLDs are the last labels that make a dotted lower-case word a host name rather than a Java package.
var hostTLDs = map[string]bool{"com": true, "net": true, "org": true, "io": true, "de": true, "eu": true,
	"cloud": true, "local": true, "internal": true, "corp": true, "example": true, "ondemand": true}

// Signature normalises an error text.
func Signature(text string) string {
	s := strings.TrimSpace(text)
	s = reURL.ReplaceAllString(s, "<url>")
	s = reTimestamp.ReplaceAllString(s, "<time>")
	s = reUUID.ReplaceAllString(s, "<guid>")
	s = reEmail.ReplaceAllString(s, "<email>")
	s = reBase64URL.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == messageIDLen && !wordLike(m) {
			return "<id>"
		}
		return m
	})
	s = reHex.ReplaceAllStringFunc(s, func(m string) string {
		// Digits alone are a number (masked as one, whatever its length); long hex runs are ids even
		// without a digit, short ones only with one ("accessed" is not an id).
		if strings.Trim(m, "0123456789") == "" {
			return m
		}
		if len(strings.TrimPrefix(m, "0x")) >= 16 || strings.ContainsAny(m, "0123456789") {
			return "<hex>"
		}
		return m
	})
	s = maskHosts(s)
	s = maskNumbers(s)
	s = reSpaces.ReplaceAllString(s, " ")
	if r := []rune(s); len(r) > maxSignatureRunes {
		s = string(r[:maxSignatureRunes]) + "…"
	}
	return s
}

// SignatureID is a short stable id of a signature (the alert label).
func SignatureID(signature string) string {
	sum := sha256.Sum256([]byte(signature))
	return hex.EncodeToString(sum[:])[:10]
}

// messageIDLen is the length of a CPI message id (21 bytes in base64url).
const messageIDLen = 28

// wordLike reports whether a 28-character base64url run reads as a name (HttpResponseExceptionHandler,
// Credential_S4HANA_Production) rather than a random id. Split at digits, '-' and '_', a name's parts
// have lower-case runs of two letters or more and few case changes; 28 random base64url characters
// almost always hold a lone lower-case letter between capitals or digits, and change case every second
// character on average.
func wordLike(s string) bool {
	changes, lowerRun := 0, 0
	prev := byte(0) // 'u' upper, 'l' lower, 0 separator
	for i := 0; i <= len(s); i++ {
		var c byte
		if i < len(s) {
			c = s[i]
		}
		var kind byte
		switch {
		case c >= 'a' && c <= 'z':
			kind = 'l'
		case c >= 'A' && c <= 'Z':
			kind = 'u'
		}
		if kind == 'l' {
			lowerRun++
		} else {
			if lowerRun == 1 {
				return false
			}
			lowerRun = 0
		}
		if kind != 0 && prev != 0 && kind != prev {
			changes++
		}
		prev = kind
	}
	return changes*4 <= len(s)
}

// maskHosts replaces lower-case dotted names that are host names (not followed by more of a Java class
// name, e.g. "java.net.SocketTimeoutException", and ending in a known top-level label or having 3+ labels).
func maskHosts(s string) string {
	idx := reHost.FindAllStringIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[0], m[1]
		match := s[start:end]
		if start > 0 && (isWordByte(s[start-1]) || s[start-1] == '.') {
			continue
		}
		if end < len(s) && (s[end] == '.' && end+1 < len(s) && isWordByte(s[end+1]) || isWordByte(s[end])) {
			continue
		}
		host := match
		if i := strings.IndexByte(host, ':'); i >= 0 {
			host = host[:i]
		}
		labels := strings.Split(host, ".")
		if !hostTLDs[labels[len(labels)-1]] && len(labels) < 3 {
			continue
		}
		if strings.HasPrefix(host, "java.") || strings.HasPrefix(host, "javax.") || strings.HasPrefix(host, "com.sap.") ||
			strings.HasPrefix(host, "org.apache.") {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString("<host>")
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// maskNumbers replaces numbers with <n>, except a 3-digit HTTP status after "status", "code" or "HTTP"
// and short digit runs that are part of a name.
func maskNumbers(s string) string {
	idx := reNumber.FindAllStringIndex(s, -1)
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[0], m[1]
		num := s[start:end]
		if len(num) == 3 && num[0] >= '1' && num[0] <= '5' && reStatus.MatchString(s[max(0, start-16):start]) {
			continue
		}
		// One or two digits inside a name (S4HANA, tf7, ns0, script3) are part of the name; longer runs
		// after letters are ids (SIM042, PO4500001234).
		if start > 0 && isLetter(s[start-1]) && end-start < 3 {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString("<n>")
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}
