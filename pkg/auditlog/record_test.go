package auditlog

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/internal/sapfixtures"
)

// The record of SAP's documentation (an XSUAA security event of the audit log service's own client):
// every column is filled from it, message.data is parsed, and it is not a Cloud Integration event.
func TestParseSAPDocRecord(t *testing.T) {
	var raw CFRecord
	if err := json.Unmarshal(sapfixtures.Read(t, "sapdocs-cf-auditlog-retrieval-record-example.json"), &raw); err != nil {
		t.Fatal(err)
	}
	r := FromCF(raw)
	want := Record{
		ID:       "e3a533c1-57b3-42b5-b514-8934ec5b6a6a",
		Time:     time.Date(2018, 10, 4, 8, 12, 0, 239e6, time.UTC),
		User:     "test",
		Action:   "ClientAuthenticationSuccess",
		SourceIP: "10.58.183.15",
		Outcome:  OutcomeSuccess,
		Category: "audit.security-events",
	}
	if r.ID != want.ID || !r.Time.Equal(want.Time) || r.User != want.User || r.Action != want.Action ||
		r.SourceIP != want.SourceIP || r.Outcome != want.Outcome || r.Category != want.Category {
		t.Fatalf("got %+v\nwant %+v", r, want)
	}
	if !strings.HasPrefix(r.Message, "ClientAuthenticationSuccess ('Client authentication success'): principal=sb-40ae21f3") {
		t.Fatalf("message %q is not the text inside message.data", r.Message)
	}
	if r.Raw != raw.Message.Data {
		t.Fatal("the raw payload was not kept")
	}
	if r.CPI {
		t.Fatal("the audit log service's own client event was taken for a Cloud Integration event")
	}
}

