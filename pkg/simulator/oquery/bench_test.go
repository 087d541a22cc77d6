package oquery

import (
	"testing"
	"time"
)

// mplRow is how a simulator would likely store a generated message: struct fields, each property
// returned as a Value (strings boxed once at generation time, not per Get).
type mplRow struct {
	status, artifact Value
	logStart, logEnd Value
}

func (r *mplRow) Get(path string) (Value, bool) {
	switch path {
	case "Status":
		return r.status, true
	case "IntegrationArtifact/Id":
		return r.artifact, true
	case "LogStart":
		return r.logStart, true
	case "LogEnd":
		return r.logEnd, true
	}
	return nil, false
}

const typicalMPLFilter = "Status eq 'FAILED' and LogStart ge datetime'2021-02-01T00:00:00' and LogStart lt datetime'2021-02-02T00:00:00' and IntegrationArtifact/Id eq 'Order_Replication'"

func typicalRows() []*mplRow {
	start := time.Date(2021, 2, 1, 12, 0, 0, 0, time.UTC)
	return []*mplRow{
		{status: "FAILED", artifact: "Order_Replication", logStart: start, logEnd: start.Add(time.Second)}, // matches: all terms evaluated
		{status: "COMPLETED", artifact: "Order_Replication", logStart: start, logEnd: start},               // first term decides
		{status: "FAILED", artifact: "Other", logStart: start.Add(-24 * time.Hour), logEnd: start},         // third term decides
	}
}

// TestMatchDoesNotAllocate pins the cost model BenchmarkMatch measures: evaluating the typical MPL
// filter allocates nothing, so its cost is a handful of interface calls and comparisons per row.
func TestMatchDoesNotAllocate(t *testing.T) {
	x := mustParse(t, typicalMPLFilter)
	rows := typicalRows()
	want := []bool{true, false, false}
	for i, r := range rows {
		if ok, err := Match(x, r); err != nil || ok != want[i] {
			t.Fatalf("row %d: Match = %v, %v; want %v", i, ok, err, want[i])
		}
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, r := range rows {
			_, _ = Match(x, r)
		}
	})
	if allocs != 0 {
		t.Fatalf("Match allocates %.1f times per 3 rows, want 0", allocs)
	}
}

// BenchmarkMatch measures one Match of the typical MPL filter on a matching row (the worst case: every
// term is evaluated). Target: well under 1 µs/op.
func BenchmarkMatch(b *testing.B) {
	x := mustParse(b, typicalMPLFilter)
	r := typicalRows()[0]
	b.ReportAllocs()
	for b.Loop() {
		ok, err := Match(x, r)
		if !ok || err != nil {
			b.Fatal("no match")
		}
	}
}

// BenchmarkMatchMapEntity is the same with a map-backed Entity, to show the cost of a naive row type.
func BenchmarkMatchMapEntity(b *testing.B) {
	x := mustParse(b, typicalMPLFilter)
	r := typicalRows()[0]
	m := row{"Status": r.status, "IntegrationArtifact/Id": r.artifact, "LogStart": r.logStart, "LogEnd": r.logEnd}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := Match(x, m); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkParseFilter measures parsing the typical filter (done once per request).
func BenchmarkParseFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFilter(typicalMPLFilter); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSort1000 sorts 1000 rows by "Status,LogEnd desc" (a documented MPL $orderby).
func BenchmarkSort1000(b *testing.B) {
	start := time.Date(2021, 2, 1, 0, 0, 0, 0, time.UTC)
	statuses := []Value{"COMPLETED", "FAILED", "RETRY", "PROCESSING"}
	base := make([]Entity, 1000)
	for i := range base {
		base[i] = &mplRow{status: statuses[i%4], logEnd: start.Add(time.Duration(i*7919%1000) * time.Second)}
	}
	rows := make([]Entity, len(base))
	terms := []OrderTerm{{Path: "Status"}, {Path: "LogEnd", Desc: true}}
	b.ReportAllocs()
	for b.Loop() {
		copy(rows, base)
		Sort(rows, terms)
	}
}
