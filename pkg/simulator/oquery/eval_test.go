package oquery

import (
	"strings"
	"testing"
	"time"
)

// row is a test Entity backed by a map; a missing key is an unknown property.
type row map[string]Value

func (r row) Get(path string) (Value, bool) { v, ok := r[path]; return v, ok }

var (
	t0  = time.Date(2021, 2, 1, 0, 0, 0, 0, time.UTC)
	mpl = row{
		"Status":                 "FAILED",
		"CustomStatus":           "FAILED",
		"LogStart":               t0.Add(36 * time.Hour), // 2021-02-02T12:00:00
		"LogEnd":                 t0.Add(36*time.Hour + 1500*time.Millisecond),
		"IntegrationArtifact/Id": "Order_Replication",
		"Sender":                 nil,
		"Receiver":               "S4HANA",
		"Name":                   "O'Brien",
		"Count":                  int64(42),
		"Ratio":                  0.5,
		"Flag":                   true,
		"Off":                    false,
		"Small":                  int32(7), // widened to int64
		"Text":                   "Grüße 日本",
	}
)

func TestMatch(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
	}{
		// SAP doc examples against a FAILED message.
		{"Status eq 'FAILED'", true},
		{"Status eq 'COMPLETED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'", false},
		{"Status eq 'FAILED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'", true},
		{"Status eq 'ERROR' or Version eq '1.0.0'", false}, // evaluated on a row with Version 2.0.0
		// eq / ne on strings, case-sensitive, ordinal ordering.
		{"Status eq 'failed'", false},
		{"Status ne 'COMPLETED'", true},
		{"Status ne 'FAILED'", false},
		{"Status gt 'COMPLETED'", true},
		{"Status ge 'FAILED'", true},
		{"Status lt 'FAILED'", false},
		{"Status le 'FAILED'", true},
		{"'FAILED' eq Status", true},
		{"Text gt 'Grüße'", true},
		// Numbers, int64/float64 mixed, widened types.
		{"Count eq 42", true},
		{"Count eq 42.0", true},
		{"Count gt 41.5", true},
		{"Count lt 42", false},
		{"Count le 42L", true},
		{"Count ne 43", true},
		{"Ratio eq 0.5", true},
		{"Ratio lt 1", true},
		{"Ratio ge 0.75", false},
		{"Small eq 7", true},
		{"-5 lt Count", true},
		// DateTime.
		{"LogStart eq datetime'2021-02-02T12:00:00'", true},
		{"LogStart eq datetime'2021-02-02T12:00'", true},
		{"LogStart gt datetime'2021-02-02T12:00:00'", false},
		{"LogStart ge datetime'2021-02-02T12:00:00'", true},
		{"LogStart lt datetime'2021-02-02T12:00:00.0000001'", true},
		{"LogEnd gt datetime'2021-02-02T12:00:01.4999999'", true},
		{"LogEnd le datetime'2021-02-02T12:00:01.4'", false},
		{"datetime'2021-02-01T00:00:00' lt LogStart", true},
		// Booleans.
		{"Flag", true},
		{"Off", false},
		{"Flag eq true", true},
		{"Flag ne true", false},
		{"not Flag", false},
		{"not Off", true},
		{"not Flag eq false", true}, // (not Flag) eq false
		{"true", true},
		{"false", false},
		// null.
		{"Sender eq null", true},
		{"Sender ne null", false},
		{"Receiver eq null", false},
		{"Receiver ne null", true},
		{"null eq Sender", true},
		{"Sender eq 'x'", false},
		{"Sender ne 'x'", true},
		{"Sender gt 'a'", false},
		{"Sender lt 'a'", false},
		{"Sender le null", false},
		{"startswith(Sender, 'a')", false},     // null propagation: null is not a match
		{"not startswith(Sender, 'a')", false}, // not null is null
		{"startswith(Sender, 'a') or Flag", true},
		{"startswith(Sender, 'a') and Flag", false},
		{"not (startswith(Sender, 'a') or Off)", false},
		{"null", false},
		// Functions.
		{"substringof('Replic', IntegrationArtifact/Id)", true},
		{"substringof('replic', IntegrationArtifact/Id)", false},
		{"substringof('replic', tolower(IntegrationArtifact/Id))", true},
		{"substringof('Order_Replication', IntegrationArtifact/Id) eq true", true},
		{"substringof('X', IntegrationArtifact/Id) eq false", true},
		{"startswith(IntegrationArtifact/Id,'Order')", true},
		{"startswith(IntegrationArtifact/Id,'Replication')", false},
		{"endswith(IntegrationArtifact/Id,'Replication')", true},
		{"endswith(IntegrationArtifact/Id,'Order')", false},
		{"tolower(Status) eq 'failed'", true},
		{"toupper('failed') eq Status", true},
		{"toupper(Text) eq 'GRÜSSE 日本'", false}, // Go's ToUpper maps ß to itself, not SS
		{"toupper(Text) eq 'GRÜßE 日本'", true},
		{"startswith(Name, 'O''B')", true},
		// Precedence and grouping.
		{"Status eq 'X' or Status eq 'FAILED' and Count eq 42", true},
		{"Status eq 'X' or Status eq 'FAILED' and Count eq 0", false},
		{"(Status eq 'X' or Status eq 'FAILED') and Count eq 0", false},
		{"Status eq 'FAILED' or Count eq 0 and Flag eq false", true},
		{"(Status eq 'FAILED' or Count eq 0) and Flag eq false", false},
		{"not (Status eq 'FAILED')", false},
		{"not not (Status eq 'FAILED')", true},
		{"Status eq 'FAILED' eq true", true},
		{"Count gt 1 eq Flag", true},
		{"Status eq 'FAILED' and (Receiver eq 'S4HANA' or Receiver eq 'ECC') and not (Count lt 10)", true},
		// Injection attempt stays one literal.
		{"Status eq ''' or ''1'' eq ''1'", false},
		{"Name eq 'O''Brien'", true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			x := mustParse(t, tt.filter)
			e := mpl
			if strings.Contains(tt.filter, "Version") {
				e = withProps(mpl, row{"Version": "2.0.0"})
			}
			got, err := Match(x, e)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Fatalf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func withProps(base, extra row) row {
	out := row{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func TestMatchNilFilter(t *testing.T) {
	ok, err := Match(nil, mpl)
	if err != nil || !ok {
		t.Fatalf("Match(nil) = %v, %v; want true, nil", ok, err)
	}
}

func TestMatchErrors(t *testing.T) {
	tests := []struct {
		filter, want string
	}{
		{"Status eq 1", "Operator 'eq' is not applicable to operand types Edm.String and Edm.Int64 in 'Status eq 1'."},
		{"Count eq 'x'", "Edm.Int64 and Edm.String"},
		{"LogStart gt '2021-02-01T00:00:00'", "Edm.DateTime and Edm.String"},
		{"LogStart gt 5", "Edm.DateTime and Edm.Int64"},
		{"Flag gt false", "Operator 'gt' is not applicable to operand types Edm.Boolean and Edm.Boolean"},
		{"Status eq true", "Edm.String and Edm.Boolean"},
		{"Status and Flag", "Operator 'and' expects Edm.Boolean operands, got Edm.String"},
		{"Off or Status", "Operator 'or' expects Edm.Boolean operands, got Edm.String"},
		{"not Count", "Operator 'not' expects Edm.Boolean operands, got Edm.Int64"},
		{"startswith(Count, 'a')", "Function 'startswith' expects Edm.String arguments, got Edm.Int64"},
		{"Status", "Invalid filter expression: 'Status'. The filter expression must evaluate to Edm.Boolean, got Edm.String."},
		{"Foo eq 1", "Invalid filter expression: 'Foo eq 1'. Property 'Foo' not found."},
		{"Status eq 'ERROR' or Version eq '1.0.0'", "Property 'Version' not found."},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			x := mustParse(t, tt.filter)
			ok, err := Match(x, mpl)
			if err == nil {
				t.Fatalf("Match = %v, want error", ok)
			}
			if e := asError(t, err); !strings.Contains(e.Message, tt.want) {
				t.Fatalf("message %q does not contain %q", e.Message, tt.want)
			}
		})
	}
}

// Short-circuiting: a false "and" term (or a true "or" term) decides before a later term is evaluated.
func TestMatchShortCircuit(t *testing.T) {
	for _, f := range []string{"Status eq 'X' and Foo eq 1", "Status eq 'FAILED' or Foo eq 1"} {
		if _, err := Match(mustParse(t, f), mpl); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := Match(mustParse(t, "Status eq 'FAILED' and Foo eq 1"), mpl); err == nil {
		t.Error("later and term with unknown property was not evaluated")
	}
}

func TestHandBuiltTrees(t *testing.T) {
	// Trees built in code (without the parser) evaluate and render too.
	x := &And{Terms: []Expr{
		&Compare{Op: OpEq, Left: &Property{Path: "Status"}, Right: &Literal{Value: "FAILED"}},
		&Call{Name: "startswith", Args: []Expr{&Property{Path: "Receiver"}, &Literal{Value: "S4"}}},
		&Compare{Op: OpGt, Left: &Property{Path: "Count"}, Right: &Literal{Value: 41}}, // int widened
	}}
	ok, err := Match(x, mpl)
	if err != nil || !ok {
		t.Fatalf("Match = %v, %v", ok, err)
	}
	if got, want := x.String(), "Status eq 'FAILED' and startswith(Receiver, 'S4') and Count gt 41"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
	_, err = Match(&Call{Name: "nope", Args: nil}, mpl)
	if e := asError(t, err); !strings.Contains(e.Message, "Unknown function 'nope'") {
		t.Fatalf("message %q", e.Message)
	}
	_, err = Match(&Property{Path: "Foo"}, mpl)
	if e := asError(t, err); e.Message != "Invalid filter expression. Property 'Foo' not found." {
		t.Fatalf("message %q", e.Message)
	}
}
