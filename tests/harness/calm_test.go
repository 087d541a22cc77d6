package harness

// The calmMetrics query and the Cloud ALM connection through the real binary: the CPI_MESSAGES preset as
// Grafana's alerting evaluates it (FromAlert), its counts against the tenant's own message logs, a
// provider with a required filter that must never reach Cloud ALM incomplete, and the health check that
// reports the Cloud ALM connection apart from the tenant. Secrets (both client secrets, every token) must
// not appear in any answer or in the plugin's log.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// cloudALM serves the simulated tenant's Cloud ALM endpoints on an address of its own (as Cloud ALM has
// its own host), counting the data requests and recording the tokens it issues.
type cloudALM struct {
	srv       *httptest.Server
	dataPosts atomic.Int64
	mu        sync.Mutex
	tokens    []string
}

func newCloudALM(t *testing.T, sim *simulator.Tenant) *cloudALM {
	t.Helper()
	c := &cloudALM{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/oauth/token":
			rec := &teeWriter{ResponseWriter: w}
			sim.ServeHTTP(rec, r)
			var body struct {
				AccessToken string `json:"access_token"`
			}
			if json.Unmarshal(rec.body.Bytes(), &body) == nil && body.AccessToken != "" {
				c.mu.Lock()
				c.tokens = append(c.tokens, body.AccessToken)
				c.mu.Unlock()
			}
			return
		case r.Method == http.MethodPost && r.URL.Path == "/api/calm-analytics/v1/analytics/providers/data":
			c.dataPosts.Add(1)
		case !strings.HasPrefix(r.URL.Path, "/api/calm-analytics/"):
			http.NotFound(w, r) // this host is Cloud ALM only
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *cloudALM) issuedTokens() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.tokens...)
}

// calmFixture is a tenant with a Cloud ALM connection whose OAuth client differs from the tenant's.
type calmFixture struct {
	tn          *tenant
	calm        *cloudALM
	cpiClient   simulator.Client
	calmClient  simulator.Client
	ds          dataSource
	allSecrets  func() []string
	tenantLabel string
}

func newCalmFixture(t *testing.T, seed int64, calmSecret string) calmFixture {
	t.Helper()
	cpiC, calmC := clientOf(t), clientOf(t)
	tn := newTenant(t, tenantOptions{cfg: simulator.Config{Seed: seed, Clients: []simulator.Client{cpiC, calmC}}})
	calm := newCloudALM(t, tn.sim)
	if calmSecret == "" {
		calmSecret = calmC.Secret
	}
	const label = "PRD EU"
	ds := oauthDataSource(label, tn.url(), tn.tokenURL(), cpiC.ID, cpiC.Secret, map[string]any{
		// As filled from a Cloud ALM service key: endpoints.Api and uaa.url (the token path is added).
		"calmApiUrl": calm.srv.URL + "/api", "calmTokenUrl": calm.srv.URL, "calmClientId": calmC.ID,
	})
	ds.Secure["calmClientSecret"] = calmSecret
	fx := calmFixture{tn: tn, calm: calm, cpiClient: cpiC, calmClient: calmC, ds: ds, tenantLabel: label}
	fx.allSecrets = func() []string {
		s := append([]string{cpiC.Secret, calmC.Secret, calmSecret}, tn.issuedTokens()...)
		return append(s, calm.issuedTokens()...)
	}
	return fx
}

var presetQuery = map[string]any{
	"provider":   "CPI_MESSAGES",
	"dimensions": []string{"IntegrationArtifactName", "StatusGroup"},
	"measures":   []map[string]string{{"name": "Count", "method": "SUM"}},
	"format":     "timeseries",
}

var timeRangeRe = regexp.MustCompile(`"timeRange":\{"from":"(\d{14})","to":"(\d{14})"\}`)

