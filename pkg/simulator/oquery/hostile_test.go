package oquery

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestHostileInputs(t *testing.T) {
	long := strings.Repeat("x", 10000)
	tests := []struct {
		name, in string
		wantErr  string // "" = must parse
	}{
		{"10k literal", "Status eq '" + long + "'", ""},
		{"10k literal of quotes", "Status eq '" + strings.Repeat("''", 5000) + "'", ""},
		{"10k unterminated literal", "Status eq '" + long, "Unterminated string literal at position 11."},
		{"10k property name", long + " eq 1", ""},
		{"10k digits", "N eq " + strings.Repeat("9", 10000), "out of range"},
		{"100 parentheses", strings.Repeat("(", 99) + "Flag" + strings.Repeat(")", 99), ""},
		{"101 parentheses", strings.Repeat("(", 101) + "Flag" + strings.Repeat(")", 101), "nested more than 100 levels deep"},
		{"1e6 open parentheses", strings.Repeat("(", 1_000_000), "nested more than 100 levels deep"},
		{"10k not", strings.Repeat("not ", 10000) + "Flag", "nested more than 100 levels deep"},
		{"10k nested calls", strings.Repeat("tolower(", 10000) + "Name" + strings.Repeat(")", 10000) + " eq 'a'", "nested more than 100 levels deep"},
		{"long comparison chain", "Flag" + strings.Repeat(" eq true", 500), "nested more than 100 levels deep"},
		{"10k-term and chain is flat", "Flag" + strings.Repeat(" and Flag", 10000), ""},
		{"10k-term or chain is flat", "Off" + strings.Repeat(" or Off", 10000) + " or Flag", ""},
		{"sql injection outside quotes", "Status eq 'A'; DROP TABLE x", "Unexpected character ';'"},
		{"or-injection escaped", "Status eq 'x'' or ''1''=''1'", ""},
		{"NUL in literal", "Status eq 'a\x00b'", ""},
		{"NUL outside literal", "Status eq\x00'a'", "Unexpected character"},
		{"control char", "Status\x01eq 'a'", "Unexpected character"},
		{"right-to-left override", "Status eq '\u202eDELIAF'", ""},
		{"emoji property", "🚀 eq 1", "Unexpected character '🚀'"},
		{"lone quote", "'", "Unterminated string literal"},
		{"percent-encoded stays text", "Status eq '%27 or 1 eq 1'", ""},
		{"invalid utf8 in literal", "Status eq '\xff\xfe'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			x, err := ParseFilter(tt.in)
			if d := time.Since(start); d > time.Second {
				t.Errorf("parse took %v", d)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseFilter: %v", err)
				}
				if _, err := Match(x, mpl); err != nil {
					// Type errors are fine (e.g. a 10k property name is unknown); panics are not.
					asError(t, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseFilter = %v, want error", x)
			}
			e := asError(t, err)
			if !strings.Contains(e.Message, tt.wantErr) {
				t.Fatalf("message %q does not contain %q", clip(e.Message), tt.wantErr)
			}
			if len(e.Message) > 600 {
				t.Fatalf("message is %d bytes; hostile input must not be echoed in full", len(e.Message))
			}
		})
	}
}

func TestHostileLiteralsStayLiterals(t *testing.T) {
	// Whatever is inside a properly escaped literal compares as text.
	for _, v := range []string{"' or '1' eq '1", "') or (1 eq 1", "x' or Status ne 'y", "'", "''", "\\'", "%27"} {
		f := "Status eq " + literalString(v)
		x := mustParse(t, f)
		c, ok := x.(*Compare)
		if !ok {
			t.Fatalf("%s parsed as %T, want a single comparison", f, x)
		}
		if c.Right.(*Literal).Value != v {
			t.Fatalf("%s: literal %q, want %q", f, c.Right.(*Literal).Value, v)
		}
		if ok, err := Match(x, row{"Status": v}); err != nil || !ok {
			t.Fatalf("%s does not match its own value: %v %v", f, ok, err)
		}
		if ok, err := Match(x, row{"Status": "FAILED"}); err != nil || ok {
			t.Fatalf("%s matches another value: %v %v", f, ok, err)
		}
	}
}

