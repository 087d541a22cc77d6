package harness

// The host side of the harness: build (or locate) the plugin binary, start it with hashicorp/go-plugin
// exactly as Grafana's pkg/plugins/backendplugin/grpcplugin does, and call it over pluginv2 gRPC.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/seed/sapcpi-datasource/internal/syncbuf"
)

const (
	pluginID = "seed-sapcpi-datasource"
	// binaryEnv names an already built binary (the README's test command points it at dist/ so the
	// shipped artifact is what gets tested). A relative path is taken relative to the repository root.
	binaryEnv = "SAPCPI_PLUGIN_BINARY"
	// grafanaVersion is what the harness claims to be in GF_VERSION and the user agent; plugin.json
	// requires >=12.3.0.
	grafanaVersion = "12.3.0"
	// callTimeout bounds one gRPC call; health checks with faults finish well within it.
	callTimeout = 30 * time.Second
)

var (
	// pluginBinary is the executable every test starts; set by TestMain.
	pluginBinary string
	// pluginVersion is sent as GF_PLUGIN_VERSION and PluginContext.PluginVersion (package.json version).
	pluginVersion = "dev"
	// dsSeq makes data source ids and uids unique: the SDK's instance manager caches one instance per
	// data source, so two tests must never share one by accident.
	dsSeq atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		return 1
	}
	if v, err := packageVersion(root); err == nil && v != "" {
		pluginVersion = v
	}
	if p := os.Getenv(binaryEnv); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			// Never fall back to building: the point of the variable is to test the shipped artifact.
			fmt.Fprintf(os.Stderr, "harness: %s=%s is not an executable file (%v); run the backend build first\n", binaryEnv, p, err)
			return 1
		}
		pluginBinary = p
		fmt.Fprintf(os.Stderr, "harness: testing the pre-built binary %s\n", p)
	} else {
		dir, err := os.MkdirTemp("", "sapcpi-harness-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "harness:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		// Grafana looks for gpx_<executable>_<os>_<arch>; use the same name so the binary is what dist/ ships.
		pluginBinary = filepath.Join(dir, fmt.Sprintf("gpx_sapcpi_%s_%s", runtime.GOOS, runtime.GOARCH))
		start := time.Now()
		cmd := exec.Command("go", "build", "-o", pluginBinary, "./pkg")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "harness: building the plugin binary failed: %v\n%s", err, out)
			return 1
		}
		fmt.Fprintf(os.Stderr, "harness: built %s in %s\n", pluginBinary, time.Since(start).Round(time.Millisecond))
	}
	code := m.Run()
	// Safety net: every test kills its own plugin in t.Cleanup; this catches a client a panic left behind.
	goplugin.CleanupClients()
	return code
}

// repoRoot walks up from the package directory to the go.mod of the plugin module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(b, []byte("module github.com/seed/sapcpi-datasource")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (go.mod of github.com/seed/sapcpi-datasource)")
		}
		dir = parent
	}
}

func packageVersion(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct {
		Version string `json:"version"`
	}
	err = json.Unmarshal(b, &pkg)
	return pkg.Version, err
}

// pluginHost is one running plugin process, as Grafana holds it.
type pluginHost struct {
	client      *goplugin.Client
	diagnostics grpcplugin.DiagnosticsClient
	data        grpcplugin.DataClient
	// stderr is the plugin's raw stderr (hclog JSON lines); hostLog is what go-plugin logged on the host
	// side (handshake, the plugin's log lines re-emitted). Both are searched for secrets.
	stderr  *syncbuf.Buffer
	hostLog *syncbuf.Buffer

	mu      sync.Mutex
	secrets []string // every secret any test sent to this process, for the final log check
}

