package rt

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzNumber: a tenant's number never fails decoding; it is unknown or a finite value, and a finite
// value encodes and decodes back to itself.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{`794616135`, `"794616135"`, `" 1.5 "`, `true`, `false`, `null`, `""`, `"NaN"`, `"Inf"`, `1e400`, `"x"`, `{}`, `"\u0031"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n Number
		if err := n.UnmarshalJSON(b); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !n.Valid {
			if n.Value != 0 || n.Ptr() != nil {
				t.Fatalf("%s: unknown number with value %v", b, n.Value)
			}
			return
		}
		if math.IsNaN(n.Value) || math.IsInf(n.Value, 0) {
			t.Fatalf("%s read as %v", b, n.Value)
		}
		out, _ := json.Marshal(n.Value)
		var back Number
		if err := back.UnmarshalJSON(out); err != nil || !back.Valid || back.Value != n.Value {
			t.Fatalf("%s read as %v, encoded as %s, read back as %+v", b, n.Value, out, back)
		}
	})
}
