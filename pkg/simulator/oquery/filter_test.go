package oquery

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
)

// mustParse parses or fails the test.
func mustParse(t testing.TB, s string) Expr {
	t.Helper()
	x, err := ParseFilter(s)
	if err != nil {
		t.Fatalf("ParseFilter(%q): %v", s, err)
	}
	return x
}

// asError asserts err is a 400 *Error and returns it.
func asError(t testing.TB, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not *oquery.Error", err, err)
	}
	if e.Status != 400 || e.Code != CodeBadRequest {
		t.Fatalf("error status/code = %d/%q, want 400/%q", e.Status, e.Code, CodeBadRequest)
	}
	return e
}

func TestParseFilterValid(t *testing.T) {
	tests := []struct {
		name, in, want string // want is the canonical rendering (String)
	}{
		// Verbatim examples from SAP Help and the API hub specs.
		{"doc status", "Status eq 'FAILED'", "Status eq 'FAILED'"},
		{"doc custom status", "CustomStatus eq 'ERROR'", "CustomStatus eq 'ERROR'"},
		{"doc time period", "Status eq 'COMPLETED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'",
			"Status eq 'COMPLETED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'"},
		{"doc runtime or", "Status eq 'ERROR' or Version eq '1.0.0'", "Status eq 'ERROR' or Version eq '1.0.0'"},
		{"doc endpoints", "Protocol eq 'SOAP'", "Protocol eq 'SOAP'"},
		{"doc substringof eq true", "substringof('Receiver_',ParameterKey) eq true", "substringof('Receiver_', ParameterKey) eq true"},
		{"doc complex path", "Value/SrcValue eq 'SourceValue' and Value/TgtValue eq 'TargetValue'", "Value/SrcValue eq 'SourceValue' and Value/TgtValue eq 'TargetValue'"},
		{"doc number", "MplsToBeArchived eq 5000", "MplsToBeArchived eq 5000"},
		{"doc log files", "NodeScope eq 'worker' and LogFileType eq 'http'", "NodeScope eq 'worker' and LogFileType eq 'http'"},
		// Grammar.
		{"all ops", "a eq 1 and b ne 2 and c gt 3 and d ge 4 and e lt 5 and f le 6", "a eq 1 and b ne 2 and c gt 3 and d ge 4 and e lt 5 and f le 6"},
		{"path", "IntegrationArtifact/Id eq 'X'", "IntegrationArtifact/Id eq 'X'"},
		{"whitespace", "  Status\teq\n'A'\r\nand(b eq 1 )  ", "Status eq 'A' and b eq 1"},
		{"no space before literal", "Status eq'A'", "Status eq 'A'"},
		{"redundant parens", "((Status eq 'A'))", "Status eq 'A'"},
		{"and binds tighter than or", "a eq 1 or b eq 2 and c eq 3", "a eq 1 or b eq 2 and c eq 3"},
		{"parens keep or inside and", "(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"},
		{"nested and keeps parens", "a eq 1 and (b eq 2 and c eq 3)", "a eq 1 and (b eq 2 and c eq 3)"},
		{"not binds tighter than eq", "not Flag eq true", "not Flag eq true"},
		{"not of comparison", "not(Status eq 'A')", "not (Status eq 'A')"},
		{"not not", "not not Flag", "not not Flag"},
		{"left assoc chain", "a eq b eq true", "a eq b eq true"},
		{"right nested compare", "a eq (b eq true)", "a eq (b eq true)"},
		{"escaped quote", "Name eq 'O''Brien'", "Name eq 'O''Brien'"},
		{"injection stays literal", "Name eq ''' or ''1'' eq ''1'", "Name eq ''' or ''1'' eq ''1'"},
		{"empty string", "Name eq ''", "Name eq ''"},
		{"unicode literal", "Name eq 'Grüße 日本 🚀'", "Name eq 'Grüße 日本 🚀'"},
		{"unicode property", "Größe eq 1", "Größe eq 1"},
		{"negative int", "n gt -5", "n gt -5"},
		{"int64 suffix", "n eq 5L", "n eq 5"},
		{"decimal", "n eq 1.5", "n eq 1.5"},
		{"decimal suffix", "n eq 1.5M", "n eq 1.5"},
		{"double suffix on int", "n eq 2d", "n eq 2.0"},
		{"exponent", "n eq 1e3", "n eq 1000.0"},
		{"negative exponent", "n eq 1.5E-7", "n eq 1.5e-07"},
		{"bools", "Flag eq true or Flag eq false", "Flag eq true or Flag eq false"},
		{"null", "Sender eq null", "Sender eq null"},
		{"literal on the left", "datetime'2021-02-01T00:00:00' lt LogStart", "datetime'2021-02-01T00:00:00' lt LogStart"},
		{"datetime no seconds", "LogStart ge datetime'2021-02-01T10:30'", "LogStart ge datetime'2021-02-01T10:30:00'"},
		{"datetime fraction", "LogStart ge datetime'2021-02-01T10:30:05.1234567'", "LogStart ge datetime'2021-02-01T10:30:05.1234567'"},
		{"datetime short fraction", "LogStart ge datetime'2021-02-01T10:30:05.5'", "LogStart ge datetime'2021-02-01T10:30:05.5'"},
		{"leap day", "d eq datetime'2024-02-29T00:00:00'", "d eq datetime'2024-02-29T00:00:00'"},
		{"startswith", "startswith(Name,'Order')", "startswith(Name, 'Order')"},
		{"endswith", "endswith(Name, '_v2')", "endswith(Name, '_v2')"},
		{"tolower", "tolower(Status) eq 'failed'", "tolower(Status) eq 'failed'"},
		{"toupper", "toupper( Status ) eq 'FAILED'", "toupper(Status) eq 'FAILED'"},
		{"nested functions", "substringof(tolower('X'), tolower(Name))", "substringof(tolower('X'), tolower(Name))"},
		{"not function", "not substringof('x', Name)", "not substringof('x', Name)"},
		{"bare boolean property", "Flag", "Flag"},
		{"bare true", "true", "true"},
		{"property named like a literal prefix", "datetime eq 1", "datetime eq 1"},
		{"keyword inside path", "a/eq eq 1", "a/eq eq 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := mustParse(t, tt.in)
			if got := x.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			// The canonical form must parse to the same tree.
			if again := mustParse(t, tt.want).String(); again != tt.want {
				t.Fatalf("round trip %q -> %q", tt.want, again)
			}
		})
	}
}

