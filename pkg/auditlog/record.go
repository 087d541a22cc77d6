package auditlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Record is one audit event as the frames show it, whatever API it came from.
type Record struct {
	ID         string
	Time       time.Time
	User       string
	Action     string
	ObjectType string
	ObjectName string
	SourceIP   string
	Outcome    string // OutcomeSuccess | OutcomeFailure
	Category   string
	Message    string
	// Application is the Neo application that wrote the event (empty on Cloud Foundry).
	Application string
	// Raw is the event payload as SAP sent it (message.data on Cloud Foundry, Message on Neo): the log
	// line body, so nothing the table summarises away is lost in Explore.
	Raw string
	// CPI reports whether the event was written by Cloud Integration (see isCPI).
	CPI bool
	// timeText is the time as sent, for the notice when it is not a timestamp (Time is then zero).
	timeText string
}

// Outcome values.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// CFRecord is one record of the Cloud Foundry Audit Log Retrieval API.
type CFRecord struct {
	MessageUUID    string    `json:"message_uuid"`
	Time           string    `json:"time"`
	Tenant         string    `json:"tenant"`
	OrgID          string    `json:"org_id"`
	SpaceID        string    `json:"space_id"`
	AppOrServiceID string    `json:"app_or_service_id"`
	AlsServiceID   string    `json:"als_service_id"`
	User           string    `json:"user"`
	Category       string    `json:"category"`
	FormatVersion  string    `json:"format_version"`
	Message        CFMessage `json:"message"`
}

// CFMessage is the record's message: data is itself a JSON document encoded as a string.
type CFMessage struct {
	UUID     string `json:"uuid"`
	User     string `json:"user"`
	Time     string `json:"time"`
	IP       string `json:"ip"`
	Data     string `json:"data"`
	ID       string `json:"id"`
	Category string `json:"category"`
	Tenant   string `json:"tenant"`
}

// NeoRecord is one record of the Neo audit log retrieval API (OData v4).
type NeoRecord struct {
	UUID          string `json:"Uuid"`
	Category      string `json:"Category"`
	User          string `json:"User"`
	Tenant        string `json:"Tenant"`
	Account       string `json:"Account"`
	Application   string `json:"Application"`
	Time          string `json:"Time"`
	Message       string `json:"Message"`
	InstanceID    string `json:"InstanceId"`
	FormatVersion string `json:"FormatVersion"`
}

// FromCF converts a Cloud Foundry record; message.data is parsed when it is JSON.
func FromCF(r CFRecord) Record {
	out := Record{
		ID:       strings.TrimSpace(firstNonEmpty(r.MessageUUID, r.Message.UUID, r.Message.ID)),
		User:     strings.TrimSpace(firstNonEmpty(r.User, r.Message.User)),
		SourceIP: strings.TrimSpace(r.Message.IP),
		Category: strings.TrimSpace(firstNonEmpty(r.Category, r.Message.Category)),
		Raw:      r.Message.Data,
	}
	out.timeText = firstNonEmpty(r.Time, r.Message.Time)
	out.Time = parseTime(out.timeText)
	ev, isJSON := parseEvent(r.Message.Data)
	out.apply(ev, isJSON, r.Message.Data)
	out.CPI = isCPI(ev, out, "")
	return out
}

// FromNeo converts a Neo record. Its Message is text; when it embeds a JSON object (Cloud Integration
// writes its event as JSON), that object is parsed.
func FromNeo(r NeoRecord) Record {
	out := Record{
		ID:          strings.TrimSpace(r.UUID),
		User:        strings.TrimSpace(r.User),
		Category:    strings.TrimSpace(r.Category),
		Application: strings.TrimSpace(r.Application),
		Raw:         r.Message,
	}
	out.timeText = r.Time
	out.Time = parseTime(r.Time)
	ev, isJSON := parseEvent(r.Message)
	if !isJSON {
		ev, isJSON = embeddedEvent(r.Message)
	}
	out.apply(ev, isJSON, r.Message)
	out.CPI = isCPI(ev, out, out.Application)
	return out
}