// grafanaEnv is the environment Grafana gives a backend plugin (pkg/plugins/envvars): its version and
// edition and the plugin's version. Grafana does not pass its own environment on (SkipHostEnv), except
// what a process needs to run at all.
func grafanaEnv() []string {
	env := []string{
		"GF_VERSION=" + grafanaVersion,
		"GF_EDITION=oss",
		"GF_PLUGIN_VERSION=" + pluginVersion,
		"PATH=" + os.Getenv("PATH"),
		"TMPDIR=" + os.TempDir(),
	}
	if home := os.Getenv("HOME"); home != "" {
		env = append(env, "HOME="+home)
	}
	return env
}

// startPlugin launches the binary the way Grafana's grpcplugin client does and dispenses the
// diagnostics and data clients. The process is killed in t.Cleanup; the cleanup also fails the test
// when any secret registered with addSecrets shows up in the plugin's log.
func startPlugin(t *testing.T) *pluginHost {
	t.Helper()
	h := &pluginHost{stderr: &syncbuf.Buffer{}, hostLog: &syncbuf.Buffer{}}
	cmd := exec.Command(pluginBinary)
	cmd.Env = grafanaEnv()
	h.client = goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,  // 2
			MagicCookieKey:   grpcplugin.MagicCookieKey,   // "grafana_plugin_type"
			MagicCookieValue: grpcplugin.MagicCookieValue, // "datasource"
		},
		VersionedPlugins: map[int]goplugin.PluginSet{
			grpcplugin.ProtocolVersion: {
				"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
				"data":        &grpcplugin.DataGRPCPlugin{},
				"resource":    &grpcplugin.ResourceGRPCPlugin{},
				"stream":      &grpcplugin.StreamGRPCPlugin{},
			},
		},
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       "plugin." + pluginID,
			Output:     h.hostLog,
			Level:      hclog.Trace,
			JSONFormat: true,
		}),
		Stderr:       h.stderr,
		StartTimeout: 20 * time.Second,
	})
	// Registered first so it runs last: the process is gone and its output complete when logs are checked.
	t.Cleanup(func() {
		h.mu.Lock()
		secrets := append([]string(nil), h.secrets...)
		h.mu.Unlock()
		assertNoSecrets(t, "plugin stderr (whole run)", h.stderr.String(), secrets)
		assertNoSecrets(t, "go-plugin host log (whole run)", h.hostLog.String(), secrets)
		if t.Failed() {
			t.Logf("plugin stderr (last 4 KiB):\n%s", tail(h.stderr.String(), 4096))
		}
	})
	t.Cleanup(func() {
		h.client.Kill()
		if !h.client.Exited() {
			t.Errorf("go-plugin says the plugin process is still running after Kill")
		}
		// Kill waits for the process; a reaped process can no longer be signalled.
		if cmd.Process != nil && cmd.Process.Signal(syscall.Signal(0)) == nil {
			t.Errorf("the plugin process (pid %d) is still alive after Kill", cmd.Process.Pid)
		}
	})

	rpc, err := h.client.Client()
	if err != nil {
		t.Fatalf("go-plugin handshake with %s failed: %v\nstderr:\n%s", pluginBinary, err, h.stderr.String())
	}
	if v := h.client.NegotiatedVersion(); v != grpcplugin.ProtocolVersion {
		t.Fatalf("negotiated plugin protocol version %d, want %d", v, grpcplugin.ProtocolVersion)
	}
	if p := h.client.Protocol(); p != goplugin.ProtocolGRPC {
		t.Fatalf("negotiated protocol %q, want grpc", p)
	}
	raw, err := rpc.Dispense("diagnostics")
	if err != nil {
		t.Fatalf("dispensing diagnostics: %v", err)
	}
	diag, ok := raw.(grpcplugin.DiagnosticsClient)
	if !ok {
		t.Fatalf("diagnostics client has type %T", raw)
	}
	raw, err = rpc.Dispense("data")
	if err != nil {
		t.Fatalf("dispensing data: %v", err)
	}
	dc, ok := raw.(grpcplugin.DataClient)
	if !ok {
		t.Fatalf("data client has type %T", raw)
	}
	h.diagnostics, h.data = diag, dc
	return h
}

