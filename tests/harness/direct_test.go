package harness

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Direct questions to the simulated tenant: the independent answers the alert rules are checked against.

func directDateTime(t time.Time) string {
	return "datetime'" + t.UTC().Format("2006-01-02T15:04:05") + "'"
}

func directEscape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// mplEntries lists message logs matching filter (all pages) and returns the raw entries.
func (d *direct) mplEntries(t *testing.T, filter string) []map[string]any {
	t.Helper()
	var out []map[string]any
	path := "MessageProcessingLogs?$filter=" + directEscape(filter) + "&$select=MessageGuid,Status,LogStart,LogEnd,IntegrationArtifact&$top=100000"
	for path != "" {
		var env struct {
			D struct {
				Results []map[string]any `json:"results"`
				Next    string           `json:"__next"`
			} `json:"d"`
		}
		body := d.get(t, path)
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("MessageProcessingLogs: %v: %.200s", err, body)
		}
		out = append(out, env.D.Results...)
		path = ""
		if next := env.D.Next; next != "" {
			_, rest, _ := strings.Cut(next, "MessageProcessingLogs")
			path = "MessageProcessingLogs" + rest
		}
	}
	return out
}

func mplIFlow(e map[string]any) string {
	ia, _ := e["IntegrationArtifact"].(map[string]any)
	id, _ := ia["Id"].(string)
	return id
}

// iflowsFailed are the iFlows with FAILED messages that ended in [from, to].
func (d *direct) iflowsFailed(t *testing.T, from, to time.Time) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, e := range d.mplEntries(t, fmt.Sprintf("Status eq 'FAILED' and LogEnd ge %s and LogEnd le %s", directDateTime(from), directDateTime(to))) {
		out[mplIFlow(e)] = true
	}
	return out
}

// iflowsInStatus are the iFlows with messages in one of statuses that started in [from, to].
func (d *direct) iflowsInStatus(t *testing.T, statuses []string, from, to time.Time) map[string]bool {
	t.Helper()
	var or []string
	for _, s := range statuses {
		or = append(or, "Status eq '"+s+"'")
	}
	out := map[string]bool{}
	filter := fmt.Sprintf("(%s) and LogStart ge %s and LogStart le %s", strings.Join(or, " or "), directDateTime(from), directDateTime(to))
	for _, e := range d.mplEntries(t, filter) {
		out[mplIFlow(e)] = true
	}
	return out
}

// iflowMessageCount is $count of an iFlow's messages that ended in [from, to].
func (d *direct) iflowMessageCount(t *testing.T, iflow string, from, to time.Time) int {
	t.Helper()
	filter := fmt.Sprintf("IntegrationArtifact/Id eq '%s' and LogEnd ge %s and LogEnd le %s", strings.ReplaceAll(iflow, "'", "''"), directDateTime(from), directDateTime(to))
	body := d.get(t, "MessageProcessingLogs/$count?$filter="+directEscape(filter))
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("$count answered %q", body)
	}
	return n
}

// stuckCount is $count of the messages that started in [from, to) and are in PROCESSING or RETRY.
func (d *direct) stuckCount(t *testing.T, from, to time.Time) int {
	t.Helper()
	filter := fmt.Sprintf("(Status eq 'PROCESSING' or Status eq 'RETRY') and LogStart ge %s and LogStart lt %s", directDateTime(from), directDateTime(to))
	body := d.get(t, "MessageProcessingLogs/$count?$filter="+directEscape(filter))
	n, err := strconv.Atoi(strings.TrimSpace(string(body)))
	if err != nil {
		t.Fatalf("$count answered %q", body)
	}
	return n
}

// jmsQueueStateCodes maps queue name → State (0 OK, 1 warning, 2 critical) of the broker Broker1.
func (d *direct) jmsQueueStateCodes(t *testing.T) map[string]int {
	t.Helper()
	body := d.get(t, "JmsBrokers('Broker1')?$expand=QueueStates")
	var env struct {
		D struct {
			QueueStates struct {
				Results []struct {
					Name  string          `json:"Name"`
					State json.RawMessage `json:"State"` // Edm.Int32, as a number or (as the tenant sends it) a string
				} `json:"results"`
			} `json:"QueueStates"`
		} `json:"d"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("JmsBrokers: %v: %.300s", err, body)
	}
	out := map[string]int{}
	for _, q := range env.D.QueueStates.Results {
		n, err := strconv.Atoi(strings.Trim(string(q.State), `"`))
		if err != nil {
			t.Fatalf("queue %s: State %s is not a number", q.Name, q.State)
		}
		out[q.Name] = n
	}
	if len(out) == 0 {
		t.Fatalf("JmsBrokers('Broker1') lists no queue states: %.300s", body)
	}
	return out
}

// keystoreValidity maps alias → ValidNotAfter of the certificates in a keystore.
func (d *direct) keystoreValidity(t *testing.T, keystore string) map[string]time.Time {
	t.Helper()
	body := d.get(t, "KeystoreEntries?keystoreName="+keystore)
	var env struct {
		D struct {
			Results []struct {
				Alias         string `json:"Alias"`
				Type          string `json:"Type"`
				ValidNotAfter string `json:"ValidNotAfter"`
			} `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("KeystoreEntries: %v: %.200s", err, body)
	}
	out := map[string]time.Time{}
	for _, e := range env.D.Results {
		ms, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(e.ValidNotAfter, "/Date("), ")/"), 10, 64)
		if err != nil || e.ValidNotAfter == "" {
			continue // not a certificate (e.g. an SSH key without validity)
		}
		out[e.Alias] = time.UnixMilli(ms)
	}
	return out
}

// ---------------------------------------------------------------------------------------------------------
// A small model of Grafana's server-side expressions (pkg/expr): enough to evaluate the provisioned rules.
