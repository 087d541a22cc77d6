package messages

import (
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
