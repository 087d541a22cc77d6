package cpi

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// redactor removes credentials from text that may leave the plugin (errors, health messages, notices,
// the plugin log). Servers echo request data in error pages and OAuth error descriptions, so every
// Message and Detail goes through it. It knows each secret in every form it travels in: raw, URL-encoded
// (form bodies), JSON-escaped, base64 (the Basic headers built from it), and for a PEM key each line.
// What it cannot know (a header it never built, a token of another client) the pattern scrub catches:
// the value after "Basic " / "Bearer " and after client_secret= is dropped whatever it is.
type redactor struct {
	secrets []string
	// dynamic returns secrets that change over time (the current and previous access token).
	dynamic func() []string
}

const redacted = "[redacted]"

// minSecretLen avoids mangling every message because of a one-character password; such a secret is
// not meaningfully protected by redaction anyway.
const minSecretLen = 4

// newRedactorFor knows every secret of s and the Authorization headers this client derives from them:
// Basic base64(user:password) for the technical user, and for the token endpoint the client's
// base64(urlencode(id):urlencode(secret)) (RFC 6749 §2.3.1, what the oauth2 package sends) as well as the
// unencoded base64(id:secret) other clients send.
func newRedactorFor(s settings.Settings) *redactor {
	sec := s.Secrets
	r := newRedactor(sec.ClientSecret, sec.BasicPassword, sec.ClientKey, sec.CloudALMClientSecret, sec.AuditLogClientSecret)
	if sec.BasicPassword != "" {
		r.addBasic(s.BasicUser, sec.BasicPassword)
	}
	if sec.ClientSecret != "" {
		r.addBasic(s.ClientID, sec.ClientSecret)
		r.addBasic(url.QueryEscape(s.ClientID), url.QueryEscape(sec.ClientSecret))
	}
	return r
}

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		r.add(s)
	}
	return r
}

func (r *redactor) add(s string) {
	s = strings.TrimSpace(s)
	if len(s) < minSecretLen {
		return
	}
	r.addForms(s)
	// A PEM private key might be echoed partially: protect each base64 line of it too.
	if strings.Contains(s, "-----BEGIN") {
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				r.secrets = append(r.secrets, line)
			}
		}
	}
}

// addForms adds s as it may travel: raw, form- and path-encoded, JSON-escaped, base64.
func (r *redactor) addForms(s string) {
	for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), strings.ReplaceAll(s, "/", `\/`),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.URLEncoding.EncodeToString([]byte(s)),
		base64.RawStdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))} {
		r.addOne(f)
	}
}

// addBasic adds the value of the Basic header for user and password (and its JSON-escaped form).
func (r *redactor) addBasic(user, password string) {
	if len(password) < minSecretLen {
		return
	}
	b := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	r.addOne(b)
	r.addOne(strings.ReplaceAll(b, "/", `\/`))
	r.addOne(base64.URLEncoding.EncodeToString([]byte(user + ":" + password)))
}

func (r *redactor) addOne(s string) {
	if len(s) < minSecretLen {
		return
	}
	for _, have := range r.secrets {
		if have == s {
			return
		}
	}
	r.secrets = append(r.secrets, s)
}

// credentialPattern finds what follows an authentication scheme or a secret's form field, so a header or
// body the redactor has no secret for (an echoed header of another request) is still not repeated.
var credentialPattern = regexp.MustCompile(`(?i)(\b(?:basic|bearer|negotiate|digest)(?:\s+|%20|\+))([A-Za-z0-9+/=._~\\%-]{8,})|(\b(?:client_?secret|password|access_token|refresh_token|assertion)(?:\\?["'])?\s*(?:=|:|%3D)\s*(?:\\?["'])?)([^\s&"',;}\\]{1,})`)

func scrubCredentials(s string) string {
	if !strings.ContainsAny(s, "=:+% \t") {
		return s
	}
	return credentialPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := credentialPattern.FindStringSubmatch(m)
		if sub[1] != "" {
			if !looksLikeCredential(sub[2]) {
				return m
			}
			return sub[1] + redacted
		}
		return sub[3] + redacted
	})
}

