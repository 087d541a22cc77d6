package models

import (
	"slices"
	"strings"
	"testing"
)

func TestParseMessageQuery(t *testing.T) {
	t.Run("options and Grafana's keys", func(t *testing.T) {
		raw := `{"refId":"A","queryType":"messageCounts","datasource":{"type":"x","uid":"y"},"intervalMs":30000,"maxDataPoints":500,
			"hide":false,"iflows":["A","B"],"statuses":"FAILED","senders":null,"groupBy":"iflow","format":"timeseries",
			"customHeaderName":"OrderId","customHeaderValue":"42","artifactType":"INTEGRATION_FLOW","stuckMinutes":5}`
		var q MessageCountsQuery
		if err := ParseMessageQuery(QueryMessageCounts, []byte(raw), &q); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(q.IFlows, []string{"A", "B"}) || !slices.Equal(q.Statuses, []string{"FAILED"}) || q.Senders != nil ||
			q.GroupBy != "iflow" || q.Format != FormatTimeSeries || q.CustomHeaderValue != "42" {
			t.Errorf("parsed %+v", q)
		}
	})
	t.Run("unknown option", func(t *testing.T) {
		var q MessagesQuery
		err := ParseMessageQuery(QueryMessages, []byte(`{"refId":"A","iflow":["x"],"maxrows":5}`), &q)
		if err == nil {
			t.Fatal("unknown options accepted")
		}
		for _, want := range []string{`"iflow"`, `"maxrows"`, "messages", "iflows", "maxRows", "withErrorText"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %s", err, want)
			}
		}
	})
	t.Run("wrong types", func(t *testing.T) {
		for _, raw := range []string{`{"iflows":[1,2]}`, `{"maxRows":"many"}`, `{"iflows":{"a":1}}`, `not json`} {
			var q MessagesQuery
			if err := ParseMessageQuery(QueryMessages, []byte(raw), &q); err == nil {
				t.Errorf("%s accepted", raw)
			} else if !strings.Contains(err.Error(), "messages") {
				t.Errorf("error %q does not name the query type", err)
			}
		}
	})
	t.Run("every struct option is a known name", func(t *testing.T) {
		for _, name := range []string{"iflows", "packages", "statuses", "senders", "receivers", "messageId", "correlationId",
			"applicationMessageId", "applicationMessageType", "customStatus", "customHeaderName", "customHeaderValue",
			"maxRows", "withErrorText", "groupBy", "includeRetry", "maxErrorTexts", "stuckMinutes", "format"} {
			if !slices.Contains(msgFamilyOptions, name) {
				t.Errorf("%s missing from the option names", name)
			}
		}
	})
}
