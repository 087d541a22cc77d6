package cpi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// Every form of the test credentials a server can echo. Written out by hand (the encoded header
// values computed once with `printf 'id:secret' | base64`), not with the redactor's own helpers.
var echoedForms = map[string]string{
	// base64("monitoring-user:P@ssw0rd-very-secret-42"), the technical user's Basic header
	"basic header": "bW9uaXRvcmluZy11c2VyOlBAc3N3MHJkLXZlcnktc2VjcmV0LTQy",
	// base64(urlencode(id) ":" urlencode(secret)) = base64("sb-cpi-monitor%21b12345%7Cit%21b117912:f00-Secret%24with%2Bplus%3Dand%2Fslash")
	"oauth header (encoded)": "c2ItY3BpLW1vbml0b3IlMjFiMTIzNDUlN0NpdCUyMWIxMTc5MTI6ZjAwLVNlY3JldCUyNHdpdGglMkJwbHVzJTNEYW5kJTJGc2xhc2g=",
	// base64("sb-cpi-monitor!b12345|it!b117912:f00-Secret$with+plus=and/slash")
	"oauth header (raw)": "c2ItY3BpLW1vbml0b3IhYjEyMzQ1fGl0IWIxMTc5MTI6ZjAwLVNlY3JldCR3aXRoK3BsdXM9YW5kL3NsYXNo",
	"secret form field":  "f00-Secret%24with%2Bplus%3Dand%2Fslash",
	"password raw":       testPassword,
	"secret raw":         testClientSecret,
}

func assertNoEchoedForm(t *testing.T, where, text string) {
	t.Helper()
	for name, form := range echoedForms {
		if strings.Contains(text, form) {
			t.Errorf("%s repeats the %s: %s", where, name, text)
		}
		// A JSON-escaping server writes "/" as "\/".
		if esc := strings.ReplaceAll(form, "/", `\/`); esc != form && strings.Contains(text, esc) {
			t.Errorf("%s repeats the JSON-escaped %s: %s", where, name, text)
		}
	}
}