func TestParseFilterStructure(t *testing.T) {
	// Precedence: not > comparison > and > or.
	x := mustParse(t, "a eq 1 or b eq 2 and not c")
	or, ok := x.(*Or)
	if !ok || len(or.Terms) != 2 {
		t.Fatalf("top node %T, want *Or with 2 terms", x)
	}
	if c, ok := or.Terms[0].(*Compare); !ok || c.Op != OpEq {
		t.Fatalf("first or term %T", or.Terms[0])
	}
	and, ok := or.Terms[1].(*And)
	if !ok || len(and.Terms) != 2 {
		t.Fatalf("second or term %T, want *And", or.Terms[1])
	}
	if _, ok := and.Terms[1].(*Not); !ok {
		t.Fatalf("last and term %T, want *Not", and.Terms[1])
	}

	// "not" applies to the operand, not to the comparison.
	c, ok := mustParse(t, "not Flag eq true").(*Compare)
	if !ok {
		t.Fatalf("not Flag eq true parsed as %T, want *Compare", mustParse(t, "not Flag eq true"))
	}
	if _, ok := c.Left.(*Not); !ok {
		t.Fatalf("left operand %T, want *Not", c.Left)
	}

	// A chain of "and" is one flat node.
	if a, ok := mustParse(t, "a eq 1 and b eq 2 and c eq 3 and d eq 4").(*And); !ok || len(a.Terms) != 4 {
		t.Fatalf("and chain not flattened: %#v", a)
	}

	// Literal types.
	lits := map[string]Value{
		"'x'": "x", "5": int64(5), "5L": int64(5), "1.25": 1.25, "true": true, "null": nil,
		"datetime'2021-02-01T10:11:12.5'": time.Date(2021, 2, 1, 10, 11, 12, 500_000_000, time.UTC),
	}
	for src, want := range lits {
		x := mustParse(t, "P eq "+src).(*Compare)
		got := x.Right.(*Literal).Value
		if got != want {
			t.Errorf("literal %s = %#v (%T), want %#v (%T)", src, got, got, want, want)
		}
		if tm, ok := got.(time.Time); ok && tm.Location() != time.UTC {
			t.Errorf("datetime literal not UTC: %v", tm.Location())
		}
	}
}