// Cloud Integration's events, as SAP documents them, and events of other services.
func TestClassifyAndExtract(t *testing.T) {
	cf := func(user, cat, data string) Record {
		return FromCF(CFRecord{MessageUUID: "id", Time: "2026-11-21T10:00:00.000Z", User: user, Category: cat, Message: CFMessage{IP: "10.1.2.3", Data: data}})
	}
	tests := []struct {
		name                       string
		rec                        Record
		cpi                        bool
		action, objType, objName   string
		outcome, messageContaining string
	}{
		{"package import", cf("SAP", "audit.configuration", `{"action":"Package_Import_Started","objectType":"Package","objectId":"new package.zip","attributes":{},"changedAttributes":{}}`),
			true, "Package_Import_Started", "Package", "new package.zip", OutcomeSuccess, ""},
		{"artifact created", cf("alice", "audit.configuration", `{"action":"Creation_of_Artifact_Initiated","objectType":"IntegrationFlow","objectId":"My_Flow","attributes":{"version":"1.0.3"},"changedAttributes":{}}`),
			true, "Creation_of_Artifact_Initiated", "IntegrationFlow", "My_Flow", OutcomeSuccess, "attributes: version=1.0.3"},
		{"access policy changed", cf("bob", "audit.configuration", `{"action":"Change","objectType":"Access Policy","objectId":"101:Demo","attributes":{},"changedAttributes":{"message":{"oldValue":"a","newValue":"b"}}}`),
			true, "Change", "Access Policy", "101:Demo", OutcomeSuccess, "changed: message: a → b"},
		{"partner directory", cf("bob", "audit.data-modification", `{"action":"Create","objectType":"PD Alternative Partner","objectId":"Agency=A","attributes":{"Pid":"ID1"},"changedAttributes":{}}`),
			true, "Create", "PD Alternative Partner", "Agency=A", OutcomeSuccess, "Pid=ID1"},
		{"trace payload read", cf("carol", "audit.data-access", `{"action":"Read","objectType":"Message Payload (Trace)","objectId":"mplId","attributes":{"message":"Reading Content"},"changedAttributes":{}}`),
			true, "Read", "Message Payload (Trace)", "mplId", OutcomeSuccess, ""},
		{"cpi client authentication failure", cf("sb-1!b2|it!b117912", "audit.security-events", `{"level":"INFO","message":"ClientAuthenticationFailure ('Bad credentials'): principal=sb-1!b2|it!b117912"}`),
			true, "ClientAuthenticationFailure", "", "", OutcomeFailure, "Bad credentials"},
		{"runtime client (plan integration-flow)", cf("sb-9!b2|it-rt!b5", "audit.security-events", `{"message":"ClientAuthenticationSuccess ('ok'): principal=sb-9!b2|it-rt!b5"}`),
			true, "ClientAuthenticationSuccess", "", "", OutcomeSuccess, ""},
		{"generic library event of another service", cf("dave", "audit.data-modification", `{"object":{"type":"customer","id":{"key":"42"}},"attributes":[{"name":"email","old":"a","new":"b"}],"success":false}`),
			false, "", "customer", "42", OutcomeFailure, ""},
		{"another service using the same verbs", cf("erin", "audit.configuration", `{"action":"Change","objectType":"Destination","objectId":"D1","attributes":{},"changedAttributes":{}}`),
			false, "Change", "Destination", "D1", OutcomeSuccess, ""},
		{"not JSON", cf("frank", "audit.security-events", `user logged in`), false, "", "", "", OutcomeSuccess, "user logged in"},
		{"empty", cf("", "", ``), false, "", "", "", OutcomeSuccess, ""},
		{"hostile JSON", cf("x", "audit.configuration", `{"action":{"nested":[1,2]},"objectType":7,"objectId":null,"message":"\u0000"}`), false, "", "", "", OutcomeSuccess, ""},
		{"neo with embedded CPI event", FromNeo(NeoRecord{UUID: "u", Category: "audit.configuration", User: "P123", Application: "abc123iflmap", Time: "2018-03-21T09.00.40.572+0000",
			Message: `Security event: {"action":"Deploy_of_Artifact_Completed","objectType":"IntegrationFlow","objectId":"F2","attributes":{},"changedAttributes":{}} on 2018-03-21`}),
			true, "Deploy_of_Artifact_Completed", "IntegrationFlow", "F2", OutcomeSuccess, ""},
		{"neo text of another application", FromNeo(NeoRecord{UUID: "v", Category: "audit.data-access", User: "P1", Application: "hr", Time: "2018-03-21T09.00.40.572+0000",
			Message: `Read data access message. {"type":"account"} read by user null`}),
			false, "", "", "", OutcomeSuccess, "Read data access message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rec
			if r.CPI != tc.cpi || r.Action != tc.action || r.ObjectType != tc.objType || r.ObjectName != tc.objName || r.Outcome != tc.outcome {
				t.Fatalf("got cpi=%v action=%q type=%q name=%q outcome=%q, want %v %q %q %q %q", r.CPI, r.Action, r.ObjectType, r.ObjectName, r.Outcome,
					tc.cpi, tc.action, tc.objType, tc.objName, tc.outcome)
			}
			if !strings.Contains(r.Message, tc.messageContaining) {
				t.Fatalf("message %q does not contain %q", r.Message, tc.messageContaining)
			}
		})
	}
}

func TestNeoTime(t *testing.T) {
	r := FromNeo(NeoRecord{Time: "2018-03-21T09.00.40.572+0000"})
	if want := time.Date(2018, 3, 21, 9, 0, 40, 572e6, time.UTC); !r.Time.Equal(want) {
		t.Fatalf("time %s, want %s", r.Time, want)
	}
	if r := FromNeo(NeoRecord{Time: "garbage"}); !r.Time.IsZero() {
		t.Fatalf("garbage parsed as %s", r.Time)
	}
}

// TestEmbeddedEventInHostileText: a text of many nested, unterminated objects is read a bounded number of
// times (before the bound, each '{' decoded to the end: 40 000 of them took minutes), and an event at the
// first '{' of a long text is still found.
func TestEmbeddedEventInHostileText(t *testing.T) {
	hostile := "Security event: " + strings.Repeat(`{"a":1,"b":`, 40_000)
	if _, ok := embeddedEvent(hostile); ok {
		t.Fatal("an event was found in a text that holds none")
	}
	text := `Security event: {"action":"Artifact_Deployed","objectId":"X"} ` + strings.Repeat("{", 100_000)
	ev, ok := embeddedEvent(text)
	if !ok || ev.str("action") != "Artifact_Deployed" {
		t.Fatalf("event not found: %v %v", ev, ok)
	}
}
