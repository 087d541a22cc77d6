package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"go.yaml.in/yaml/v3"
)

// The stack (docker-compose.yaml) cannot run here: there is no Docker engine. These tests check what
// can be checked without one, by running the compose services' real commands: the simulated tenant is
// started with the compose file's arguments and environment, and the plugin binary answers the
// provisioned data source, as Grafana in the stack would.

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Build struct {
		Context    string            `yaml:"context"`
		Dockerfile string            `yaml:"dockerfile"`
		Args       map[string]string `yaml:"args"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   []string          `yaml:"depends_on"`
}

type provisionedDatasources struct {
	APIVersion  int `yaml:"apiVersion"`
	Datasources []struct {
		Name           string            `yaml:"name"`
		UID            string            `yaml:"uid"`
		Type           string            `yaml:"type"`
		JSONData       map[string]any    `yaml:"jsonData"`
		SecureJSONData map[string]string `yaml:"secureJsonData"`
	} `yaml:"datasources"`
}

const (
	simulatorService = "cpi-simulator"
	grafanaService   = "grafana"
)

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s is not valid YAML: %v", rel, err)
	}
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestComposeFile checks the parts of docker-compose.yaml and the Dockerfiles that tie to the repository.
func TestComposeFile(t *testing.T) {
	var c composeFile
	readYAML(t, "docker-compose.yaml", &c)
	sim, grafana := c.Services[simulatorService], c.Services[grafanaService]
	if sim.Build.Dockerfile == "" || grafana.Build.Dockerfile == "" {
		t.Fatalf("services %q and %q must both be built from this repository: %+v", simulatorService, grafanaService, c.Services)
	}
	for _, svc := range []composeService{sim, grafana} {
		if svc.Build.Context != "." {
			t.Errorf("build context %q: the images build the plugin from the repository root", svc.Build.Context)
		}
		readRepoFile(t, svc.Build.Dockerfile)
	}
	if !slices.Contains(grafana.DependsOn, simulatorService) {
		t.Errorf("grafana must depend on %s", simulatorService)
	}
	if got := grafana.Environment["GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS"]; !strings.Contains(got, pluginID) {
		t.Errorf("Grafana does not allow the unsigned plugin: %q", got)
	}
	if !slices.Contains(grafana.Volumes, "./provisioning:/etc/grafana/provisioning") {
		t.Errorf("provisioning/ is not mounted into Grafana: %v", grafana.Volumes)
	}
	if !slices.Contains(grafana.Ports, "3000:3000") {
		t.Errorf("Grafana is not published on port 3000: %v", grafana.Ports)
	}

	// The Grafana image builds the frontend with an npm script and the backend with mage, and installs the
	// result where Grafana looks for this plugin id.
	dockerfile := readRepoFile(t, grafana.Build.Dockerfile)
	var pkg struct {
		Scripts map[string]string `json:"scripts"`
	}
	if err := json.Unmarshal([]byte(readRepoFile(t, "package.json")), &pkg); err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`npm run ([\w:-]+)`).FindAllStringSubmatch(dockerfile, -1) {
		if pkg.Scripts[m[1]] == "" {
			t.Errorf("%s runs npm script %q, which package.json does not define", grafana.Build.Dockerfile, m[1])
		}
	}
	for _, want := range []string{"go tool mage", "/var/lib/grafana/plugins/" + pluginID, "gpx_sapcpi_linux_"} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("%s does not contain %q", grafana.Build.Dockerfile, want)
		}
	}

	// The Grafana version the stack runs satisfies plugin.json's grafanaDependency.
	var manifest struct {
		Dependencies struct {
			GrafanaDependency string `json:"grafanaDependency"`
		} `json:"dependencies"`
	}
	if err := json.Unmarshal([]byte(readRepoFile(t, "plugin.json")), &manifest); err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`\$\{GRAFANA_VERSION:-([0-9.]+)\}`).FindStringSubmatch(grafana.Build.Args["GRAFANA_VERSION"])
	minimum, ok := strings.CutPrefix(manifest.Dependencies.GrafanaDependency, ">=")
	if version == nil || !ok || compareVersions(version[1], minimum) < 0 {
		t.Errorf("stack Grafana %v does not satisfy grafanaDependency %q", version, manifest.Dependencies.GrafanaDependency)
	}

	simDockerfile := readRepoFile(t, sim.Build.Dockerfile)
	if !strings.Contains(simDockerfile, "./cmd/cpi-simulator") {
		t.Errorf("%s does not build ./cmd/cpi-simulator", sim.Build.Dockerfile)
	}
}

// TestDockerBuildContext checks what the images are built from: the host's node_modules, dist/ and .git stay out
// of the build context (.dockerignore), the sources and the build's own inputs stay in, npm ci runs with the
// repository's .npmrc, and the frontend is built on a Node LTS.
func TestDockerBuildContext(t *testing.T) {
	ignore := dockerignorePatterns(readRepoFile(t, ".dockerignore"))
	for _, p := range []string{"node_modules", "node_modules/.bin/webpack", "dist", "dist/module.js", ".git", ".git/HEAD",
		"tests/browser/.build", "seed-sapcpi-datasource-0.1.0.zip"} {
		if !dockerIgnored(ignore, p) {
			t.Errorf(".dockerignore lets the host's %s into the images", p)
		}
	}
	for _, p := range []string{"package.json", "package-lock.json", ".npmrc", "go.mod", "go.sum", "plugin.json",
		"Magefile.go", "webpack.config.ts", "tsconfig.json", ".config/webpack/webpack.config.ts", "src/module.ts",
		"src/README.md", "src/dashboards/overview.json", "pkg/main.go", "cmd/cpi-simulator/main.go",
		"CHANGELOG.md", "LICENSE", "docs/img/config-editor.png", "provisioning/datasources/sapcpi.yaml"} {
		if dockerIgnored(ignore, p) {
			t.Errorf(".dockerignore keeps %s, which the images build from, out of the build context", p)
		}
	}

	dockerfile := readRepoFile(t, "Dockerfile")
	npmrc, npmCI := -1, -1
	for i, line := range strings.Split(dockerfile, "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 && fields[0] == "COPY" && slices.Contains(fields, ".npmrc") && npmrc < 0 {
			npmrc = i
		}
		if strings.HasPrefix(line, "RUN ") && strings.Contains(line, "npm ci") && npmCI < 0 {
			npmCI = i
		}
	}
	if npmCI < 0 || npmrc < 0 || npmrc > npmCI {
		t.Errorf("the Dockerfile must COPY .npmrc before it runs npm ci (COPY at line %d, npm ci at line %d)", npmrc+1, npmCI+1)
	}
	// Node's LTS lines are the even majors; 20 leaves maintenance in April 2026.
	m := regexp.MustCompile(`(?m)^FROM node:(\d+)[-.\w]*`).FindStringSubmatch(dockerfile)
	if m == nil {
		t.Fatal("the Dockerfile builds the frontend on no node image")
	}
	if major, _ := strconv.Atoi(m[1]); major < 22 || major%2 != 0 {
		t.Errorf("the frontend is built on Node %s, not a current LTS (22 or newer, even)", m[1])
	}
}

// dockerignorePatterns reads a .dockerignore: one pattern a line, # comments, blank lines ignored.
func dockerignorePatterns(text string) []string {
	var patterns []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, strings.TrimPrefix(line, "/"))
		}
	}
	return patterns
}

// dockerIgnored reports whether Docker leaves rel (a slash path from the context root) out of the build context:
// a pattern matches the path or one of its parent folders (filepath.Match syntax; a leading "**/" matches at
// any depth; "!" re-includes; the last matching pattern wins).
func dockerIgnored(patterns []string, rel string) bool {
	parts := strings.Split(rel, "/")
	matches := func(pattern string) bool {
		for i := 1; i <= len(parts); i++ {
			prefix := strings.Join(parts[:i], "/")
			if ok, _ := path.Match(pattern, prefix); ok {
				return true
			}
			if rest, found := strings.CutPrefix(pattern, "**/"); found {
				for j := 0; j < i; j++ {
					if ok, _ := path.Match(rest, strings.Join(parts[j:i], "/")); ok {
						return true
					}
				}
			}
		}
		return false
	}
	ignored := false
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if matches(neg) {
				ignored = false
			}
		} else if matches(p) {
			ignored = true
		}
	}
	return ignored
}

// TestStackServesProvisionedDataSource starts the simulated tenant the way the compose service does and
// checks that the provisioned data source is healthy and answers a query through the real plugin binary.
func TestStackServesProvisionedDataSource(t *testing.T) {
	var c composeFile
	readYAML(t, "docker-compose.yaml", &c)
	sim, grafana := c.Services[simulatorService], c.Services[grafanaService]

	entrypoint := dockerEntrypoint(t, readRepoFile(t, sim.Build.Dockerfile))
	port := freePort(t)
	// The image listens on 0.0.0.0:8080; here the same command listens on a free loopback port (the last
	// -addr wins).
	args := append(append(entrypoint[1:], sim.Command...), "-addr", fmt.Sprintf("127.0.0.1:%d", port))
	addr := startSimulator(t, args, sim.Environment)

	var prov provisionedDatasources
	readYAML(t, "provisioning/datasources/sapcpi.yaml", &prov)
	if prov.APIVersion != 1 || len(prov.Datasources) == 0 {
		t.Fatalf("provisioning file: %+v", prov)
	}
	ds := prov.Datasources[0]
	if ds.Type != pluginID {
		t.Fatalf("provisioned type %q, want %q", ds.Type, pluginID)
	}
	// Inside the stack the tenant is reached by its service name; here it is on loopback. Environment
	// variables are expanded the way Grafana expands them in provisioning files.
	simHost := simulatorService + ":" + containerPort(t, sim.Ports)
	jsonData := map[string]any{}
	for k, v := range ds.JSONData {
		if s, ok := v.(string); ok {
			v = strings.ReplaceAll(s, simHost, addr)
		}
		jsonData[k] = v
	}
	secure := map[string]string{}
	for k, v := range ds.SecureJSONData {
		expanded := os.Expand(v, func(name string) string { return grafana.Environment[name] })
		if expanded == "" {
			t.Fatalf("secureJsonData.%s refers to %q, which the grafana service does not set", k, v)
		}
		secure[k] = expanded
	}

	h := startPlugin(t)
	source := dataSource{Name: ds.Name, JSONData: jsonData, Secure: secure}
	res := h.checkHealth(t, source)
	if res.Status != pluginv2.CheckHealthResponse_OK {
		t.Fatalf("provisioned data source is not healthy: %s", res.Message)
	}
	if label, _ := ds.JSONData["tenantLabel"].(string); !strings.Contains(res.Message, label) {
		t.Fatalf("health message %q does not name the tenant label %q", res.Message, label)
	}

	resp := h.queryData(t, source, nil, query{RefID: "A", QueryType: "artifacts", JSON: map[string]any{"format": "table"}})
	r := resp.Responses["A"]
	if r.Error != "" {
		t.Fatalf("artifacts query on the provisioned data source: %s", r.Error)
	}
	frames := decodeFrames(t, "A", r)
	if len(frames) != 1 || frames[0].Rows() == 0 {
		t.Fatalf("artifacts query returned %d frames", len(frames))
	}
}

// dockerEntrypoint reads the exec-form ENTRYPOINT of a Dockerfile.
func dockerEntrypoint(t *testing.T, dockerfile string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ENTRYPOINT\s+(\[.*\])\s*$`).FindStringSubmatch(dockerfile)
	if m == nil {
		t.Fatal("no exec-form ENTRYPOINT in the simulator Dockerfile")
	}
	var ep []string
	if err := json.Unmarshal([]byte(m[1]), &ep); err != nil || len(ep) == 0 {
		t.Fatalf("ENTRYPOINT %s: %v", m[1], err)
	}
	return ep
}

// containerPort returns the container side of the first "host:container" port mapping.
func containerPort(t *testing.T, ports []string) string {
	t.Helper()
	if len(ports) == 0 {
		t.Fatal("the simulator service publishes no port")
	}
	_, p, ok := strings.Cut(ports[0], ":")
	if !ok {
		p = ports[0]
	}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startSimulator builds cmd/cpi-simulator and runs it with args and env; it returns host:port once the
// command says it listens, and stops it when the test ends.
func startSimulator(t *testing.T, args []string, env map[string]string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "cpi-simulator")
	build := exec.Command("go", "build", "-o", bin, "./cmd/cpi-simulator")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the simulator: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	listening := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on http://(\S+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case listening <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case addr := <-listening:
		return addr
	case <-time.After(20 * time.Second):
		t.Fatalf("the simulator started with %v did not report listening", args)
	}
	return ""
}

// compareVersions compares dotted numeric versions ("13.1.0" vs "12.3.0").
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}
