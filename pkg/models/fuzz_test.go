package models

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery decodes any query JSON into every query model: it is refused with an error that names
// the query type (valid UTF-8 when the input is), or accepted, and then encoding and decoding it again
// is a fixpoint.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`{"refId":"A","queryType":"messageCounts","iflows":["A","B"],"statuses":"FAILED","senders":null,"groupBy":"iflow","format":"timeseries"}`,
		`{"iflow":["x"],"maxrows":5}`, `{"iflows":[1,2]}`, `{"maxRows":"many"}`, `{"iflows":{"a":1}}`, `not json`, `[]`, `null`,
		`{"iflows":"` + strings.Repeat("é", 40) + `"}`, `{"iflows":[` + strings.Repeat(`"€",`, 30) + `1]}`,
		`{"provider":"CPI_MESSAGES","dimensions":["IntegrationArtifactName"],"measures":[{"name":"count","method":"SUM"}],"filters":[{"key":"k","values":["v"]}]}`,
		`{"category":"audit.security-events","userContains":"x","cpiOnly":false,"logFileType":"http","fileName":"a.log"}`,
		`{"keystoreName":"system","withChain":true,"maxErrorTexts":-1,"stuckMinutes":1e9,"withErrorText":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		messageModels := map[QueryType]func() any{
			QueryMessages: func() any { return &MessagesQuery{} }, QueryMessageCounts: func() any { return &MessageCountsQuery{} },
			QueryMessageDurations: func() any { return &MessageDurationsQuery{} }, QueryErrorGroups: func() any { return &ErrorGroupsQuery{} },
			QueryStuckMessages: func() any { return &StuckMessagesQuery{} },
		}
		otherModels := map[QueryType]func() any{
			QueryArtifacts: func() any { return &ArtifactsQuery{} }, QueryEndpoints: func() any { return &EndpointsQuery{} },
			QueryCertificates: func() any { return &CertificatesQuery{} }, QueryJMS: func() any { return &JMSQuery{} },
			QueryInventory: func() any { return &InventoryQuery{} }, QueryAuditLogs: func() any { return &AuditLogsQuery{} },
			QueryLogFiles: func() any { return &LogFilesQuery{} }, QueryCalmMetrics: func() any { return &CalmMetricsQuery{} },
		}
		for qt, newModel := range messageModels {
			check(t, qt, raw, newModel, func(b []byte, v any) error { return Parse(qt, b, v) })
		}
		for qt, newModel := range otherModels {
			check(t, qt, raw, newModel, func(b []byte, v any) error { return Parse(qt, b, v) })
		}
	})
}

func check(t *testing.T, qt QueryType, raw []byte, newModel func() any, parse func([]byte, any) error) {
	t.Helper()
	v := newModel()
	if err := parse(raw, v); err != nil {
		msg := err.Error()
		if !strings.Contains(msg, string(qt)) {
			t.Fatalf("%s: error %q does not name the query type", qt, msg)
		}
		if utf8.Valid(raw) && !utf8.ValidString(msg) {
			t.Fatalf("%s: error %q is not valid UTF-8", qt, msg)
		}
		return
	}
	once, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %s accepted but does not encode: %v", qt, raw, err)
	}
	again := newModel()
	if err := parse(once, again); err != nil {
		t.Fatalf("%s: %s accepted, its encoding %s refused: %v", qt, raw, once, err)
	}
	twice, _ := json.Marshal(again)
	if string(once) != string(twice) {
		t.Fatalf("%s: %s encodes as %s, then as %s", qt, raw, once, twice)
	}
}
