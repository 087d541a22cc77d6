package oquery

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestTimeBounds(t *testing.T) {
	const (
		a = "2021-02-01T00:00:00"
		b = "2021-02-14T00:00:00"
	)
	ns := time.Nanosecond
	tests := []struct {
		name, filter, prop string
		from, to           *time.Time
	}{
		{"doc example LogStart", "Status eq 'COMPLETED' and LogStart gt datetime'" + a + "' and LogEnd lt datetime'" + b + "'", "LogStart", ptr(ts(a).Add(ns)), nil},
		{"doc example LogEnd", "Status eq 'COMPLETED' and LogStart gt datetime'" + a + "' and LogEnd lt datetime'" + b + "'", "LogEnd", nil, ptr(ts(b))},
		{"ge lt window", "LogStart ge datetime'" + a + "' and LogStart lt datetime'" + b + "'", "LogStart", ptr(ts(a)), ptr(ts(b))},
		{"gt le window", "LogStart gt datetime'" + a + "' and LogStart le datetime'" + b + "'", "LogStart", ptr(ts(a).Add(ns)), ptr(ts(b).Add(ns))},
		{"eq", "LogStart eq datetime'" + a + "'", "LogStart", ptr(ts(a)), ptr(ts(a).Add(ns))},
		{"literal on the left", "datetime'" + a + "' le LogStart and datetime'" + b + "' gt LogStart", "LogStart", ptr(ts(a)), ptr(ts(b))},
		{"tightest bounds win", "LogStart ge datetime'2021-01-01T00:00:00' and LogStart ge datetime'" + a + "' and LogStart lt datetime'" + b + "' and LogStart lt datetime'2021-03-01T00:00:00'", "LogStart", ptr(ts(a)), ptr(ts(b))},
		{"only lower", "LogStart ge datetime'" + a + "' and Status eq 'FAILED'", "LogStart", ptr(ts(a)), nil},
		{"only upper", "LogStart lt datetime'" + b + "'", "LogStart", nil, ptr(ts(b))},
		{"other property", "LogEnd ge datetime'" + a + "'", "LogStart", nil, nil},
		{"no filter term", "Status eq 'FAILED'", "LogStart", nil, nil},
		{"ne bounds nothing", "LogStart ne datetime'" + a + "'", "LogStart", nil, nil},
		{"not bounds nothing", "not (LogStart ge datetime'" + a + "')", "LogStart", nil, nil},
		{"or of windows gives the hull", "(LogStart ge datetime'" + a + "' and LogStart lt datetime'2021-02-02T00:00:00') or (LogStart ge datetime'2021-02-10T00:00:00' and LogStart lt datetime'" + b + "')", "LogStart", ptr(ts(a)), ptr(ts(b))},
		{"or with an unbounded branch", "LogStart ge datetime'" + a + "' or Status eq 'FAILED'", "LogStart", nil, nil},
		{"or bounded above only in one branch", "(LogStart ge datetime'" + a + "' and LogStart lt datetime'" + b + "') or LogStart ge datetime'2021-03-01T00:00:00'", "LogStart", ptr(ts(a)), nil},
		{"nested and in parens", "Status eq 'FAILED' and (LogStart ge datetime'" + a + "' and LogStart lt datetime'" + b + "')", "LogStart", ptr(ts(a)), ptr(ts(b))},
		{"non-datetime literal ignored", "LogStart ge 5", "LogStart", nil, nil},
		{"contradiction gives empty window", "LogStart ge datetime'" + b + "' and LogStart lt datetime'" + a + "'", "LogStart", ptr(ts(b)), ptr(ts(a))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := TimeBounds(mustParse(t, tt.filter), tt.prop)
			if !sameTime(from, tt.from) || !sameTime(to, tt.to) {
				t.Fatalf("TimeBounds = [%s, %s), want [%s, %s)", fmtT(from), fmtT(to), fmtT(tt.from), fmtT(tt.to))
			}
		})
	}
	if from, to := TimeBounds(nil, "LogStart"); from != nil || to != nil {
		t.Fatal("nil filter has bounds")
	}
}

// The window must contain every row the filter matches: check at the edges.
func TestTimeBoundsContainMatches(t *testing.T) {
	filters := []string{
		"LogStart gt datetime'2021-02-01T00:00:00' and LogStart le datetime'2021-02-02T00:00:00'",
		"LogStart ge datetime'2021-02-01T00:00:00' and LogStart lt datetime'2021-02-02T00:00:00'",
		"LogStart eq datetime'2021-02-01T00:00:00'",
	}
	base := ts("2021-02-01T00:00:00")
	for _, f := range filters {
		x := mustParse(t, f)
		from, to := TimeBounds(x, "LogStart")
		for _, d := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond, 24*time.Hour - time.Nanosecond, 24 * time.Hour, 24*time.Hour + time.Nanosecond} {
			tm := base.Add(d)
			ok, err := Match(x, row{"LogStart": tm})
			if err != nil {
				t.Fatal(err)
			}
			inside := !tm.Before(*from) && tm.Before(*to)
			if ok != inside {
				t.Errorf("%s at %s: match=%v but inside window=%v", f, tm.Format(time.RFC3339Nano), ok, inside)
			}
		}
	}
}