func (h *pluginHost) addSecrets(secrets ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range secrets {
		if s != "" && !slices.Contains(h.secrets, s) {
			h.secrets = append(h.secrets, s)
		}
	}
}

// logs is everything the plugin process logged so far (raw stderr and the host's re-emitted view).
func (h *pluginHost) logs() string { return h.stderr.String() + "\n" + h.hostLog.String() }

// dataSource is a configured data source as Grafana stores it: jsonData plus decrypted secureJsonData.
type dataSource struct {
	Name     string
	JSONData map[string]any
	Secure   map[string]string
	// ID and UpdatedMS identify the instance. Zero means a fresh data source for every call; a test that
	// needs the same plugin-side instance twice (e.g. for its token cache) sets both once (see saved).
	ID        int64
	UpdatedMS int64
	// GrafanaConfig is added to the configuration Grafana sends with every call (e.g. its Secure SOCKS
	// proxy settings, GF_SECURE_SOCKS_DATASOURCE_PROXY_*).
	GrafanaConfig map[string]string
}

// saved gives ds a fixed identity, like a data source saved once and then used several times.
func (ds dataSource) saved() dataSource {
	ds.ID = dsSeq.Add(1)
	ds.UpdatedMS = time.Now().UnixMilli()
	return ds
}

// pluginContext builds the PluginContext Grafana sends with every call for a data source: org, plugin
// id and version, the signed-in user, a few Grafana config values and the instance settings.
func (h *pluginHost) pluginContext(t *testing.T, ds dataSource) *pluginv2.PluginContext {
	t.Helper()
	jd, err := json.Marshal(ds.JSONData)
	if err != nil {
		t.Fatalf("encoding jsonData: %v", err)
	}
	n, updated := ds.ID, ds.UpdatedMS
	if n == 0 {
		n, updated = dsSeq.Add(1), time.Now().UnixMilli()
	}
	name := ds.Name
	if name == "" {
		name = fmt.Sprintf("SAP CPI %d", n)
	}
	return &pluginv2.PluginContext{
		OrgId:         1,
		PluginId:      pluginID,
		PluginVersion: pluginVersion,
		UserAgent:     fmt.Sprintf("Grafana/%s (%s; %s)", grafanaVersion, runtime.GOOS, runtime.GOARCH),
		User:          &pluginv2.User{Login: "admin", Name: "Admin", Email: "admin@localhost", Role: "Admin"},
		GrafanaConfig: grafanaConfig(ds.GrafanaConfig),
		DataSourceInstanceSettings: &pluginv2.DataSourceInstanceSettings{
			Id:                      n, //nolint:staticcheck // Grafana still sends the internal id; the harness sends what Grafana sends
			Uid:                     fmt.Sprintf("harness-%d", n),
			Name:                    name,
			JsonData:                jd,
			DecryptedSecureJsonData: ds.Secure,
			LastUpdatedMS:           updated,
		},
	}
}

// grafanaConfig is the configuration Grafana sends with every call, plus extra.
func grafanaConfig(extra map[string]string) map[string]string {
	cfg := map[string]string{
		"GF_APP_URL":                   "http://localhost:3000/",
		"GF_CONCURRENT_QUERY_COUNT":    "10",
		"GF_USER_FACING_DEFAULT_ERROR": "An error occurred within the plugin",
	}
	maps.Copy(cfg, extra)
	return cfg
}

// checkHealth calls CheckHealth as Grafana's "Save & test" does.
func (h *pluginHost) checkHealth(t *testing.T, ds dataSource) *pluginv2.CheckHealthResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := h.diagnostics.CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: h.pluginContext(t, ds)})
	if err != nil {
		// A gRPC error means the plugin failed instead of reporting an unhealthy data source.
		t.Fatalf("CheckHealth returned a gRPC error instead of a health result: %v", err)
	}
	return res
}