func TestParseFilterErrors(t *testing.T) {
	tests := []struct {
		name, in, want string // want: substring of the message
	}{
		{"empty", "", "Expression expected at position 1."},
		{"blank", "   ", "Expression expected"},
		{"missing operand", "Status eq", "Expression expected at position 10."},
		{"missing left", "eq 'A'", "found keyword 'eq'"},
		{"dangling and", "Status eq 'A' and", "Expression expected"},
		{"double operator", "Status eq eq 'A'", "found keyword 'eq'"},
		{"unterminated string", "Status eq 'FAILED", "Unterminated string literal at position 11."},
		{"unterminated after escape", "Name eq 'a''", "Unterminated string literal"},
		{"unclosed paren", "(Status eq 'A'", "Missing closing parenthesis for '(' at position 1"},
		{"extra paren", "Status eq 'A')", "Invalid token ')'"},
		{"trailing garbage", "Status eq 'A' 'B'", "Invalid token ''B''"},
		{"uppercase keyword", "Status EQ 'A'", "Invalid token 'EQ'"},
		{"uppercase and", "a eq 1 AND b eq 2", "Invalid token 'AND'"},
		{"uppercase datetime", "d eq DateTime'2021-02-01T00:00:00'", "Invalid token"},
		{"zulu", "LogStart gt datetime'2021-02-01T00:00:00Z'", "time zone designator or offset is not allowed"},
		{"offset", "LogStart gt datetime'2021-02-01T00:00:00+01:00'", "time zone designator or offset is not allowed"},
		{"negative offset", "LogStart gt datetime'2021-02-01T00:00-05:00'", "time zone designator or offset is not allowed"},
		{"date only", "LogStart gt datetime'2021-02-01'", "expected YYYY-MM-DDThh:mm"},
		{"space separator", "LogStart gt datetime'2021-02-01 00:00:00'", "expected YYYY-MM-DDThh:mm"},
		{"bad month", "d eq datetime'2021-13-01T00:00:00'", "out of range"},
		{"feb 30", "d eq datetime'2021-02-30T00:00:00'", "out of range"},
		{"hour 24", "d eq datetime'2021-02-01T24:00:00'", "out of range"},
		{"fraction too long", "d eq datetime'2021-02-01T00:00:00.12345678'", "1 to 7 digits"},
		{"empty fraction", "d eq datetime'2021-02-01T00:00:00.'", "1 to 7 digits"},
		{"unterminated datetime", "d eq datetime'2021-02-01T00:00:00", "Unterminated string literal"},
		{"datetimeoffset", "d eq datetimeoffset'2021-02-01T00:00:00Z'", "datetimeoffset'…' are not supported"},
		{"guid", "g eq guid'12345678-aaaa-bbbb-cccc-ddddeeeeffff'", "guid'…' are not supported"},
		{"int overflow", "n eq 9223372036854775808", "out of range"},
		{"float overflow", "n eq 1e999", "out of range"},
		{"bad number", "n eq 12abc", "Invalid number literal"},
		{"bad exponent", "n eq 1e", "exponent digits expected"},
		{"lone minus", "n eq -", "Unexpected character '-'"},
		{"bad char", "Status eq 'A' && b", "Unexpected character '&'"},
		{"bad path", "IntegrationArtifact/ eq 'A'", "Invalid property path"},
		{"unknown function", "length(Name) eq 3", "Unknown function 'length'"},
		{"uppercase function", "StartsWith(Name,'a')", "Unknown function 'StartsWith'"},
		{"arity", "startswith(Name)", "expects 2 argument(s), got 1"},
		{"arity zero", "tolower() eq 'a'", "expects 1 argument(s), got 0"},
		{"missing comma", "startswith(Name 'a')", "',' or ')' expected"},
		{"function arg type", "startswith(Name, 5)", "expects Edm.String arguments, not Edm.Decimal"},
		{"literal type mismatch", "'a' eq 1", "not applicable to operand types Edm.String and Edm.Decimal"},
		{"function type mismatch", "tolower(Name) eq 5", "not applicable to operand types Edm.String and Edm.Decimal"},
		{"bool ordering", "true gt false", "Operator 'gt' is not applicable"},
		{"and operand", "Status eq 'A' and 'B'", "Operator 'and' expects Edm.Boolean operands, not Edm.String"},
		{"or operand", "5 or Flag", "Operator 'or' expects Edm.Boolean operands"},
		{"not operand", "not 'x'", "Operator 'not' expects an Edm.Boolean operand"},
		{"non-boolean filter", "'abc'", "must be of type Edm.Boolean"},
		{"non-boolean function", "tolower(Name)", "must be of type Edm.Boolean"},
		{"arithmetic", "Price add 5 eq 10", "Invalid token 'add'"},
		{"invalid utf8", "Status eq \xff", "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := ParseFilter(tt.in)
			if err == nil {
				t.Fatalf("ParseFilter(%q) = %v, want error", tt.in, x)
			}
			e := asError(t, err)
			if !strings.Contains(e.Message, tt.want) {
				t.Fatalf("message %q does not contain %q", e.Message, tt.want)
			}
			if !strings.HasPrefix(e.Message, "Invalid filter expression") {
				t.Fatalf("message %q lacks the common prefix", e.Message)
			}
		})
	}
}