func TestEqualities(t *testing.T) {
	tests := []struct {
		name, filter string
		want         map[string][]Value
	}{
		{"doc example", "Status eq 'COMPLETED' and LogStart gt datetime'2021-02-01T00:00:00' and LogEnd lt datetime'2021-02-14T00:00:00'",
			map[string][]Value{"Status": {"COMPLETED"}}},
		{"typical MPL", "Status eq 'FAILED' and LogStart ge datetime'2021-02-01T00:00:00' and IntegrationArtifact/Id eq 'X'",
			map[string][]Value{"Status": {"FAILED"}, "IntegrationArtifact/Id": {"X"}}},
		{"or of same path", "(Status eq 'FAILED' or Status eq 'RETRY') and IntegrationArtifact/Id eq 'X'",
			map[string][]Value{"Status": {"FAILED", "RETRY"}, "IntegrationArtifact/Id": {"X"}}},
		{"runtime artifacts or", "Status eq 'ERROR' or Version eq '1.0.0'", nil},
		{"or dedupes", "Status eq 'A' or Status eq 'A' or 'B' eq Status", map[string][]Value{"Status": {"A", "B"}}},
		{"or keeps common paths only", "(Status eq 'A' and Sender eq 'S') or (Status eq 'B' and Receiver eq 'R')", map[string][]Value{"Status": {"A", "B"}}},
		{"and intersects", "(Status eq 'A' or Status eq 'B') and (Status eq 'B' or Status eq 'C')", map[string][]Value{"Status": {"B"}}},
		{"contradiction", "Status eq 'A' and Status eq 'B'", map[string][]Value{"Status": {}}},
		{"numbers compare across kinds", "N eq 1 and N eq 1.0", map[string][]Value{"N": {int64(1)}}},
		{"null", "Sender eq null", map[string][]Value{"Sender": {nil}}},
		{"datetime", "LogStart eq datetime'2021-02-01T00:00:00'", map[string][]Value{"LogStart": {ts("2021-02-01T00:00:00")}}},
		{"ne ignored", "Status ne 'A'", nil},
		{"not ignored", "not (Status eq 'A')", nil},
		{"function ignored", "tolower(Status) eq 'a'", nil},
		{"property vs property ignored", "Sender eq Receiver", nil},
		{"eq true on function ignored", "substringof('x', Name) eq true", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Equalities(mustParse(t, tt.filter))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Equalities = %#v, want %#v", got, tt.want)
			}
		})
	}
	if Equalities(nil) != nil {
		t.Fatal("Equalities(nil) not nil")
	}
}

func TestPropertiesAndWalk(t *testing.T) {
	x := mustParse(t, "Status eq 'A' and (substringof('x', IntegrationArtifact/Id) or not Flag) and Status ne LogLevel")
	if got, want := Properties(x), []string{"Status", "IntegrationArtifact/Id", "Flag", "LogLevel"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Properties = %v, want %v", got, want)
	}
	if Properties(nil) != nil {
		t.Fatal("Properties(nil) not nil")
	}
	// Walk can prune: skipping Call operands hides IntegrationArtifact/Id.
	var seen []string
	Walk(x, func(n Expr) bool {
		if p, ok := n.(*Property); ok {
			seen = append(seen, p.Path)
		}
		_, isCall := n.(*Call)
		return !isCall
	})
	if strings.Join(seen, ",") != "Status,Flag,Status,LogLevel" {
		t.Fatalf("Walk with pruning saw %v", seen)
	}
	// The restriction check the simulator needs for IntegrationRuntimeArtifacts: "only or, no nesting".
	onlyOr := func(s string) bool {
		ok := true
		Walk(mustParse(t, s), func(n Expr) bool {
			switch n.(type) {
			case *And, *Not, *Call:
				ok = false
			}
			return true
		})
		return ok
	}
	if !onlyOr("Status eq 'ERROR' or Version eq '1.0.0'") || onlyOr("Status eq 'ERROR' and Version eq '1.0.0'") {
		t.Fatal("only-or check via Walk is wrong")
	}
}

func ptr[T any](v T) *T { return &v }

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func fmtT(p *time.Time) string {
	if p == nil {
		return "∞"
	}
	return p.Format(time.RFC3339Nano)
}
