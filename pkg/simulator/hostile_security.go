package simulator

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Hostile cases about what a tenant's answers may carry back to the plugin: echoed credentials, links
// that are not web links, records and log lines in shapes the documentation does not show.
const (
	// HostileEchoRequest: error bodies repeat the request's Authorization header (and the token
	// endpoint's error_description also the form body), as some gateways and proxies do.
	HostileEchoRequest = "echo-request"
	// HostileScriptLinks: every message whose GUID ends in an even hex digit has the AlternateWebLink
	// javascript:alert(1); the first service endpoint's entry point URL and the API definition URLs of the first
	// endpoint that has some are javascript: and data: links.
	HostileScriptLinks = "script-links"
	// HostileDayExpiry: certificates valid to the first second of a UTC day, so the time left is a day
	// fraction short of the days an operator reads on them (salesforce_jwt_signing: 25 days ahead,
	// edi_dhl_as2_partner: 10 days back).
	HostileDayExpiry = "day-expiry"
	// HostileNeoLogLines: log files in the shape real Neo tenants write: access lines with the proxy's
	// address, the client's in parentheses, a certificate subject as user and an unquoted request line;
	// trace records with all their columns and the "|" that ends a record.
	HostileNeoLogLines = "neo-log-lines"
	// HostileOddAuditRecords: the first page of Cloud Foundry audit records also holds a record whose
	// time is not a timestamp and one whose message is a number (other services write such records).
	HostileOddAuditRecords = "odd-audit-records"
	// HostileChainErrors: the chain certificates of keystore entries whose alias starts with "s" answer
	// HTTP 500.
	HostileChainErrors = "chain-errors"
	// HostileCutErrorText: a message's error text ($value, text/plain) announces its whole length but
	// only its first half arrives before the connection closes.
	HostileCutErrorText = "cut-error-text"
)

func init() {
	registerHostile(HostileScriptLinks, "AlternateWebLink of every message whose GUID ends in an even hex digit, the first service endpoint's entry point URL and the first API definitions are javascript: and data: links")
	registerHostile(HostileDayExpiry, "salesforce_jwt_signing is valid to 00:00:01 UTC 25 days ahead, edi_dhl_as2_partner to 00:00:01 UTC 10 days back")
	registerHostile(HostileNeoLogLines, "log files as real Neo tenants write them: access lines with proxy (client) addresses, a certificate subject as user, an unquoted request; trace records with every column and a trailing |")
	registerHostile(HostileOddAuditRecords, "the first page of Cloud Foundry audit records also holds a record whose time is \"not-a-time\" and one whose message is a number")
	registerHostile(HostileChainErrors, "ChainCertificates of keystore entries whose alias starts with \"s\" answer HTTP 500")
	registerHostile(HostileCutErrorText, "a message's error text (ErrorInformation/$value, text/plain) is cut short: half of the announced Content-Length arrives, then the connection closes")
	registerHostile(HostileEchoRequest, "error bodies (OData errors, 401 answers, the token endpoint's error_description) repeat the request's Authorization header and form body")
}

type echoKey struct{}

// markEcho flags the request so the error writers repeat it (echoed).
func (t *Tenant) markEcho(r *http.Request) *http.Request {
	if !t.hostile(HostileEchoRequest) {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), echoKey{}, true))
}

// echoed is what an echoing server appends to an error text: the request's credentials as received.
func echoed(r *http.Request) string {
	if r == nil || r.Context().Value(echoKey{}) == nil {
		return ""
	}
	s := " (request Authorization: " + r.Header.Get("Authorization")
	if r.Form != nil {
		s += "; body: " + r.Form.Encode()
	}
	return s + ")"
}

// ScriptLink is the link the script-links case puts where a web link belongs.
const ScriptLink = "javascript:alert(1)"

func (t *Tenant) hostileMessageLink(e *entity) {
	if !t.hostile(HostileScriptLinks) {
		return
	}
	guid, _ := e.prop("MessageGuid").(string)
	if guid == "" || !strings.ContainsAny(guid[len(guid)-1:], "02468aAcCeE") {
		return
	}
	e.setProp("AlternateWebLink", ScriptLink)
}

func (t *Tenant) hostileEndpointLinks(rows []*entity) []*entity {
	if !t.hostile(HostileScriptLinks) {
		return rows
	}
	entry, defs := false, false
	for _, row := range rows {
		for _, n := range row.navs {
			switch {
			case n.name == "EntryPoints" && !entry && len(n.rows) > 0:
				n.rows[0].setProp("Url", ScriptLink)
				entry = true
			case n.name == "ApiDefinitions" && !defs && len(n.rows) > 0:
				for i, r := range n.rows {
					r.setProp("Url", []string{ScriptLink, "data:text/html,<script>alert(1)</script>"}[i%2])
				}
				defs = true
			}
		}
	}
	return rows
}