// TestHubSpecFilterExamples parses every $filter example SAP publishes in the Business Accelerator Hub
// specs (the ```…``` spans in the $filter parameter descriptions).
func TestHubSpecFilterExamples(t *testing.T) {
	dir := sapfixtures.Dir(t)
	files, err := filepath.Glob(filepath.Join(dir, "hub-spec-*.swagger.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no hub-spec fixtures in %s (%v)", dir, err)
	}
	code := regexp.MustCompile("```([^`]+)```")
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(b, &spec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ops := range spec.Paths {
			for _, raw := range ops {
				var op struct {
					Parameters []struct {
						Name        string `json:"name"`
						Description string `json:"description"`
					} `json:"parameters"`
				}
				if json.Unmarshal(raw, &op) != nil {
					continue // "parameters" at path level is a list of $refs, not an operation
				}
				for _, p := range op.Parameters {
					if p.Name != "$filter" {
						continue
					}
					for _, m := range code.FindAllStringSubmatch(p.Description, -1) {
						ex := m[1]
						if ex == "eq" || ex == "ne" || ex == "or" || ex == "substringof" || ex == "startswith" || ex == "endswith" {
							continue // operator names quoted in prose, not expressions
						}
						seen[ex] = true
					}
				}
			}
		}
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d filter examples in the hub specs: %v", len(seen), seen)
	}
	for ex := range seen {
		x, err := ParseFilter(ex)
		if err != nil {
			t.Errorf("hub example %q: %v", ex, err)
			continue
		}
		if again := mustParse(t, x.String()).String(); again != x.String() {
			t.Errorf("hub example %q does not round-trip: %q", ex, again)
		}
	}
}
