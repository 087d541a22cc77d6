package odata

import (
	"net/url"
	"strings"
	"testing"
)

func TestKeyPredicate(t *testing.T) {
	for in, want := range map[string]string{
		"http_access_04766fd_2018-07-09.log": "'http_access_04766fd_2018-07-09.log'",
		"o'neil":                             "'o''neil'",
		"a/b?c#d e":                          "'a%2Fb%3Fc%23d%20e'",
		"100%":                               "'100%25'",
		"x')/../UserCredentials?a=":          "'x''%29%2F..%2FUserCredentials%3Fa%3D'",
		"Grüße":                              "'Gr%C3%BC%C3%9Fe'",
		"":                                   "''",
	} {
		got := KeyPredicate(in)
		if got != want {
			t.Errorf("KeyPredicate(%q) = %q, want %q", in, got, want)
		}
		// Whatever the value, the predicate stays inside one path segment of "Set(<predicate>)/$value",
		// and decodes back to the doubled literal.
		u, err := url.Parse("https://h/api/v1/Set(" + got + ")/$value")
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if u.RawQuery != "" || u.Fragment != "" || strings.Count(u.EscapedPath(), "/") != 4 {
			t.Errorf("%q escapes its segment: path %q query %q fragment %q", in, u.EscapedPath(), u.RawQuery, u.Fragment)
		}
		if wantPath := "/api/v1/Set('" + strings.ReplaceAll(in, "'", "''") + "')/$value"; u.Path != wantPath {
			t.Errorf("%q decodes to %q, want %q", in, u.Path, wantPath)
		}
	}
}

func TestCheckID(t *testing.T) {
	for _, ok := range []string{"ZFinanceS4HANA", "Payment_Files_S4_to_Bank", "com.sap.x-1", "with space"} {
		if err := CheckID("package id", ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for in, char := range map[string]string{"x')/../UserCredentials?a=": "'", "a/b": "/", "a#b": "#", "a%2Fb": "%", `a\b`: `\`, "a?b": "?", `a"b`: `"`} {
		err := CheckID("package id", in)
		if err == nil || !strings.Contains(err.Error(), "package id") || !strings.Contains(err.Error(), `"`+char+`"`) && !strings.Contains(err.Error(), `"\\"`) && !strings.Contains(err.Error(), `"\""`) {
			t.Errorf("CheckID(%q) = %v, want a refusal naming the field and %q", in, err, char)
		}
	}
	if err := CheckID("package id", "a\x00b"); err == nil {
		t.Error("a control character was accepted")
	}
}

func TestWebLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://t.example/shell/monitoring/Messages/%7B%22identifier%22%7D": "https://t.example/shell/monitoring/Messages/%7B%22identifier%22%7D",
		" http://h:8080/x ":                        "http://h:8080/x",
		"HTTPS://H/":                               "HTTPS://H/",
		"javascript:alert(1)":                      "",
		"JavaScript://h/%0Aalert(1)":               "",
		"data:text/html,<script>alert(1)</script>": "",
		"vbscript:msgbox":                          "",
		"/relative/path":                           "",
		"//h/protocol-relative":                    "",
		"https:opaque":                             "",
		"":                                         "",
	} {
		if got := WebLink(in); got != want {
			t.Errorf("WebLink(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the value, its key predicate stays in its path segment and decodes to the quoted literal.
func FuzzKeyPredicate(f *testing.F) {
	for _, s := range []string{"x')/../UserCredentials?a=", "a#b", "100%", "Grüße", "\x00\xff", "''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse("https://h/api/v1/Set(" + KeyPredicate(s) + ")/$value")
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if u.RawQuery != "" || u.Fragment != "" || strings.Count(u.EscapedPath(), "/") != 4 {
			t.Fatalf("%q leaves its segment: %s", s, u)
		}
		if want := "/api/v1/Set('" + strings.ReplaceAll(s, "'", "''") + "')/$value"; u.Path != want {
			t.Fatalf("%q decodes to %q, want %q", s, u.Path, want)
		}
	})
}
