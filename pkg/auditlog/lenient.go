package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Audit records are written by many services, not only by Cloud Integration: a field may hold a number
// where the documentation shows a string, or an object where it shows text. Each record is decoded on its
// own and field by field, so one odd record never costs the others; a record that is no JSON object at
// all, or whose time is not a timestamp, is left out and named in a notice.

// text renders any JSON value as the text a string field would hold: a string as is, null as "", a
// number or boolean as written, an object or array as compact JSON.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

// fields decodes a JSON object into its members; an error when b is not an object.
func fields(b []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// UnmarshalJSON reads a record whatever type its fields have.
func (r *CFRecord) UnmarshalJSON(b []byte) error {
	m, err := fields(b)
	if err != nil {
		return err
	}
	*r = CFRecord{MessageUUID: text(m["message_uuid"]), Time: text(m["time"]), Tenant: text(m["tenant"]), OrgID: text(m["org_id"]),
		SpaceID: text(m["space_id"]), AppOrServiceID: text(m["app_or_service_id"]), AlsServiceID: text(m["als_service_id"]),
		User: text(m["user"]), Category: text(m["category"]), FormatVersion: text(m["format_version"])}
	msg := bytes.TrimSpace(m["message"])
	if len(msg) > 0 && msg[0] == '{' {
		return json.Unmarshal(msg, &r.Message)
	}
	// A message that is text, a number or an array is the event itself.
	r.Message.Data = text(msg)
	return nil
}

// UnmarshalJSON reads a record's message whatever type its fields have.
func (c *CFMessage) UnmarshalJSON(b []byte) error {
	m, err := fields(b)
	if err != nil {
		return err
	}
	*c = CFMessage{UUID: text(m["uuid"]), User: text(m["user"]), Time: text(m["time"]), IP: text(m["ip"]), Data: text(m["data"]),
		ID: text(m["id"]), Category: text(m["category"]), Tenant: text(m["tenant"])}
	return nil
}

// UnmarshalJSON reads a Neo record whatever type its fields have.
func (r *NeoRecord) UnmarshalJSON(b []byte) error {
	m, err := fields(b)
	if err != nil {
		return err
	}
	*r = NeoRecord{UUID: text(m["Uuid"]), Category: text(m["Category"]), User: text(m["User"]), Tenant: text(m["Tenant"]),
		Account: text(m["Account"]), Application: text(m["Application"]), Time: text(m["Time"]), Message: text(m["Message"]),
		InstanceID: text(m["InstanceId"]), FormatVersion: text(m["FormatVersion"])}
	return nil
}

// skipped collects the records left out, for one notice per reason.
type skipped struct {
	notObject []string // positions ("page 2, record 17")
	badTime   []string // "<id> (time \"…\")"
}

// decodeRecords decodes each element of a JSON array on its own; elements that are not records are
// counted in sk, by position.
func decodeRecords[T any](elems []json.RawMessage, page int, sk *skipped) []T {
	out := make([]T, 0, len(elems))
	for i, raw := range elems {
		var r T
		if err := json.Unmarshal(raw, &r); err != nil {
			sk.notObject = append(sk.notObject, fmt.Sprintf("page %d, record %d", page, i+1))
			continue
		}
		out = append(out, r)
	}
	return out
}

// timed reports whether r has a time; a record without one (its time is not a timestamp) cannot be placed
// in the panel's range or order, so it is named in sk instead.
func (sk *skipped) timed(r Record) bool {
	if !r.Time.IsZero() {
		return true
	}
	id := r.ID
	if id == "" {
		id = "a record without id"
	}
	sk.badTime = append(sk.badTime, fmt.Sprintf("%s (time %q)", id, odata.Excerpt(r.timeText, 40)))
	return false
}

// notices says which records were left out and why.
func (sk *skipped) notices() []data.Notice {
	var out []data.Notice
	if n := len(sk.badTime); n > 0 {
		out = append(out, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("%d audit %s left out because %s time is not a timestamp: %s.", n, plural(n, "record was", "records were"), plural(n, "its", "their"), list(sk.badTime))})
	}
	if n := len(sk.notObject); n > 0 {
		out = append(out, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("%d audit %s left out because %s not a JSON object: %s.", n, plural(n, "record was", "records were"), plural(n, "it is", "they are"), list(sk.notObject))})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list names at most five items.
func list(items []string) string {
	const max = 5
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" and %d more", len(items)-max)
}

// plausible bounds the times an audit record can have; anything else is not a timestamp of an event.
var (
	earliestRecord = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	latestRecord   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)