// echoAPI answers every request with status and a body repeating the request's headers, in the style
// given: plain text, an OData error, or JSON with escaped slashes.
func echoAPI(status int, style string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := fmt.Sprintf("Authorization: %s; Accept: %s", r.Header.Get("Authorization"), r.Header.Get("Accept"))
		switch style {
		case "odata":
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "Forbidden",
				"message": map[string]string{"lang": "en", "value": "Access denied for request with " + hdr}}})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(b)
		case "escaped":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"message":"rejected","request":{"authorization":"%s"}}`, strings.ReplaceAll(r.Header.Get("Authorization"), "/", `\/`))
		default:
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			// Long enough that a cut excerpt would end inside the header value.
			_, _ = fmt.Fprintf(w, "%s request failed: %s", strings.Repeat("x", 170), hdr)
		}
	})
}

func TestEchoedBasicHeaderIsRedacted(t *testing.T) {
	for _, status := range []int{400, 401, 403, 418, 500} {
		for _, style := range []string{"plain", "odata", "escaped"} {
			t.Run(fmt.Sprintf("%d %s", status, style), func(t *testing.T) {
				srv := newServer(t, echoAPI(status, style))
				var sl instantSleep
				c := mustNew(t, basicSettings(srv.URL), fastOptions(&sl)...)
				_, err := c.Get(context.Background(), "MessageProcessingLogs", nil)
				if err == nil {
					t.Fatal("no error")
				}
				assertNoEchoedForm(t, "error", err.Error())
			})
		}
	}
}

func TestEchoedClientCredentialsAreRedacted(t *testing.T) {
	for _, tc := range []struct {
		name string
		body func(r *http.Request) string
	}{
		{"error_description repeats the Authorization header", func(r *http.Request) string {
			return fmt.Sprintf(`{"error":"invalid_client","error_description":"Bad credentials in %s"}`, r.Header.Get("Authorization"))
		}},
		{"error_description repeats the header JSON-escaped", func(r *http.Request) string {
			return fmt.Sprintf(`{"error":"invalid_client","error_description":"Bad credentials in %s"}`, strings.ReplaceAll(r.Header.Get("Authorization"), "/", `\/`))
		}},
		{"error_description repeats the raw base64(id:secret)", func(*http.Request) string {
			return `{"error":"invalid_client","error_description":"expected ` + echoedForms["oauth header (raw)"] + `"}`
		}},
		{"error_description repeats the form body", func(r *http.Request) string {
			_ = r.ParseForm()
			return fmt.Sprintf(`{"error":"invalid_request","error_description":"body was grant_type=%s&client_secret=%s"}`, r.Form.Get("grant_type"), "f00-Secret%24with%2Bplus%3Dand%2Fslash")
		}},
		{"a 500 with plain text", func(r *http.Request) string {
			return "upstream failed for " + r.Header.Get("Authorization")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tokenSrv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body := tc.body(r)
				status := http.StatusUnauthorized
				if !strings.HasPrefix(body, "{") {
					status = http.StatusInternalServerError
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}))
			apiSrv := newServer(t, &apiRecorder{})
			var sl instantSleep
			c := mustNew(t, oauthSettings(apiSrv.URL, tokenSrv.URL+"/oauth/token"), fastOptions(&sl)...)
			_, err := c.Get(context.Background(), "MessageProcessingLogs", nil)
			if err == nil {
				t.Fatal("no error")
			}
			assertNoEchoedForm(t, "error", err.Error())
		})
	}
}

func TestScrubCredentials(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Basic authentication works only for a user", "Basic authentication works only for a user"},
		{"denied: Authorization: Basic Zm9vOmJhcg== end", "denied: Authorization: Basic [redacted] end"},
		{"header Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "header Bearer [redacted]"},
		{`{"authorization":"Basic Zm9v\/YmFyOmJheg=="}`, `{"authorization":"Basic [redacted]"}`},
		{"grant_type=client_credentials&client_secret=abc%2Bdef&x=1", "grant_type=client_credentials&client_secret=[redacted]&x=1"},
		{`{"client_secret":"s3cr3t"}`, `{"client_secret":"[redacted]"}`},
		{`{"clientid":"sb-x","clientsecret":"abc$def"}`, `{"clientid":"sb-x","clientsecret":"[redacted]"}`},
		{"check the clientid and clientsecret of the service key", "check the clientid and clientsecret of the service key"},
		{"Bearer realm=\"SAP\"", "Bearer realm=\"SAP\""},
	} {
		if got := scrubCredentials(tc.in); got != tc.want {
			t.Errorf("scrubCredentials(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestExcerptCutsOnRunesAfterRedacting(t *testing.T) {
	r := newRedactor("0123456789-secret")
	// The cut falls inside the secret: redaction comes first, so no prefix of it survives.
	got := r.excerpt("abc 0123456789-secret tail", 10)
	if strings.Contains(got, "0123") {
		t.Errorf("excerpt keeps the start of the secret: %q", got)
	}
	if got := r.excerpt(strings.Repeat("é", 10), 5); got != "éé…" {
		t.Errorf("excerpt cut inside a rune: %q", got)
	}
	if got := r.excerpt("a\x00b\x1bc\nd", 50); got != "abc d" {
		t.Errorf("control characters kept: %q", got)
	}
}

// Whatever a server wraps around the credentials, the excerpt of its body holds none of their forms, is
// valid UTF-8 and stays within its bound.
func FuzzExcerptNeverLeaks(f *testing.F) {
	f.Add("prefix ", " suffix", 200)
	f.Add(strings.Repeat("x", 190), "", 200)
	f.Add("\xff\xfe", "é\x00", 7)
	f.Add(`{"authorization":"`, `"}`, 40)
	s := basicSettings("https://h.example")
	s.ClientID, s.Secrets.ClientSecret = testClientID, testClientSecret
	red := newRedactorFor(s)
	f.Fuzz(func(t *testing.T, before, after string, n int) {
		if n < 1 || n > 1000 {
			return
		}
		for _, form := range echoedForms {
			got := red.excerpt(before+form+after, n)
			if len(got) > n+len("…") || !utf8.ValidString(got) {
				t.Fatalf("excerpt %q: %d bytes for bound %d, valid UTF-8 %v", got, len(got), n, utf8.ValidString(got))
			}
			// The form itself, and its first half (a cut inside it), must not survive.
			if strings.Contains(got, form) || (len(form) >= 16 && strings.Contains(got, form[:len(form)/2]) && !strings.Contains(before+after, form[:len(form)/2])) {
				t.Fatalf("excerpt %q keeps (part of) %q", got, form)
			}
		}
	})
}

// TestSuccessfulBodyIsCleaned: a successful answer that repeats a credential in any form (or the current
// access token) has it replaced, whichever forms share their bytes; a body without one comes back as it
// was.
func TestSuccessfulBodyIsCleaned(t *testing.T) {
	// Longer than the end looked for first.
	const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtb25pdG9yIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
	for _, tc := range []struct {
		s     settings.Settings
		forms []string // the names in echoedForms of this client's credentials
	}{
		{basicSettings("https://tenant.example"), []string{"basic header", "password raw"}},
		{oauthSettings("https://tenant.example", "https://auth.example/oauth/token"),
			[]string{"oauth header (encoded)", "oauth header (raw)", "secret form field", "secret raw"}},
	} {
		r := newRedactorFor(tc.s)
		r.dynamic = func() []string { return []string{token} }
		forms := []string{token}
		for _, name := range tc.forms {
			forms = append(forms, echoedForms[name], strings.ReplaceAll(echoedForms[name], "/", `\/`))
		}
		for _, form := range forms {
			got := string(r.cleanBody([]byte(`{"d":{"results":[{"Text":"echo ` + form + ` end"}]}}`)))
			if strings.Contains(got, form) || !strings.Contains(got, "[redacted]") {
				t.Errorf("%s: %s cleaned to %s", tc.s.AuthType, form, got)
			}
		}
		// The start of the token (its header, which every token of the issuer shares) or its end alone is
		// no token.
		for _, part := range []string{token[:40], token[len(token)-40:]} {
			if got := string(r.cleanBody([]byte(`{"t":"` + part + `"}`))); got != `{"t":"`+part+`"}` {
				t.Errorf("%s: a part of a token was replaced: %s", tc.s.AuthType, got)
			}
		}
		plain := []byte(`{"d":{"results":[{"Text":"nothing secret here, Basic and Bearer as words"}]}}`)
		if got := r.cleanBody(plain); string(got) != string(plain) {
			t.Errorf("%s: a body without a credential changed: %s", tc.s.AuthType, got)
		}
	}
}

// TestInnerSecrets: every secret holds one of the inner secrets, and no inner secret holds another.
func TestInnerSecrets(t *testing.T) {
	all := []string{"abcdef", "abcdefgh", "xyz1", "xyz1", "qq", "0123456789", "456789", "45678"}
	inner := innerSecrets(all)
	if want := []string{"abcdef", "xyz1", "45678"}; !slices.Equal(inner, want) {
		t.Fatalf("inner secrets %v, want %v", inner, want)
	}
}
