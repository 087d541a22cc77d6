package frames

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

func TestLogsFrame(t *testing.T) {
	labels := map[string]string{"iflow": "Order_to_Cash"}
	when := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	link := &data.FieldConfig{Links: []data.DataLink{{Title: "Open"}}}
	f := LogsFrame("messages", "PRD EU", []LogLine{
		{Time: when, Body: "failed", Severity: "error", ID: "m1", Labels: labels},
		{Time: when.Add(time.Second), Body: "ok", Severity: "info", ID: "m2"},
	}, Meta([]string{"https://t/api/v1/MessageProcessingLogs"}), link, data.NewField("link", nil, []string{"a", "b"}))

	names := make([]string, len(f.Fields))
	for i, fld := range f.Fields {
		names[i] = fld.Name
	}
	if got := names; len(got) != 6 || got[0] != "timestamp" || got[1] != "body" || got[2] != "severity" || got[3] != "id" || got[4] != "labels" || got[5] != "link" {
		t.Fatalf("fields %v", got)
	}
	if f.Meta.Type != data.FrameTypeLogLines || f.Meta.PreferredVisualization != data.VisTypeLogs || f.Meta.ExecutedQueryString == "" {
		t.Fatalf("meta %+v", f.Meta)
	}
	if f.Fields[3].Config != link {
		t.Fatal("id field lost its links")
	}
	var first, second map[string]string
	_ = json.Unmarshal(f.Fields[4].At(0).(json.RawMessage), &first)
	_ = json.Unmarshal(f.Fields[4].At(1).(json.RawMessage), &second)
	if first["tenant"] != "PRD EU" || first["iflow"] != "Order_to_Cash" || second["tenant"] != "PRD EU" {
		t.Fatalf("labels %v %v", first, second)
	}
	if _, touched := labels["tenant"]; touched {
		t.Fatal("the caller's label map was modified")
	}
}

func TestLogsFrameEmpty(t *testing.T) {
	f := LogsFrame("audit log", "SIM", nil, nil, nil)
	if f.Rows() != 0 || len(f.Fields) != 5 || f.Meta == nil || f.Meta.Type != data.FrameTypeLogLines {
		t.Fatalf("empty frame %+v", f)
	}
}

func TestTenantColumnAndMeta(t *testing.T) {
	col := TenantColumn("QA", 3)
	if col.Name != TenantLabel || col.Len() != 3 || col.At(2).(string) != "QA" {
		t.Fatalf("column %+v", col)
	}
	m := Meta([]string{"a", "b"}, data.Notice{Text: "capped"})
	if m.ExecutedQueryString != "a\nb" || m.Stats[0].Value != 2 || m.Notices[0].Text != "capped" {
		t.Fatalf("meta %+v", m)
	}
}