func TestCalmMetrics(t *testing.T) {
	h := startPlugin(t)

	t.Run("CPI_MESSAGES preset as an alert rule evaluates it", func(t *testing.T) {
		t.Parallel()
		fx := newCalmFixture(t, 61, "")
		h.addSecrets(fx.cpiClient.Secret, fx.calmClient.Secret)
		res := h.queryData(t, fx.ds, map[string]string{"FromAlert": "true"}, query{RefID: "A", QueryType: "calmMetrics", JSON: presetQuery})
		r := res.Responses["A"]
		if r == nil || r.Error != "" {
			t.Fatalf("query A failed: %s", summary(r))
		}
		frames := decodeFrames(t, "A", r)
		if len(frames) < 4 {
			t.Fatalf("%d series, want one per iFlow and status group (at least 4)", len(frames))
		}
		seen := map[string]bool{}
		total := 0.0
		for i, f := range frames {
			if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
				t.Errorf("frame %d is not a multi time series frame: %+v", i, f.Meta)
			}
			var nums []*data.Field
			for _, fld := range f.Fields {
				if numeric(fld) {
					nums = append(nums, fld)
				} else if fld.Type() != data.FieldTypeTime {
					t.Errorf("frame %d has a field %q of type %s besides time and value", i, fld.Name, fld.Type())
				}
			}
			if len(nums) != 1 {
				t.Errorf("frame %d has %d numeric fields, want exactly 1", i, len(nums))
				continue
			}
			v := nums[0]
			if v.Name != "Count" || v.Labels["tenant"] != fx.tenantLabel || v.Labels["IntegrationArtifactName"] == "" || v.Labels["StatusGroup"] == "" {
				t.Errorf("frame %d: value %q with labels %v", i, v.Name, v.Labels)
			}
			if seen[v.Labels.String()] {
				t.Errorf("two series with the labels %v: alert rules need unique labels", v.Labels)
			}
			seen[v.Labels.String()] = true
			for j := 0; j < v.Len(); j++ {
				if x, ok := v.ConcreteAt(j); ok {
					total += x.(float64)
				}
			}
		}

		// The counts are the tenant's own: the sum over all series is the number of message logs that
		// started in the range Cloud ALM was asked for (the simulator feeds CPI_MESSAGES from them).
		m := timeRangeRe.FindStringSubmatch(frames[0].Meta.ExecutedQueryString)
		if m == nil {
			t.Fatalf("the inspector does not show the request's time range: %s", frames[0].Meta.ExecutedQueryString)
		}
		from, _ := time.Parse("20060102150405", m[1])
		to, _ := time.Parse("20060102150405", m[2])
		if to.Sub(from) < 5*time.Hour {
			t.Fatalf("requested range %s–%s, want the query's 6 h", from, to)
		}
		filter := "LogStart ge datetime'" + from.Format("2006-01-02T15:04:05") + "' and LogStart lt datetime'" + to.Format("2006-01-02T15:04:05") + "'"
		body := fx.tn.direct(t, fx.cpiClient.ID, fx.cpiClient.Secret).get(t, "MessageProcessingLogs/$count?$filter="+url.PathEscape(filter))
		want, err := strconv.Atoi(strings.TrimSpace(string(body)))
		if err != nil {
			t.Fatalf("$count: %q", body)
		}
		if want == 0 || int(total) != want {
			t.Errorf("Cloud ALM counts add up to %v, the tenant has %d message logs in the range", total, want)
		}
		if fx.calm.dataPosts.Load() != 1 {
			t.Errorf("%d data requests to Cloud ALM, want 1", fx.calm.dataPosts.Load())
		}
		assertNoSecretsInResponse(t, h, res, fx.allSecrets())
	})

	t.Run("a required filter missing: refused before Cloud ALM is asked", func(t *testing.T) {
		t.Parallel()
		fx := newCalmFixture(t, 62, "")
		h.addSecrets(fx.cpiClient.Secret, fx.calmClient.Secret)
		res := h.queryData(t, fx.ds, nil,
			query{RefID: "K", QueryType: "calmMetrics", JSON: map[string]any{"provider": "KPI_HISTORY_TOTALS", "measures": []map[string]string{{"name": "value"}}}},
			query{RefID: "A", QueryType: "calmMetrics", JSON: presetQuery})
		k := res.Responses["K"]
		if k == nil || !strings.Contains(k.Error, "requires a value for the filter kpiId") || k.Status != 400 {
			t.Fatalf("K: %s", summary(k))
		}
		if a := res.Responses["A"]; a == nil || a.Error != "" || len(decodeFrames(t, "A", a)) == 0 {
			t.Fatalf("A must answer next to the refused query: %s", summary(a))
		}
		if n := fx.calm.dataPosts.Load(); n != 1 {
			t.Errorf("%d data requests reached Cloud ALM, want 1 (A only)", n)
		}
		// With the filter the provider is asked, and its (empty) answer is no error.
		res = h.queryData(t, fx.ds, nil, query{RefID: "K", QueryType: "calmMetrics", JSON: map[string]any{"provider": "KPI_HISTORY_TOTALS",
			"measures": []map[string]string{{"name": "value"}}, "filters": []map[string]any{{"key": "kpiId", "values": []string{"KPI_1"}}}}})
		if k := res.Responses["K"]; k == nil || k.Error != "" {
			t.Fatalf("K with kpiId: %s", summary(k))
		}
		assertNoSecretsInResponse(t, h, res, fx.allSecrets())
	})

	t.Run("health check reports Cloud ALM apart from the tenant", func(t *testing.T) {
		t.Parallel()
		fx := newCalmFixture(t, 63, "")
		res := h.checkHealth(t, fx.ds)
		if res.Status != pluginv2.CheckHealthResponse_OK || !strings.HasPrefix(res.Message, "Cloud Integration: Connected to") ||
			!strings.Contains(res.Message, " · Cloud ALM: OK, 3 analytics providers (CPI_MESSAGES included).") {
			t.Fatalf("%s: %s", res.Status, res.Message)
		}
		wrong := randomSecret(t, "calm-wrong")
		bad := newCalmFixture(t, 64, wrong)
		res = h.checkHealth(t, bad.ds)
		if res.Status != pluginv2.CheckHealthResponse_ERROR || !strings.Contains(res.Message, "message logs readable. · Cloud ALM: 401, check the client ID and client secret") {
			t.Fatalf("%s: %s", res.Status, res.Message)
		}
		secrets := append(bad.allSecrets(), fx.allSecrets()...)
		assertNoSecrets(t, "health message", res.Message, secrets)
		assertNoSecrets(t, "health details", string(res.JsonDetails), secrets)
		h.addSecrets(secrets...)
		assertNoSecrets(t, "plugin log", h.logs(), secrets)
	})
}