func TestLongChainsEvaluate(t *testing.T) {
	x := mustParse(t, "Off"+strings.Repeat(" or Off", 10000)+" or Flag")
	if ok, err := Match(x, mpl); err != nil || !ok {
		t.Fatalf("or chain: %v %v", ok, err)
	}
	if got := len(Properties(x)); got != 2 {
		t.Fatalf("Properties of chain = %d, want 2", got)
	}
	if Equalities(x) != nil {
		t.Fatal("Equalities of boolean chain")
	}
}

// fuzzRow answers a fixed set of properties of every kind; others are unknown.
var fuzzRow = row{
	"Status": "FAILED", "Name": "O'Brien", "N": int64(3), "F": 2.5, "Flag": true, "Off": false,
	"Null": nil, "LogStart": time.Date(2021, 2, 1, 12, 0, 0, 0, time.UTC), "IntegrationArtifact/Id": "Order",
}

var fuzzSeeds = []string{
	"Status eq 'FAILED'",
	"CustomStatus eq 'ERROR'",
	"Status eq 'COMPLETED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'",
	"Status eq 'ERROR' or Version eq '1.0.0'",
	"Protocol eq 'SOAP'",
	"substringof('Receiver_',ParameterKey) eq true",
	"Value/SrcValue eq 'SourceValue' and Value/TgtValue eq 'TargetValue'",
	"MplsToBeArchived eq 5000",
	"Status eq 'FAILED' and LogStart ge datetime'2021-02-01T00:00:00.1234567' and LogStart lt datetime'2021-02-02T00:00' and IntegrationArtifact/Id eq 'X'",
	"(Status eq 'FAILED' or Status eq 'RETRY') and not (N lt 2)",
	"not Flag eq false",
	"startswith(Name,'O''B') or endswith(tolower(Name), 'x') or toupper(Status) ne null",
	"N ge -5L and F lt 1.5e3 and F gt 2d and N le 7M",
	"Null eq null and Flag ne Off",
	"Status eq ''' or ''1'' eq ''1'",
	"LogStart gt datetime'2021-02-01T00:00:00Z'",
	"Status eq 'unterminated",
	"((((Flag))))",
	"Flag eq (N gt 1)",
	"a eq b eq c",
	"guid'x' eq 1",
	"n eq 1e999",
	"Größe eq 'ü'",
	"\xff",
	"",
	")(",
	"tolower(",
	"Status eq 'a' and",
	strings.Repeat("(", 120) + "Flag" + strings.Repeat(")", 120),
}

// FuzzParseFilter checks that no input panics, that errors are 400 *Error, and that every accepted filter
// renders to a canonical form which parses back to the same form and evaluates the same way.
func FuzzParseFilter(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ParseFilter(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 {
				t.Fatalf("error %v is not a 400 *Error", err)
			}
			if len(e.Message) > 2000 {
				t.Fatalf("message of %d bytes", len(e.Message))
			}
			return
		}
		canon := x.String()
		y, err := ParseFilter(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if again := y.String(); again != canon {
			t.Fatalf("canonical form not stable: %q -> %q", canon, again)
		}
		m1, err1 := Match(x, fuzzRow)
		m2, err2 := Match(y, fuzzRow)
		if m1 != m2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q and its canonical form %q evaluate differently: %v/%v vs %v/%v", s, canon, m1, err1, m2, err2)
		}
		if err1 != nil {
			var e *Error
			if !errors.As(err1, &e) || e.Status != 400 {
				t.Fatalf("eval error %v is not a 400 *Error", err1)
			}
		}
		TimeBounds(x, "LogStart")
		Equalities(x)
		Properties(x)
	})
}

// FuzzParse feeds raw query strings to Parse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"$inlinecount=allpages&$filter=Status%20eq%20'FAILED'&$top=10&$skip=5&$orderby=LogEnd%20desc&$select=Status,LogEnd&$format=json",
		"$top=-1", "$top=1&$top=2", "$orderby=a,,b", "$expand=EntryPoints,ApiDefinitions", "$skiptoken=1000&keystoreName=system", "$x=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		o, err := Parse(q)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 {
				t.Fatalf("error %v is not a 400 *Error", err)
			}
			return
		}
		if o.Top != nil && *o.Top < 0 || o.Skip < 0 {
			t.Fatalf("negative paging accepted: %+v", o)
		}
	})
}
