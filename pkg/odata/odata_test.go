package odata

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	ms := time.UnixMilli(1765786792442).UTC()
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"/Date(1765786792442)/", ms, false},
		{"/Date(1765786792442+0000)/", ms, false},
		{"/Date(1765786792442-0120)/", ms, false},
		{"/Date(-1000)/", time.UnixMilli(-1000).UTC(), false},
		{"1521116198486", time.UnixMilli(1521116198486).UTC(), false},
		{"2021-02-15T16:06:34.08", time.Date(2021, 2, 15, 16, 6, 34, 80e6, time.UTC), false},
		{"2019-10-04T00:00:00Z", time.Date(2019, 10, 4, 0, 0, 0, 0, time.UTC), false},
		{"2019-10-04T02:00:00+02:00", time.Date(2019, 10, 4, 0, 0, 0, 0, time.UTC), false},
		{"", time.Time{}, false},
		{"/Date(abc)/", time.Time{}, true},
		{"/Date(123", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		// Malformed shapes a tenant may send: each is an error, none panics.
		{"/Date()/", time.Time{}, true},
		{"/Date(-)/", time.Time{}, true},
		{"/Date(+)/", time.Time{}, true},
		{"/Date(+0100)/", time.Time{}, true},
		{"/Date(123+)/", time.Time{}, true},
		{"/Date(123+01)/", time.Time{}, true},
		{"/Date(123+01x0)/", time.Time{}, true},
		{"/Date(1.5)/", time.Time{}, true},
		{"/Date( 12)/", time.Time{}, true},
		{"/Date(99999999999999999999)/", time.Time{}, true},
		{"/Date(9223372036854775807)/", time.Time{}, true},
		{"/Date(-9223372036854775808)/", time.Time{}, true},
		{"/Date(253402300800000)/", time.Time{}, true},
		{"/Date(253402300799999)/", time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), false},
		{"/Date(-62135596800000)/", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"/Date(", time.Time{}, true},
		{"/Date()", time.Time{}, true},
		{"/Date(" + strings.Repeat("9", 5000) + ")/", time.Time{}, true},
		{"99999999999999999999", time.Time{}, true},
		{"\u0000", time.Time{}, true},
		{"9999-12-31T23:59:59.999-05:00", time.Time{}, true}, // past 9999 in UTC
		{"0001-01-01T00:00:00+01:00", time.Time{}, true},     // before year 1 in UTC
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestTimeJSON(t *testing.T) {
	var v struct {
		A, B, C Time
	}
	if err := json.Unmarshal([]byte(`{"A":"/Date(1000)/","B":null,"C":1500}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.UnixMilli() != 1000 || !v.B.IsZero() || v.C.UnixMilli() != 1500 {
		t.Fatalf("got %+v", v)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"A":"/Date(1000)/","B":null,"C":"/Date(1500)/"}` {
		t.Fatalf("marshal = %s", out)
	}
	for _, bad := range []string{`true`, `1e400`, `99999999999999999999`, `"/Date()/"`, `{}`, `[]`} {
		if err := json.Unmarshal([]byte(`{"A":`+bad+`}`), &v); err == nil {
			t.Errorf("date %s accepted", bad)
		}
	}
}

func TestDateTimeLiteral(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	got := DateTimeLiteral(time.Date(2026, 11, 21, 7, 30, 15, 999e6, berlin))
	if got != "datetime'2026-11-21T06:30:15'" {
		t.Fatalf("got %s", got)
	}
	if strings.ContainsAny(strings.TrimPrefix(got, "datetime"), "Z+") {
		t.Fatal("zone designator in literal")
	}
}

func TestStringLiteralHostile(t *testing.T) {
	tests := map[string]string{
		"plain":               "'plain'",
		"O'Brien":             "'O''Brien'",
		"' or '1' eq '1":      "''' or ''1'' eq ''1'",
		"''":                  "''''''",
		"ünïcødé ✓ 日本":        "'ünïcødé ✓ 日本'",
		"a&b=c$filter=x#y%20": "'a&b=c$filter=x#y%20'",
	}
	for in, want := range tests {
		got := StringLiteral(in)
		if got != want {
			t.Errorf("StringLiteral(%q) = %s, want %s", in, got, want)
		}
		// Parse back the way an OData lexer does: a lone quote ends the literal, so the quote count
		// inside must be even and the literal must round-trip.
		inner := got[1 : len(got)-1]
		if strings.Count(strings.ReplaceAll(inner, "''", ""), "'") != 0 {
			t.Errorf("literal %s has an unescaped quote", got)
		}
		if strings.ReplaceAll(inner, "''", "'") != in {
			t.Errorf("literal %s does not round-trip to %q", got, in)
		}
	}
}

func TestCheckValue(t *testing.T) {
	if err := CheckValue("iFlow", "Order_Replicate ü"); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 10000)
	for _, tc := range []struct{ in, want string }{
		{long, "10000 characters long"},
		{"a\x00b", "control character (U+0000)"},
		{"line\nbreak", "control character (U+000A)"},
		{"\xff\xfe", "not valid UTF-8"},
	} {
		err := CheckValue("iFlow", tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "iFlow") {
			t.Errorf("CheckValue(%.20q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestFilterBuilders(t *testing.T) {
	got := And(Eq("Status", "FAILED"), "", Or(Eq("IntegrationArtifact/Id", "A"), Eq("IntegrationArtifact/Id", "B'")), "LogStart ge "+DateTimeLiteral(time.Unix(0, 0)))
	want := "Status eq 'FAILED' and (IntegrationArtifact/Id eq 'A' or IntegrationArtifact/Id eq 'B''') and LogStart ge datetime'1970-01-01T00:00:00'"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if Or(Eq("a", "1")) != "a eq '1'" || Or() != "" || And() != "" {
		t.Fatal("degenerate joins")
	}
	if And("a eq 1 or b eq 2", "c eq 3") != "(a eq 1 or b eq 2) and c eq 3" {
		t.Fatal("or term not parenthesised inside and")
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		name              string
		body              string
		wantNil           bool
		wantCode, wantMsg string
	}{
		{name: "sap json", body: `{"error":{"code":"Forbidden","message":{"lang":"en","value":"Missing role"}}}`, wantCode: "Forbidden", wantMsg: "Missing role"},
		{name: "null message (hub 403 example)", body: `{"error":{"code":"Forbidden","message":{"lang":"en","value":null}}}`, wantCode: "Forbidden"},
		{name: "plain string message", body: `{"error":{"code":"X","message":"boom"}}`, wantCode: "X", wantMsg: "boom"},
		{name: "xml", body: `<?xml version="1.0" encoding="utf-8"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code>Bad Request</code><message xml:lang="en">Invalid filter expression</message></error>`, wantCode: "Bad Request", wantMsg: "Invalid filter expression"},
		{name: "oauth error is not odata", body: `{"error":"invalid_client","error_description":"Bad credentials"}`, wantNil: true},
		{name: "html", body: `<html><body>Error</body></html>`, wantNil: true},
		{name: "empty", body: ``, wantNil: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ParseError(403, []byte(tc.body))
			if tc.wantNil {
				if e != nil {
					t.Fatalf("got %+v", e)
				}
				return
			}
			if e == nil || e.Code != tc.wantCode || e.Message != tc.wantMsg || e.Status != 403 {
				t.Fatalf("got %+v", e)
			}
			if !strings.Contains(e.Error(), "HTTP 403") {
				t.Fatalf("Error() = %s", e.Error())
			}
		})
	}
}

func TestResolveNext(t *testing.T) {
	root := "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1"
	tests := []struct {
		next, want, wantErr string
	}{
		{next: "MessageProcessingLogs?$skiptoken=1000", want: root + "/MessageProcessingLogs?$skiptoken=1000"},
		{next: root + "/MessageProcessingLogs?$skiptoken=2000", want: root + "/MessageProcessingLogs?$skiptoken=2000"},
		{next: "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com:443/api/v1/MessageProcessingLogs?$skiptoken=3", want: "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com:443/api/v1/MessageProcessingLogs?$skiptoken=3"},
		{next: "/api/v1/DataStoreEntries?$skiptoken=430780", want: "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1/DataStoreEntries?$skiptoken=430780"},
		{next: "https://evil.example.com/api/v1/MessageProcessingLogs", wantErr: "not to the configured API host"},
		{next: "//evil.example.com/steal", wantErr: "not to the configured API host"},
		{next: "http://t.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1/X", wantErr: "refusing"},
		{next: "https://t.it-cpi001.cfapps.eu10.hana.ondemand.com:8443/api/v1/X", wantErr: "refusing"},
	}
	for _, tc := range tests {
		got, err := ResolveNext(root, tc.next)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ResolveNext(%q) = %q, %v", tc.next, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ResolveNext(%q) = %q, %v; want %q", tc.next, got, err, tc.want)
		}
	}
}
