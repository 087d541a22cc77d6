package messages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignatureGroupsTheSameCause(t *testing.T) {
	same := [][2]string{
		{"com.sap.it.rt.adapter.http.api.exception.HttpResponseException: HTTP operation failed invoking https://a.example.com/x/1?id=9 with statusCode: 500 (sap-correlation-id 0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9, request 123456)",
			"com.sap.it.rt.adapter.http.api.exception.HttpResponseException: HTTP operation failed invoking https://b.example.com/y with statusCode: 500 (sap-correlation-id 11111111-2222-3333-4444-555555555555, request 98)"},
		{"Cannot create target element /ns0:Order/Record[17]/Name (MessageId=AGk_xKgivsDaGSUpuvz-eEFzhKZO)",
			"Cannot create target element /ns0:Order/Record[3]/Name (MessageId=AGsANj4AABd91OYqZtTJEhDynGc1)"},
		{"java.net.SocketTimeoutException: Read timed out after 60000 ms, cause: Connect to s4hana-prd.example.com:443 timed out at 2026-11-20T11:59:59.123Z",
			"java.net.SocketTimeoutException: Read timed out after 90000 ms, cause: Connect to erp.corp.example.com timed out at 2026-11-21 01:02:03"},
		{"Document 4500012345 is locked by user BATCH_007; token 0xDEADBEEF42 from ops@simcorp.example",
			"Document 4599999999 is locked by user BATCH_912; token 0x0123456789 from li.wei@simcorp.example"},
		{"IDoc 0000000004001234 partner SIM042 unknown", "IDoc 0000000009876543 partner SIM913 unknown"},
	}
	for _, p := range same {
		a, b := Signature(p[0]), Signature(p[1])
		if a != b {
			t.Errorf("different signatures for the same cause:\n  %s\n  %s", a, b)
		}
		if SignatureID(a) != SignatureID(b) {
			t.Errorf("different ids for one signature")
		}
	}
	different := [][2]string{
		{"HTTP operation failed invoking https://x.example.com with statusCode: 500", "HTTP operation failed invoking https://x.example.com with statusCode: 401"},
		{"java.net.SocketTimeoutException: Read timed out", "java.net.ConnectException: Connection refused"},
		{"Credential 'S4_OAuth_Client' was rejected", "Credential 'SF_TechnicalUser' was rejected"},
	}
	for _, p := range different {
		if Signature(p[0]) == Signature(p[1]) {
			t.Errorf("one signature for different causes: %q", Signature(p[0]))
		}
	}
}

func TestSignatureKeepsWhatExplains(t *testing.T) {
	in := "org.apache.camel.component.file.GenericFileOperationFailedException: Cannot connect to sftp://sftp.bank.example.com:22 for user simcorp_123 in S4HANA_PRD, see java.net.SocketTimeoutException"
	got := Signature(in)
	for _, keep := range []string{"org.apache.camel.component.file.GenericFileOperationFailedException", "S4HANA_PRD", "java.net.SocketTimeoutException", "<url>", "simcorp_<n>"} {
		if !strings.Contains(got, keep) {
			t.Errorf("signature %q lost %q", got, keep)
		}
	}
	if strings.Contains(got, "sftp.bank") || strings.Contains(got, "123") {
		t.Errorf("signature %q keeps a variable part", got)
	}
	if long := Signature(strings.Repeat("x y ", 1000)); len([]rune(long)) > maxSignatureRunes+1 {
		t.Errorf("signature of %d runes", len([]rune(long)))
	}
}

// TestSignatureIDIsStable: the id is an alert label; changing it would reset every alert instance, so a
// change must be deliberate.
func TestSignatureIDIsStable(t *testing.T) {
	if got := SignatureID("java.net.SocketTimeoutException: Read timed out after <n> ms"); got != "12f248d728" {
		t.Errorf("SignatureID changed: %s", got)
	}
}

// realIDs are ids by shape: message and correlation ids of a real Cloud Foundry tenant (the fixture) and
// ids of the same shape that begin or end with '-' or '_' or hold no digit (base64url allows all of
// them), the fixture's transaction ids (32 hex digits), GUIDs and document numbers.
func realIDs(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "internal", "sapfixtures", "testdata", "real-cf-tenant-MessageProcessingLogs-inlinecount.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		D struct {
			Results []struct{ MessageGuid, CorrelationId, TransactionId string } `json:"results"`
		} `json:"d"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string][]string{
		"message id": {
			"AGk_xKgivsDaGSUpuvz-eEFzhKZ-", // ends in '-'
			"AGk_xKgivsDaGSUpuvz-eEFzhKZ_", // ends in '_'
			"-Gk_xKgivsDaGSUpuvz-eEFzhKZO", // begins with '-'
			"AGkxKgivsDaGSUpuvzeEFzhKZOqw", // no digit, no '-' or '_'
			"AGk_xKgivsDaGSUpuvz-eEFzhKZQ", // no digit
		},
		"guid":   {"0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "0F1E2D3C-4B5A-6978-8695-A4B3C2D1E0F9"},
		"number": {"4500012345", "17", "0000000004001234"},
	}
	for _, r := range doc.D.Results {
		ids["message id"] = append(ids["message id"], r.MessageGuid, r.CorrelationId)
		ids["hex"] = append(ids["hex"], r.TransactionId)
	}
	if len(ids["hex"]) < 3 {
		t.Fatalf("fixture holds %d rows", len(ids["hex"]))
	}
	return ids
}

func TestSignatureMasksEveryIDShape(t *testing.T) {
	templates := []string{
		"Cannot create target element /ns0:Order/Record/Name (MessageId=%s)",
		"Message %s failed in step Request_Reply_1",
		"correlation id: %s; retry later",
		"duplicate '%s'",
		"HTTP operation failed invoking https://a.example.com/odata/Orders('%s') with statusCode: 500",
	}
	for shape, ids := range realIDs(t) {
		for _, tpl := range templates {
			want := Signature(fmt.Sprintf(tpl, ids[0]))
			if strings.Contains(want, ids[0]) {
				t.Errorf("%s %s kept in %q", shape, ids[0], want)
			}
			for _, id := range ids[1:] {
				if got := Signature(fmt.Sprintf(tpl, id)); got != want {
					t.Errorf("%s %s not masked:\n  got  %s\n  want %s", shape, id, got, want)
				}
			}
		}
	}
}

func TestSignatureKeepsWordsOfIDLength(t *testing.T) {
	for _, w := range []string{
		"HttpResponseExceptionHandler", // 28 letters, camel case
		"Credential_S4HANA_Production", // 28 characters with '_' and a digit
		"non-existing-receiver-system", // 28 characters with '-'
		"XMLParserConfigurationFailed",
		"IllegalInstanceExceptionText",
		"accessed",
		"deadline",
	} {
		if got := Signature("failed in " + w + " now"); !strings.Contains(got, w) {
			t.Errorf("word %s masked: %q", w, got)
		}
	}
}
