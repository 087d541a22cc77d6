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

func TestNumericFrames(t *testing.T) {
	labels := data.Labels{"iflow": "A"}
	got := NumericFrames("PRD", data.FrameTypeNumericMulti, Meta([]string{"req"}), []Series{
		{Frame: "a", Field: "count", Labels: labels, Config: &data.FieldConfig{DisplayNameFromDS: "A"}, Values: []float64{3}},
		{Frame: "b", Field: "count", Labels: data.Labels{"iflow": "B"}, Values: []float64{0}},
	})
	if len(got) != 2 || got[0].Meta.ExecutedQueryString != "req" || got[1].Meta.ExecutedQueryString != "" {
		t.Fatalf("meta belongs on the first frame only: %+v", got)
	}
	for _, f := range got {
		if len(f.Fields) != 1 || f.Meta.Type != data.FrameTypeNumericMulti || f.Fields[0].Labels["tenant"] != "PRD" {
			t.Fatalf("frame %s: %d fields, meta %+v, labels %v", f.Name, len(f.Fields), f.Meta, f.Fields[0].Labels)
		}
	}
	if _, touched := labels["tenant"]; touched {
		t.Fatal("the caller's labels were modified")
	}

	when := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	ts := NumericFrames("PRD", data.FrameTypeTimeSeriesMulti, nil, []Series{{Frame: "s", Field: "count", Times: []time.Time{when}, Values: []float64{1}}})
	if len(ts[0].Fields) != 2 || ts[0].Fields[0].Name != "time" || ts[0].Meta.Type != data.FrameTypeTimeSeriesMulti {
		t.Fatalf("time series frame %+v", ts[0])
	}

	empty := NumericFrames("PRD", data.FrameTypeNumericMulti, Meta([]string{"req"}), nil)
	if len(empty) != 1 || len(empty[0].Fields) != 0 || empty[0].Meta.ExecutedQueryString != "req" {
		t.Fatalf("no series: %+v", empty)
	}
}

func TestLogsFrameLinks(t *testing.T) {
	when := time.Date(2026, 11, 21, 6, 0, 0, 0, time.UTC)
	t.Run("lines with links", func(t *testing.T) {
		f := LogsFrame("audit log", "QA", []LogLine{
			{Time: when, Body: "a", Severity: "info", ID: "1", Link: "https://cpi.example/monitor/1"},
			{Time: when, Body: "b", Severity: "info", ID: "2", Link: "javascript:alert(1)"},
			{Time: when, Body: "c", Severity: "info", ID: "3"},
		}, nil, nil)
		if len(f.Fields) != 6 || f.Fields[5].Name != "link" {
			t.Fatalf("fields %d, last %q", len(f.Fields), f.Fields[len(f.Fields)-1].Name)
		}
		got := []string{f.Fields[5].At(0).(string), f.Fields[5].At(1).(string), f.Fields[5].At(2).(string)}
		if got[0] != "https://cpi.example/monitor/1" || got[1] != "" || got[2] != "" {
			t.Errorf("links %q", got)
		}
		cfg := f.Fields[3].Config
		if cfg == nil || len(cfg.Links) != 1 || cfg.Links[0].URL != `${__data.fields["link"]}` || !cfg.Links[0].TargetBlank {
			t.Fatalf("id field config %+v", cfg)
		}
	})
	t.Run("no line with a safe link", func(t *testing.T) {
		f := LogsFrame("log file", "QA", []LogLine{{Time: when, Body: "a", ID: "1", Link: "/relative"}}, nil, nil)
		if len(f.Fields) != 5 || f.Fields[3].Config != nil {
			t.Fatalf("a frame without links got %d fields, id config %+v", len(f.Fields), f.Fields[3].Config)
		}
	})
	t.Run("the caller's data link wins, extra fields follow the link", func(t *testing.T) {
		own := &data.FieldConfig{Links: []data.DataLink{{Title: "Own"}}}
		f := LogsFrame("messages", "QA", []LogLine{{Time: when, ID: "1", Link: "https://cpi.example/1"}}, nil, own,
			data.NewField("extra", nil, []string{"x"}))
		if f.Fields[3].Config != own || f.Fields[5].Name != "link" || f.Fields[6].Name != "extra" {
			t.Fatalf("fields %v, id config %+v", f.Fields, f.Fields[3].Config)
		}
	})
}