// event is message.data decoded: the union of the shapes seen in audit logs. Cloud Integration writes
// {action, objectType, objectId, attributes, changedAttributes}; XSUAA security events carry a text in
// "message"; the generic audit log library writes {object:{type,id}, attributes:[{name,old,new}],
// success, data}.
type event struct {
	fields map[string]json.RawMessage
}

func (e event) str(keys ...string) string {
	for _, k := range keys {
		raw, ok := e.fields[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func (e event) has(key string) bool { _, ok := e.fields[key]; return ok }

// object is the generic library's {"type": "...", "id": {"key": "value"}}.
func (e event) object() (typ, name string) {
	raw, ok := e.fields["object"]
	if !ok {
		return "", ""
	}
	var o struct {
		Type string            `json:"type"`
		ID   map[string]string `json:"id"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return "", ""
	}
	return strings.TrimSpace(o.Type), joinMap(o.ID, ", ")
}

func parseEvent(s string) (event, bool) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 || b[0] != '{' {
		return event{}, false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return event{}, false
	}
	return event{fields: m}, true
}

// maxEmbeddedTries bounds the '{' an embedded event is looked for at: each try may read to the end of the
// text, so a hostile text of nested, unterminated objects would otherwise cost the square of its length.
// Real messages put the event at the first or second '{' ("Security event: {...}").
const maxEmbeddedTries = 8

// embeddedEvent finds a JSON object inside a text message ("Security event: {...}"); the first '{' (of the
// first maxEmbeddedTries) that starts a decodable object whose keys include "action" wins.
func embeddedEvent(s string) (event, bool) {
	for i, tries := strings.IndexByte(s, '{'), 0; i >= 0 && i < len(s) && tries < maxEmbeddedTries; tries++ {
		dec := json.NewDecoder(strings.NewReader(s[i:]))
		var m map[string]json.RawMessage
		if dec.Decode(&m) == nil {
			if _, ok := m["action"]; ok {
				return event{fields: m}, true
			}
		}
		next := strings.IndexByte(s[i+1:], '{')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return event{}, false
}

// securityEventName is the leading identifier of an XSUAA security event text, e.g.
// "ClientAuthenticationSuccess ('Client authentication success'): principal=…".
var securityEventName = regexp.MustCompile(`^([A-Z][A-Za-z]+)\s*(\(|:)`)

// apply fills action, object, outcome and message from the decoded payload (or the raw text).
func (r *Record) apply(ev event, isJSON bool, raw string) {
	text := ev.str("message", "data")
	r.Action = ev.str("action")
	r.ObjectType = ev.str("objectType", "objType")
	r.ObjectName = ev.str("objectId", "objName")
	if t, n := ev.object(); t != "" || n != "" {
		r.ObjectType = firstNonEmpty(r.ObjectType, t)
		r.ObjectName = firstNonEmpty(r.ObjectName, n)
	}
	if r.Action == "" {
		if m := securityEventName.FindStringSubmatch(text); m != nil {
			r.Action = m[1]
		}
	}
	if r.SourceIP == "" {
		r.SourceIP = ev.str("ip")
	}
	r.Outcome = outcome(ev, r.Action)
	switch {
	case text != "":
		r.Message = text
	case isJSON && r.Action != "":
		r.Message = summary(ev)
	case isJSON:
		r.Message = strings.TrimSpace(raw)
	default:
		r.Message = strings.TrimSpace(raw)
	}
}

var failureWords = regexp.MustCompile(`(?i)(failure|failed|denied|forbidden|unauthori[sz]ed|invalid|error)`)

// outcome: an explicit "success" flag wins; otherwise an event name or level that says it failed.
func outcome(ev event, action string) string {
	if raw, ok := ev.fields["success"]; ok {
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			if b {
				return OutcomeSuccess
			}
			return OutcomeFailure
		}
	}
	if failureWords.MatchString(action) {
		return OutcomeFailure
	}
	if lvl := strings.ToUpper(ev.str("level")); lvl == "ERROR" || lvl == "FATAL" {
		return OutcomeFailure
	}
	return OutcomeSuccess
}

// summary renders a Cloud Integration event's attributes for the message column:
// "attributes: package=Sales, version=1.0.3; changed: status: old → new".
func summary(ev event) string {
	var parts []string
	if raw, ok := ev.fields["attributes"]; ok {
		if s := renderAttributes(raw); s != "" {
			parts = append(parts, "attributes: "+s)
		}
	}
	if raw, ok := ev.fields["changedAttributes"]; ok {
		if s := renderAttributes(raw); s != "" {
			parts = append(parts, "changed: "+s)
		}
	}
	return strings.Join(parts, "; ")
}

// renderAttributes renders an object of attributes; a changed attribute is {"oldValue","newValue"}.
func renderAttributes(raw json.RawMessage) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		var change struct {
			Old *json.RawMessage `json:"oldValue"`
			New *json.RawMessage `json:"newValue"`
		}
		if json.Unmarshal(m[k], &change) == nil && (change.Old != nil || change.New != nil) {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, scalar(change.Old), scalar(change.New)))
			continue
		}
		v := m[k]
		out = append(out, k+"="+scalar(&v))
	}
	return strings.Join(out, ", ")
}

func scalar(raw *json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var s string
	if json.Unmarshal(*raw, &s) == nil {
		return s
	}
	return string(*raw)
}

// Cloud Integration event shape and names: lifecycle actions of packages and artifacts, and the object types of its security
// material, stores, queues and message monitoring.
var (
	cpiAction = regexp.MustCompile(`^(Package|Artifact)_(Import|Transport|Deployed|Undeployed)|_of_(Artifact|Version|Configuration)_`)

	cpiObjectTypes = []string{
		"Package", "IntegrationFlow", "ValueMapping", "MessageMapping", "ScriptCollection", "OData API", "SOAP API",
		"REST API", "Integration Adapter", "X.509 Key-Pair", "X.509 Certificate", "SSH Key-Pair", "SSH Key",
		"Backup X.509 Certificate", "Public Keyring", "Secret Keyring", "PGP Public Key", "PGP Secret Key",
		"PGP Public Keys", "PGP Secret Keys", "Credential", "Security Material", "Access Policy", "Artifact Reference",
		"Data Source", "Message", "Variable", "Message Queue", "Message Payload (Trace)", "MPL Attachment",
		"Data Store Entry", "JMS Message",
	}

	// cpiClient matches the OAuth clients of Cloud Integration service keys: the xsappname of plan api is
	// "it!b<n>", of plan integration-flow "it-rt!b<n>" (client ids "sb-…!b<n>|it!b<n>").
	cpiClient = regexp.MustCompile(`\|it(-rt)?!b\d+`)

	// cpiApplication matches Neo application names of a Cloud Integration tenant (…tmn, …iflmap).
	cpiApplication = regexp.MustCompile(`(?i)(tmn|iflmap)$`)
)

// isCPI decides whether an event was written by Cloud Integration: its own event shape ({action,
// objectType, objectId}) with a Cloud Integration action or object type, a security event of a Cloud
// Integration OAuth client, or (Neo) an event of the tenant's applications.
func isCPI(ev event, r Record, application string) bool {
	if ev.has("action") && ev.has("objectType") && ev.has("objectId") {
		if cpiAction.MatchString(r.Action) || slices.Contains(cpiObjectTypes, r.ObjectType) || strings.HasPrefix(r.ObjectType, "PD ") {
			return true
		}
	}
	if cpiClient.MatchString(r.User) || cpiClient.MatchString(ev.str("message")) {
		return true
	}
	return application != "" && cpiApplication.MatchString(application)
}

// parseTime accepts RFC 3339 (Cloud Foundry) and Neo's "2018-03-21T09.00.40.572+0000".
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15.04.05.000-0700", "2006-01-02T15.04.05-0700", "2006-01-02T15.04.05", "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Before(earliestRecord) || !t.Before(latestRecord) {
				return time.Time{}
			}
			return t.UTC()
		}
	}
	return time.Time{}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func joinMap(m map[string]string, sep string) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	if len(parts) == 1 {
		return m[keys[0]]
	}
	return strings.Join(parts, sep)
}