// query is one query of a QueryDataRequest.
type query struct {
	RefID     string
	QueryType string
	JSON      map[string]any
}

// queryData sends one QueryDataRequest with Grafana's shape: a time range, interval and max data
// points per query, and the request headers (e.g. FromAlert for alert evaluation).
func (h *pluginHost) queryData(t *testing.T, ds dataSource, headers map[string]string, queries ...query) *pluginv2.QueryDataResponse {
	t.Helper()
	to := time.Now()
	from := to.Add(-6 * time.Hour)
	req := &pluginv2.QueryDataRequest{PluginContext: h.pluginContext(t, ds), Headers: headers}
	for _, q := range queries {
		// Grafana sends the whole query model, including refId, queryType and the datasource reference.
		model := map[string]any{"refId": q.RefID, "queryType": q.QueryType,
			"datasource": map[string]string{"type": pluginID, "uid": req.PluginContext.DataSourceInstanceSettings.Uid}}
		for k, v := range q.JSON {
			model[k] = v
		}
		raw, err := json.Marshal(model)
		if err != nil {
			t.Fatalf("encoding query %s: %v", q.RefID, err)
		}
		req.Queries = append(req.Queries, &pluginv2.DataQuery{
			RefId:         q.RefID,
			QueryType:     q.QueryType,
			Json:          raw,
			MaxDataPoints: 1000,
			IntervalMS:    30000,
			TimeRange:     &pluginv2.TimeRange{FromEpochMS: from.UnixMilli(), ToEpochMS: to.UnixMilli()},
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	res, err := h.data.QueryData(ctx, req)
	if err != nil {
		t.Fatalf("QueryData returned a gRPC error (a plugin failure) instead of per-query responses: %v", err)
	}
	return res
}

// decodeFrames turns a response's Arrow-encoded frames back into data.Frames, as Grafana does.
func decodeFrames(t *testing.T, refID string, r *pluginv2.DataResponse) data.Frames {
	t.Helper()
	frames, err := data.UnmarshalArrowFrames(r.Frames)
	if err != nil {
		t.Fatalf("query %s: decoding the Arrow frames: %v", refID, err)
	}
	return frames
}

// assertNoSecrets fails when any secret (or, for a PEM private key, any line of its body) occurs in text.
func assertNoSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for _, needle := range secretNeedles(s) {
			if strings.Contains(text, needle) {
				t.Errorf("%s contains a secret (%s): %s", where, describeSecret(needle), redactAround(text, needle))
				break
			}
		}
	}
}

// secretNeedles is the secret itself and, for PEM text, each base64 line long enough to be telling.
func secretNeedles(s string) []string {
	out := []string{s}
	if strings.Contains(s, "-----BEGIN") {
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				out = append(out, line)
			}
		}
	}
	return out
}

// describeSecret names a secret without printing it, so a failure report does not leak it either.
func describeSecret(s string) string {
	if len(s) <= 6 {
		return fmt.Sprintf("%d chars", len(s))
	}
	return fmt.Sprintf("%q…, %d chars", s[:6], len(s))
}

// redactAround shows where a leaked secret sits, with the secret itself masked.
func redactAround(text, needle string) string {
	i := strings.Index(text, needle)
	start, end := max(0, i-120), min(len(text), i+len(needle)+120)
	return strings.ReplaceAll(text[start:end], needle, "<SECRET>")
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// assertContainsAll checks that text mentions every wanted item, case-insensitively. An item with "|"
// accepts any of its alternatives (e.g. "resolve|DNS").
func assertContainsAll(t *testing.T, what, text string, wants []string) {
	t.Helper()
	lower := strings.ToLower(text)
	for _, want := range wants {
		found := false
		for _, alt := range strings.Split(want, "|") {
			if strings.Contains(lower, strings.ToLower(alt)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s does not mention %q:\n  got: %s", what, want, text)
		}
	}
}
