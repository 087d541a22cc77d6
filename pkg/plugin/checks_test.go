package plugin

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestCheckQuery(t *testing.T) {
	from := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	rng := backend.TimeRange{From: from, To: from.Add(time.Hour)}
	for _, tc := range []struct {
		name  string
		model string
		rng   backend.TimeRange
		want  string // "" = accepted
	}{
		{"plain options", `{"refId":"A","artifactName":"Orders","packageId":"ZFinance"}`, rng, ""},
		{"a $ inside a value is text", `{"endpointName":"Orders$endpointAddress=orders"}`, rng, ""},
		{"Grafana's own keys are not options", `{"legendFormat":"${__series.name}","datasource":{"uid":"$ds"}}`, rng, ""},
		{"empty range", `{}`, backend.TimeRange{From: from, To: from}, ""},
		{"artifacts", `{"artifactName":"$iflow"}`, rng, "option artifactName contains $iflow"},
		{"runtime braces", `{"keystoreName":"${keystore}"}`, rng, "option keystoreName contains ${keystore}"},
		{"runtime inside", `{"packageId":"Z_${pkg}_X"}`, rng, "option packageId contains ${pkg}"},
		{"logs brackets", `{"fileName":"[[file]]"}`, rng, "option fileName contains [[file]]"},
		{"list element", `{"iflows":["A","$iflow"]}`, rng, "option iflows contains $iflow"},
		{"nested object", `{"filters":{"serviceId":["$service"]}}`, rng, "option filters contains $service"},
		{"reversed range", `{}`, backend.TimeRange{From: from.Add(time.Hour), To: from}, "the time range ends (2026-12-06 10:00:00 UTC) before it starts (2026-12-06 11:00:00 UTC)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkQuery(backend.DataQuery{JSON: json.RawMessage(tc.model), TimeRange: tc.rng})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
