package cpi

import (
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// Fuzz targets for what the client reads from a server's answer besides the body's data: error
// bodies, token endpoint errors and Retry-After, and for the query encoding of user values. `go test`
// runs their seeds; scripts/fuzz.sh fuzzes each of them for a given time.

// checkNoSecret fails when text shows the secret: whole, with its white space collapsed, or cut off
// before an ellipsis. "[redacted]" itself is not a leak even if the secret is part of that word.
func checkNoSecret(t *testing.T, secret, text string) {
	t.Helper()
	secret = strings.TrimSpace(secret)
	if len(secret) < minSecretLen {
		return
	}
	text = strings.ReplaceAll(text, redacted, "\x00")
	for _, form := range []string{secret, strings.Join(strings.Fields(secret), " ")} {
		if strings.Contains(text, form) {
			t.Fatalf("%q shows the secret %q", text, secret)
		}
	}
	for n := len(secret) - 1; n >= minSecretLen; n-- {
		if strings.Contains(text, secret[:n]+"…") {
			t.Fatalf("%q shows the start of the secret %q", text, secret)
		}
	}
}

// FuzzStatusError: whatever a failing API answers, the error names the host, keeps the status, is
// bounded, and never shows the client secret, even when the server echoes it.
func FuzzStatusError(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{500, `{"error":{"code":"Internal Server Error","message":{"lang":"en","value":"client_secret=s3cr3t-value"}}}`},
		{401, "<html>login s3cr3t-value</html>"}, {400, strings.Repeat("x", 290) + "s3cr3t-value-and-more"},
		{404, `{"error":{"code":"404","message":"s3cr3t  value"}}`}, {302, ""}, {429, "slow down"}, {200, "<!DOCTYPE html>"},
		{418, "\xff\xfe s3cr3t-value"}, {403, `<?xml version="1.0"?><error><code>403</code><message>s3cr3t-value</message></error>`},
	} {
		f.Add(s.status, []byte(s.body), "s3cr3t-value")
	}
	f.Add(400, []byte("dact dact"), "dact")
	f.Add(500, []byte("token: s3cr3t  value"), "s3cr3t  value")
	f.Fuzz(func(t *testing.T, status int, body []byte, secret string) {
		if status < 100 || status > 999 {
			return
		}
		d := &describer{auth: settings.AuthOAuth2ClientCredentials, apiHost: "t.example.com", tokenHost: "a.example.com",
			serviceRoot: "https://t.example.com/api/v1", tokenURL: "https://a.example.com/oauth/token", timeout: time.Second,
			red: newRedactor(secret)}
		u, _ := url.Parse("https://t.example.com/api/v1/MessageProcessingLogs?$top=1")
		resp := &http.Response{StatusCode: status, Header: http.Header{"Location": {"https://login.example.net/x"}}}
		e := d.statusError(u, resp, body, "", 1)
		if e.Status != status || e.Host != "t.example.com" {
			t.Fatalf("status %d host %q for %d", e.Status, e.Host, status)
		}
		if len(e.Message) > 1000 || len(e.Detail) > 2000 {
			t.Fatalf("message of %d and detail of %d bytes", len(e.Message), len(e.Detail))
		}
		checkNoSecret(t, secret, e.Error())
	})
}

// FuzzTokenError: whatever the token endpoint answers, the error is classified, bounded and never
// shows the client secret.
func FuzzTokenError(f *testing.F) {
	f.Add(401, []byte(`{"error":"invalid_client","error_description":"Bad credentials for s3cr3t-value"}`), "invalid_client", "Bad credentials for s3cr3t-value", "s3cr3t-value")
	f.Add(404, []byte("<html>"), "", "", "s3cr3t-value")
	f.Add(400, []byte(`{"error":"unauthorized"}`), "unauthorized", "", "s3cr3t-value")
	f.Add(500, []byte(`{}`), "server_error", strings.Repeat("long ", 500), "s3cr3t-value")
	f.Fuzz(func(t *testing.T, status int, body []byte, code, description, secret string) {
		if status < 100 || status > 999 {
			return
		}
		d := &describer{auth: settings.AuthOAuth2ClientCredentials, apiHost: "t.example.com", tokenHost: "a.example.com",
			serviceRoot: "https://t.example.com/api/v1", tokenURL: "https://a.example.com/oauth/token", timeout: time.Second,
			red: newRedactor(secret)}
		re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: status, Header: http.Header{}}, Body: body,
			ErrorCode: code, ErrorDescription: description}
		e := d.tokenError(re)
		if e.Kind == "" || e.Status != status || e.Host != "a.example.com" {
			t.Fatalf("kind %q status %d host %q", e.Kind, e.Status, e.Host)
		}
		if len(e.Message) > 1000 || len(e.Detail) > 2000 {
			t.Fatalf("message of %d and detail of %d bytes", len(e.Message), len(e.Detail))
		}
		checkNoSecret(t, secret, e.Error())
	})
}

// FuzzRetryDelay: whatever Retry-After says, the wait is between zero and the configured maximum.
func FuzzRetryDelay(f *testing.F) {
	for _, s := range []string{"", "5", "-1", "0", "99999999999999999999", "9223372036", "9223372037", "18446744073", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "soon"} {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, retryAfter string, attempt uint8) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const maxWait = 30 * time.Second
		n := int(attempt%maxAttempts) + 1
		d := retryDelay(h, n, now, 500*time.Millisecond, maxWait)
		if d < 0 || d > maxWait {
			t.Fatalf("Retry-After %q, attempt %d: wait %v", retryAfter, n, d)
		}
		// A number of seconds is honoured up to the maximum, however large it is.
		if secs, ok := new(big.Int).SetString(strings.TrimSpace(retryAfter), 10); ok && secs.Sign() >= 0 && !strings.HasPrefix(strings.TrimSpace(retryAfter), "+") {
			want := maxWait
			if secs.Cmp(big.NewInt(int64(maxWait/time.Second))) < 0 {
				want = time.Duration(secs.Int64()) * time.Second
			}
			if d != want {
				t.Fatalf("Retry-After %q: wait %v, want %v", retryAfter, d, want)
			}
		}
	})
}

// FuzzEncodeQuery: any key and value survive EncodeQuery and standard query parsing unchanged, and
// the encoding uses only characters that need no escaping in a query.
func FuzzEncodeQuery(f *testing.F) {
	for _, s := range [][2]string{{"$filter", "Status eq 'FAILED' and LogEnd ge datetime'2024-01-02T03:04:05'"}, {"a+b", "c&d=e;f"}, {"", "%zz"}, {"é", "\xff\x00 #"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, k, v string) {
		enc := EncodeQuery(url.Values{k: {v}})
		back, err := url.ParseQuery(enc)
		if err != nil || len(back) != 1 || len(back[k]) != 1 || back[k][0] != v {
			t.Fatalf("%q=%q encodes as %q, which reads back as %v (%v)", k, v, enc, back, err)
		}
		for _, c := range enc {
			if c > 0x7e || c <= ' ' || strings.ContainsRune("#+&;\"<>\\^`{|}", c) && c != '&' {
				t.Fatalf("%q=%q encodes as %q with %q", k, v, enc, c)
			}
		}
	})
}
