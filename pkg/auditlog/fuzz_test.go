package auditlog

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for audit records (Cloud Foundry and Neo). `go test` runs their seeds; scripts/fuzz.sh
// fuzzes each of them for a given time.

// checkRecord asserts what holds for every converted record, whatever the payload.
func checkRecord(t *testing.T, r Record, payload string) {
	t.Helper()
	if r.Outcome != OutcomeSuccess && r.Outcome != OutcomeFailure {
		t.Fatalf("outcome %q", r.Outcome)
	}
	if !r.Time.IsZero() && (r.Time.Location() != time.UTC || r.Time.Before(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Add(-24*time.Hour)) ||
		r.Time.After(time.Date(10000, 1, 2, 0, 0, 0, 0, time.UTC))) {
		t.Fatalf("time %v accepted", r.Time)
	}
	if r.Raw != payload {
		t.Fatalf("raw payload %q, want %q", r.Raw, payload)
	}
	// The message is the payload's text or a summary of its attributes ("k: old → new" per attribute).
	if len(r.Message) > 3*len(payload)+100 {
		t.Fatalf("message of %d bytes from a payload of %d", len(r.Message), len(payload))
	}
}

// FuzzDecodeCF: a page of Cloud Foundry records is refused or converted record by record.
func FuzzDecodeCF(f *testing.F) {
	for _, s := range []string{
		`[{"message_uuid":"1","time":"2024-01-02T03:04:05.123Z","user":"sb-x!b1|it!b2","category":"audit.configuration","message":{"ip":"1.2.3.4","data":"{\"action\":\"Artifact_Deployed\",\"objectType\":\"IntegrationFlow\",\"objectId\":\"X\",\"attributes\":{\"version\":\"1.0\"},\"changedAttributes\":{\"status\":{\"oldValue\":\"a\",\"newValue\":\"b\"}}}"}}]`,
		`{"results":[{"message":{"data":"ClientAuthenticationFailure ('x'): principal=y"}}],"value":[{"time":"bad"}]}`,
		`[{"message":{"data":"{\"object\":{\"type\":\"t\",\"id\":{\"a\":\"1\",\"b\":\"2\"}},\"success\":false}"}}]`,
		`[{"message":{"data":"{\"level\":\"ERROR\",\"message\":\"x\"}"}}]`, `[]`, ``, `<html>`, `[1]`, `{"results":5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var sk skipped
		recs, err := decodeCF(body, 1, &sk)
		if err != nil {
			return
		}
		if len(recs) > len(body)/2+1 {
			t.Fatalf("%d records from %d bytes", len(recs), len(body))
		}
		var raw []CFRecord
		if json.Unmarshal(body, &raw) != nil || len(raw) != len(recs) {
			return // the wrapper form, or records left out by the lenient decoder
		}
		for i, r := range recs {
			checkRecord(t, r, raw[i].Message.Data)
		}
	})
}

// FuzzFromNeo: a Neo record, whatever its text, converts to a record with a known outcome, a sane
// time and a bounded message.
func FuzzFromNeo(f *testing.F) {
	f.Add("2018-03-21T09.00.40.572+0000", "Security event: {\"action\":\"Artifact_Deployed\",\"objectType\":\"IntegrationFlow\",\"objectId\":\"X\"}", "abctmn", "u")
	f.Add("2018-03-21T09:00:40", "{\"success\":true,\"attributes\":{\"a\":1}}", "", "")
	f.Add("", "{ { {\"action\":1} {\"action\":\"Login_failed\"", "iflmap", "P123")
	f.Add("9999-12-31T23.59.59-1200", "ClientAuthenticationSuccess: principal=x", "", "")
	f.Fuzz(func(t *testing.T, ts, message, application, user string) {
		r := FromNeo(NeoRecord{UUID: "u", Time: ts, Message: message, Application: application, User: user})
		checkRecord(t, r, message)
		if r.Application != strings.TrimSpace(application) {
			t.Fatalf("application %q, want %q", r.Application, application)
		}
	})
}

// FuzzPagingHandle: the Paging header yields the handle after "handle=", trimmed, or nothing.
func FuzzPagingHandle(f *testing.F) {
	for _, s := range []string{"handle=abc", "handle=<a:b>; x=1", "x=1;HANDLE = y ", "", "handle", ";;="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("Paging", v)
		got := pagingHandle(h)
		if got != strings.TrimSpace(got) || got != "" && !strings.Contains(v, got) || strings.Contains(got, ";") {
			t.Fatalf("handle %q from %q", got, v)
		}
	})
}