// looksLikeCredential tells a header value ("dXNlcjpwYXNz", a JWT) from a word of prose ("Basic
// authentication"): credentials carry digits, base64 punctuation or capitals inside the word.
func looksLikeCredential(v string) bool {
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9', c == '+', c == '/', c == '=', c == '%', c == '\\':
			return true
		case i > 0 && c >= 'A' && c <= 'Z':
			return true
		}
	}
	return false
}

func (r *redactor) clean(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		all := append([]string(nil), r.secrets...)
		if r.dynamic != nil {
			all = append(all, r.dynamic()...)
		}
		// Longest first: a header value is removed whole before a shorter form inside it (base64 of the
		// secret alone is a suffix of base64(id:secret) when the id's length is a multiple of 3).
		slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
		for _, sec := range all {
			if len(sec) >= minSecretLen && strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, redacted)
			}
		}
	}
	return scrubCredentials(s)
}

// cleanBody removes the client's credentials from a successful answer's body. A tenant that echoes the
// request (its Authorization header, a form body) in data would otherwise put them into frames: an error
// text, an audit record, a log line. Only the known secrets are replaced, not the pattern scrub, so data
// that merely looks like a header stays as it is; a body without any of them is returned unchanged.
func (r *redactor) cleanBody(b []byte) []byte {
	if r == nil || len(b) == 0 {
		return b
	}
	all := append([]string(nil), r.secrets...)
	if r.dynamic != nil {
		all = append(all, r.dynamic()...)
	}
	// A body holds a secret only if it holds one of those no other secret is part of (base64 without
	// padding is part of base64 with it), and the end of that one: a body without any of these, every
	// page of a listing, is passed over once per such secret rather than once per form, and a long one
	// (an access token) is looked for by its last bytes, which the vectorised search takes whole.
	if !slices.ContainsFunc(innerSecrets(all), func(sec string) bool {
		return bytes.Contains(b, []byte(sec[max(len(sec)-secretProbeLen, 0):]))
	}) {
		return b
	}
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range all {
		if len(sec) >= minSecretLen && bytes.Contains(b, []byte(sec)) {
			b = bytes.ReplaceAll(b, []byte(sec), []byte(redacted))
		}
	}
	return b
}

// secretProbeLen is the most of a secret's end looked for before the secret itself.
const secretProbeLen = 32

// innerSecrets is the secrets (of at least minSecretLen) that hold no other one, each once: every secret
// holds one of them.
func innerSecrets(all []string) []string {
	var out []string
	for i, s := range all {
		if len(s) < minSecretLen {
			continue
		}
		inner := true
		for j, o := range all {
			if len(o) >= minSecretLen && (len(o) < len(s) && strings.Contains(s, o) || o == s && j < i) {
				inner = false
				break
			}
		}
		if inner {
			out = append(out, s)
		}
	}
	return out
}

// excerpt is what may be repeated of a body the server sent: redacted first (so a cut cannot leave the
// start of a secret behind), whitespace folded, control characters dropped, at most n bytes on a rune
// boundary.
func (r *redactor) excerpt(s string, n int) string {
	s = r.clean(s)
	s = strings.Map(func(c rune) rune {
		if c == utf8.RuneError || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return -1
		}
		return c
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Redact removes the client's credentials (secrets, the headers built from them, its access tokens) from
// text about to leave the plugin that did not come from this package, e.g. a notice built from a body.
// A nil client still drops whatever follows "Basic "/"Bearer " and secret form fields.
func (c *Client) Redact(s string) string {
	if c == nil {
		return scrubCredentials(s)
	}
	return c.desc.red.clean(s)
}

// RedactSettings removes every secret of s, in every form the client would send it, from text; for
// messages made without a client (a configuration the client could not be built from).
func RedactSettings(s settings.Settings, text string) string { return newRedactorFor(s).clean(text) }
