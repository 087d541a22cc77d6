package oquery

import (
	"strings"
	"testing"
	"time"
)

func ids(rows []Entity) string {
	var s []string
	for _, r := range rows {
		s = append(s, r.(row)["id"].(string))
	}
	return strings.Join(s, ",")
}

func TestSort(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2021, 2, d, 0, 0, 0, 0, time.UTC) }
	base := []Entity{
		row{"id": "a", "Status": "FAILED", "LogEnd": day(3), "N": int64(2), "Sender": "x"},
		row{"id": "b", "Status": "COMPLETED", "LogEnd": day(1), "N": 1.5, "Sender": nil},
		row{"id": "c", "Status": "FAILED", "LogEnd": day(2), "N": int64(2), "Sender": "y"},
		row{"id": "d", "Status": "COMPLETED", "LogEnd": day(4), "N": int32(-1), "Sender": nil},
		row{"id": "e", "Status": "RETRY", "LogEnd": nil, "N": int64(2), "Sender": "a"},
	}
	tests := []struct {
		name  string
		terms []OrderTerm
		want  string
	}{
		{"no terms keeps order", nil, "a,b,c,d,e"},
		{"LogEnd asc nulls first", []OrderTerm{{Path: "LogEnd"}}, "e,b,c,a,d"},
		{"LogEnd desc nulls last", []OrderTerm{{Path: "LogEnd", Desc: true}}, "d,a,c,b,e"},
		{"doc Status,LogEnd desc", []OrderTerm{{Path: "Status"}, {Path: "LogEnd", Desc: true}}, "d,b,a,c,e"},
		{"stable on ties", []OrderTerm{{Path: "N"}}, "d,b,a,c,e"},
		{"stable on ties desc", []OrderTerm{{Path: "N", Desc: true}}, "a,c,e,b,d"},
		{"strings with nulls", []OrderTerm{{Path: "Sender"}}, "b,d,e,a,c"},
		{"unknown path sorts as null (stable)", []OrderTerm{{Path: "Nope"}}, "a,b,c,d,e"},
		{"three keys", []OrderTerm{{Path: "N", Desc: true}, {Path: "Sender", Desc: true}, {Path: "id"}}, "c,a,e,b,d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := append([]Entity(nil), base...)
			Sort(rows, tt.terms)
			if got := ids(rows); got != tt.want {
				t.Fatalf("Sort = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSortLargeStable(t *testing.T) {
	// 1000 rows with 3 distinct keys: within a key the original order must be kept.
	rows := make([]Entity, 1000)
	for i := range rows {
		rows[i] = row{"k": int64(i % 3), "i": int64(i)}
	}
	Sort(rows, []OrderTerm{{Path: "k", Desc: true}})
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1].(row), rows[i].(row)
		if a["k"].(int64) < b["k"].(int64) || (a["k"] == b["k"] && a["i"].(int64) > b["i"].(int64)) {
			t.Fatalf("rows %d,%d out of order: %v %v", i-1, i, a, b)
		}
	}
}

func TestCompareValues(t *testing.T) {
	t1 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		a, b Value
		want int
	}{
		{nil, nil, 0},
		{nil, "a", -1},
		{"a", nil, 1},
		{false, true, -1},
		{true, true, 0},
		{int64(1), 1.5, -1},
		{2.0, int64(2), 0},
		{int(3), int64(2), 1},
		{"B", "a", -1}, // ordinal: uppercase before lowercase
		{"é", "z", 1},
		{t1, t1.Add(time.Second), -1},
		{t1.In(time.FixedZone("X", 3600)), t1, 0}, // same instant
		{true, int64(0), -1},                      // different kinds: by kind rank
		{"x", t1, -1},
	}
	for _, tt := range tests {
		if got := CompareValues(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareValues(%#v, %#v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
