package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Grafana's alerting provisioning file as far as the tests read it, and the loader of the bundled one.

// alertingFile is Grafana's alerting provisioning file (pkg/services/provisioning/alerting, apiVersion 1).
type alertingFile struct {
	APIVersion    int                 `yaml:"apiVersion"`
	Groups        []alertGroup        `yaml:"groups"`
	ContactPoints []alertContactPoint `yaml:"contactPoints"`
	Policies      []map[string]any    `yaml:"policies"`
}

type alertGroup struct {
	OrgID    int         `yaml:"orgId"`
	Name     string      `yaml:"name"`
	Folder   string      `yaml:"folder"`
	Interval string      `yaml:"interval"`
	Rules    []alertRule `yaml:"rules"`
}

type alertRule struct {
	UID          string            `yaml:"uid"`
	Title        string            `yaml:"title"`
	Condition    string            `yaml:"condition"`
	Data         []alertQuery      `yaml:"data"`
	NoDataState  string            `yaml:"noDataState"`
	ExecErrState string            `yaml:"execErrState"`
	For          string            `yaml:"for"`
	DashboardUID string            `yaml:"dashboardUid"`
	PanelID      int               `yaml:"panelId"`
	Annotations  map[string]string `yaml:"annotations"`
	Labels       map[string]string `yaml:"labels"`
	IsPaused     bool              `yaml:"isPaused"`
}

type alertQuery struct {
	RefID             string `yaml:"refId"`
	RelativeTimeRange struct {
		From int64 `yaml:"from"`
		To   int64 `yaml:"to"`
	} `yaml:"relativeTimeRange"`
	DatasourceUID string         `yaml:"datasourceUid"`
	Model         map[string]any `yaml:"model"`
}

type alertContactPoint struct {
	OrgID     int    `yaml:"orgId"`
	Name      string `yaml:"name"`
	Receivers []struct {
		UID                   string         `yaml:"uid"`
		Type                  string         `yaml:"type"`
		Settings              map[string]any `yaml:"settings"`
		DisableResolveMessage bool           `yaml:"disableResolveMessage"`
	} `yaml:"receivers"`
}

// promDuration parses the durations Grafana's provisioning accepts (Prometheus style: 0s, 90s, 1h30m, 7d).
func promDuration(s string) (time.Duration, error) {
	re := regexp.MustCompile(`(\d+)(ms|s|m|h|d|w|y)`)
	if s == "0" {
		return 0, nil
	}
	if !regexp.MustCompile(`^((\d+)(ms|s|m|h|d|w|y))+$`).MatchString(s) {
		return 0, fmt.Errorf("%q is not a duration like 5m or 1h30m", s)
	}
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour, "y": 365 * 24 * time.Hour}
	var d time.Duration
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		d += time.Duration(n) * units[m[2]]
	}
	return d, nil
}

// exprDatasourceUID is Grafana's server-side expressions ("-100" is the legacy spelling).
func isExpression(uid string) bool { return uid == "__expr__" || uid == "-100" }

type loadedAlerting struct {
	files map[string]alertingFile
	rules []alertRule
}

func loadAlerting(t *testing.T) loadedAlerting {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, ext := range []string{"*.yaml", "*.yml", "*.json"} {
		p, _ := filepath.Glob(filepath.Join(root, alertingDir, ext))
		paths = append(paths, p...)
	}
	if len(paths) == 0 {
		t.Fatalf("no alerting provisioning files in %s", alertingDir)
	}
	out := loadedAlerting{files: map[string]alertingFile{}}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f alertingFile
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true) // a misspelt key would be ignored by Grafana: refuse it here
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		out.files[filepath.Base(p)] = f
		for _, g := range f.Groups {
			out.rules = append(out.rules, g.Rules...)
		}
	}
	return out
}
