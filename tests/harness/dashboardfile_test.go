package harness

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The dashboard JSON as far as the tests read it, and the loader of the bundled dashboards.

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type dashboardJSON struct {
	ID            any    `json:"id"`
	UID           string `json:"uid"`
	Title         string `json:"title"`
	Description   string `json:"description"`
	SchemaVersion int    `json:"schemaVersion"`
	Version       int    `json:"version"`
	Inputs        []any  `json:"__inputs"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []dashVariable `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []dashAnnotation `json:"list"`
	} `json:"annotations"`
	Panels []dashPanel `json:"panels"`
	Links  []dashLink  `json:"links"`
}

type dashVariable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Label      string          `json:"label"`
	Query      json.RawMessage `json:"query"`
	Datasource *dsRef          `json:"datasource"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Current    struct {
		Value any `json:"value"`
	} `json:"current"`
	Options []struct {
		Text  string `json:"text"`
		Value string `json:"value"`
	} `json:"options"`
}

type dashAnnotation struct {
	Name       string         `json:"name"`
	BuiltIn    int            `json:"builtIn"`
	Enable     bool           `json:"enable"`
	Datasource *dsRef         `json:"datasource"`
	Target     map[string]any `json:"target"`
}

type dashPanel struct {
	ID            int              `json:"id"`
	Type          string           `json:"type"`
	Title         string           `json:"title"`
	Description   string           `json:"description"`
	Datasource    *dsRef           `json:"datasource"`
	Targets       []map[string]any `json:"targets"`
	Panels        []dashPanel      `json:"panels"`
	TimeFrom      string           `json:"timeFrom"`
	Collapsed     bool             `json:"collapsed"`
	Repeat        string           `json:"repeat"`
	MaxDataPoints int64            `json:"maxDataPoints"`
	Interval      string           `json:"interval"`
	GridPos       struct {
		H int `json:"h"`
		W int `json:"w"`
		X int `json:"x"`
		Y int `json:"y"`
	} `json:"gridPos"`
}

type dashLink struct {
	Title string `json:"title"`
	Type  string `json:"type"`
	URL   string `json:"url"`
}

// boardFile is one dashboard file as shipped.
type boardFile struct {
	file string // base name in src/dashboards
	text string
	dash dashboardJSON
}

// allPanels flattens rows (a collapsed row holds its panels) into one list, rows excluded.
func (d dashboardJSON) allPanels() []dashPanel {
	var out []dashPanel
	var walk func(ps []dashPanel)
	walk = func(ps []dashPanel) {
		for _, p := range ps {
			if p.Type == "row" {
				walk(p.Panels)
				continue
			}
			out = append(out, p)
		}
	}
	walk(d.Panels)
	return out
}

func loadDashboards(t *testing.T) []boardFile {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join(root, dashboardsDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no dashboards in %s", dashboardsDir)
	}
	var out []boardFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboardJSON
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%s is not a dashboard JSON: %v", filepath.Base(p), err)
		}
		out = append(out, boardFile{file: filepath.Base(p), text: string(b), dash: d})
	}
	return out
}

// ---------------------------------------------------------------------------------------------------------
// Static checks.