func (e *entity) prop(name string) any {
	for _, p := range e.props {
		if p.name == name {
			return p.val
		}
	}
	return nil
}

func (e *entity) setProp(name string, v any) {
	for i := range e.props {
		if e.props[i].name == name {
			e.props[i].val = v
		}
	}
}

func (t *Tenant) hostileExpiry(rows []*entity, now time.Time) []*entity {
	if !t.hostile(HostileDayExpiry) {
		return rows
	}
	day := dayStart(now).Add(time.Second)
	for _, e := range rows {
		switch e.prop("Alias") {
		case "salesforce_jwt_signing":
			e.setProp("ValidNotAfter", day.AddDate(0, 0, 25))
		case "edi_dhl_as2_partner":
			e.setProp("ValidNotAfter", day.AddDate(0, 0, -10))
		}
	}
	return rows
}

// neoAccessLine: 10.117.41.174 (203.0.113.160) - CN=…, O=… [06/Dec/2026:00:00:30 +0000] POST /cxf/orders HTTP/1.1 200 8572 463 -
func neoAccessLine(h uint64, ts time.Time, path string, status int) string {
	return fmt.Sprintf("10.117.%d.%d (203.0.113.%d) - CN=%s-client, OU=Integration, O=Example AG, C=DE [%s] POST /cxf/%s HTTP/1.1 %d %d %d -\n",
		h%255, (h>>8)%255, (h>>16)%255, path, ts.Format("02/Jan/2006:15:04:05 -0700"), path, status, 200+h%20000, 20+h%3000)
}

// neoTraceLine: date#zone#severity#category#location#user#thread#application#correlation#message|
func neoTraceLine(h uint64, ts time.Time, level, flow, text string) string {
	return fmt.Sprintf("%s#+00#%s#com.sap.it.op.agent.mpl#com.sap.it.op.agent.mpl.Processor#anonymous#http-nio-8041-exec-%d#tmn#%s#%s|\n",
		ts.Format("2006 01 02 15:04:05.000"), level, h%20, uuidFrom(h), text+" ("+flow+")")
}

// Ids of the records odd-audit-records adds.
const (
	OddAuditBadTime       = "hostile-time-0000-4000-8000-000000000001"
	OddAuditNumberMessage = "hostile-message-0000-4000-8000-000000000002"
)

func oddAuditPage(page []auditRecord, from, to time.Time) []any {
	out := make([]any, 0, len(page)+2)
	for _, r := range page {
		out = append(out, r)
	}
	at := from.Add(to.Sub(from) / 2).Format("2006-01-02T15:04:05.000Z")
	return append(out,
		map[string]any{"message_uuid": OddAuditBadTime, "time": "not-a-time", "user": "hostile", "category": "audit.security-events",
			"message": map[string]any{"data": "{\"message\":\"a record with a time that is not a timestamp\"}"}},
		map[string]any{"message_uuid": OddAuditNumberMessage, "time": at, "user": "hostile", "category": "audit.security-events", "message": 12345})
}

func (t *Tenant) hostileChainError(w http.ResponseWriter, r *http.Request) bool {
	if !t.hostile(HostileChainErrors) {
		return false
	}
	const prefix = "/api/v1/KeystoreEntries('"
	p := r.URL.Path
	if !strings.HasPrefix(p, prefix) || !strings.HasSuffix(p, "')/ChainCertificates") {
		return false
	}
	alias, err := hex.DecodeString(strings.TrimSuffix(strings.TrimPrefix(p, prefix), "')/ChainCertificates"))
	if err != nil || !strings.HasPrefix(string(alias), "s") {
		return false
	}
	writeODataError(w, r, http.StatusInternalServerError, "Internal Server Error", "The chain of "+string(alias)+" could not be read")
	return true
}

// writeErrorText answers a message's error text, cut short when cut-error-text is on.
func (c *call) writeErrorText(text string) {
	if !c.t.hostile(HostileCutErrorText) || len(text) < 2 {
		c.writeText("text/plain;charset=utf-8", text)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/plain;charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(text)))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write([]byte(text[:len(text)/2]))
	if f, ok := c.w.(http.Flusher); ok {
		f.Flush()
	}
	// Returning with fewer bytes than announced makes the server close the connection: the client reads
	// an unexpected EOF, as when a proxy or the tenant drops it.
}
