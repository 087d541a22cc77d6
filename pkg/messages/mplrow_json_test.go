package messages

import (
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// reflectRow is mplRow without its UnmarshalJSON: what encoding/json makes of a row by reflection, the
// oracle of the hand-written decoder.
type reflectRow mplRow

// decodeBoth decodes a page of rows both ways.
func decodeBoth(body []byte) (fast []mplRow, fastErr error, slow []reflectRow, slowErr error) {
	fastErr = json.Unmarshal(body, &fast)
	slowErr = json.Unmarshal(body, &slow)
	return
}

// FuzzMplRowDecode: the hand-written decoder accepts exactly what encoding/json accepts and gives the
// same rows.
func FuzzMplRowDecode(f *testing.F) {
	for _, seed := range []string{
		`[{"__metadata":{"id":"https://t/api/v1/MessageProcessingLogs('A')","uri":"u","type":"com.sap.hci.api.MessageProcessingLog"},` +
			`"MessageGuid":"AGrYqXgAAABKIG6x_-rHczsLnlVk","CorrelationId":"AGrYqXiLBj_JTsZ_H-Rb0JxNKE0A","ApplicationMessageId":null,` +
			`"ApplicationMessageType":null,"LogStart":"/Date(1792584056312)/","LogEnd":"/Date(1792584056519)/","Sender":"API_Consumer",` +
			`"Receiver":"S4HANA_PRD","Status":"COMPLETED","AlternateWebLink":"http://t/shell/monitoring/Messages/%7B%22identifier%22%3A%22A%22%7D",` +
			`"IntegrationArtifact":{"__metadata":{"type":"com.sap.hci.api.IntegrationArtifact"},"Id":"Flow_1","Name":"Flow 1","Type":"INTEGRATION_FLOW","PackageId":"P","PackageName":"Pkg"},"CustomStatus":"COMPLETED"}]`,
		`[{"messageguid":"lower","STATUS":"upper","integrationartifact":{"ID":"x","packagename":"y"}}]`,
		`[{"Status":"a","Status":"b","status":"c"}]`,
		`[{"Sender":"caf\u00e9 \"quoted\" \\ \/","Receiver":"tab\there","Status":"\ud83d\ude00","CustomStatus":"\ud800"}]`,
		"[{\"Sender\":\"\xff\xfe invalid\",\"Receiver\":\"é\"}]",
		`[{"Status":5}]`, `[{"Status":true}]`, `[{"Status":{}}]`, `[{"Status":[]}]`, `[{"IntegrationArtifact":"x"}]`,
		`[{"IntegrationArtifact":null,"Status":null,"LogEnd":null}]`, `[null, {}, {"x":[1,{"y":"}"}],"z":-1.5e3}]`,
		`[{"LogEnd":"2026-11-20T12:00:00"},{"LogEnd":"/Date(-1)/"},{"LogEnd":12},{"LogStart":{"a":1}}]`,
		`[{"LogEnd":"/Date(99999999999999999999)/"}]`, `[{ "Status" : "spaced" , "Sender" :"x" }]`,
		`[1]`, `["row"]`, `[{"Status":"a"`, `{}`, `[{"Id":"not a row field","PackageId":"p"}]`,
		`[{"IntegrationArtifact":{"Id":1}}]`, `[{"IntegrationArtifact":{"Name":"n","Name":null}}]`,
		`[{"ſtatus":"long s","K":"kelvin","Receiver\u0000":"nul"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, fastErr, slow, slowErr := decodeBoth(body)
		if (fastErr == nil) != (slowErr == nil) {
			t.Fatalf("%q: hand-written error %v, encoding/json error %v", body, fastErr, slowErr)
		}
		if fastErr != nil {
			return
		}
		if len(fast) != len(slow) {
			t.Fatalf("%q: %d rows, encoding/json %d", body, len(fast), len(slow))
		}
		for i := range fast {
			if !reflect.DeepEqual(fast[i], mplRow(slow[i])) {
				t.Fatalf("%q row %d:\n hand-written %+v\n encoding/json %+v", body, i, fast[i], slow[i])
			}
		}
	})
}

// FuzzMplPageDecode: a page decoded in one pass (mplRow's odata.PageDecoder) fails where encoding/json's
// decoding of the same page fails and otherwise gives the same rows, count and next link.
func FuzzMplPageDecode(f *testing.F) {
	row := `{"__metadata":{"id":"x","uri":"u","type":"t"},"MessageGuid":"G1","LogEnd":"/Date(1792584056519)/","Status":"FAILED",` +
		`"IntegrationArtifact":{"__metadata":{"type":"a"},"Id":"F","Name":"N","PackageId":"P"},"Sender":null}`
	for _, seed := range []string{
		`{"d":{"results":[` + row + `,` + row + `],"__count":"2","__next":"MessageProcessingLogs?$skiptoken=1000"}}`,
		`{"d":{"results":[]}}`, `{"d":{"results":null}}`, `{"d":null}`, `{"d":[` + row + `]}`, `{"D":{"Results":[` + row + `],"__COUNT":7}}`,
		`{"d":{"results":[` + row + `]},"d":{"results":[]}}`, `{"d":{"results":[],"results":[` + row + `]}}`,
		`{"d":{"results":[],"__count":"1","__count":"2"}}`, `{"d":{"results":[],"__count":"-1"}}`, `{"d":{"results":[],"__count":null}}`,
		`{"d":{"results":[],"__next":5}}`, `{"d":{"results":[],"__next":null,"__next":"a"}}`, `{"d":{"results":[]}} x`,
		"\xef\xbb\xbf" + `{"d":{"results":[]}}`, ` {"d":{"results":[null,{}]}} `, `{"d":{"results":[1]}}`,
		`{"d":{"results":[],"x":[1,-0.5e+3,true,false,null,{"y":"\u00e9\n"}]}}`, `{"d":{"results":[],"x":01}}`,
		`{"d":{"results":[],"x":"a\u12"}}`, "{\"d\":{\"results\":[],\"x\":\"tab\there\"}}", `{"d":{"results":[],"x":tru}}`,
		`{"d":{"results":[],"x":[1,]}}`, `{"d":{"results":[],"x":{"a" 1}}}`, `{"d":{"results":[{"Status":"a" "Sender":"b"}]}}`,
		`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `,"d":{"results":[]}}`,
		`{"d":{"results":[` + strings.Repeat("[", 9996) + strings.Repeat("]", 9996) + `]}}`,
		`{"d":{"results":[{"x":` + strings.Repeat("[", 9995) + strings.Repeat("]", 9995) + `}]}}`,
		`{"d":{"results":[{"x":` + strings.Repeat("[", 9996) + strings.Repeat("]", 9996) + `}]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, fastErr := odata.DecodeCollectionBytes[mplRow](body)
		slow, slowErr := odata.DecodeCollectionBytes[reflectRow](body)
		if (fastErr == nil) != (slowErr == nil) {
			t.Fatalf("%.300q: one pass error %v, encoding/json error %v", body, fastErr, slowErr)
		}
		if fastErr != nil {
			return
		}
		if fast.Next != slow.Next || !reflect.DeepEqual(fast.Count, slow.Count) || len(fast.Results) != len(slow.Results) ||
			(fast.Results == nil) != (slow.Results == nil) {
			t.Fatalf("%.300q: one pass next %q count %v %d rows, encoding/json next %q count %v %d rows",
				body, fast.Next, fast.Count, len(fast.Results), slow.Next, slow.Count, len(slow.Results))
		}
		for i := range fast.Results {
			if !reflect.DeepEqual(fast.Results[i], mplRow(slow.Results[i])) {
				t.Fatalf("%.300q row %d:\n one pass %+v\n encoding/json %+v", body, i, fast.Results[i], slow.Results[i])
			}
		}
	})
}

// TestDecodePageTakesThePlainShape: the one-pass decoder answers SAP's page itself (else the fuzz test
// above would compare encoding/json with itself) and leaves other shapes to encoding/json.
func TestDecodePageTakesThePlainShape(t *testing.T) {
	page := []byte(` {"d":{"__count":"2","results":[{"MessageGuid":"G1","Status":"FAILED","IntegrationArtifact":{"Id":"F"}},null],` +
		`"__next":"https://t/api/v1/MessageProcessingLogs?$skiptoken=1000"}} `)
	rows, next, count, ok := (*mplRow)(nil).DecodePage(page)
	if !ok || len(rows) != 2 || rows[0].MessageGuid != "G1" || rows[0].IntegrationArtifact.ID != "F" || rows[1] != (mplRow{}) ||
		next != "https://t/api/v1/MessageProcessingLogs?$skiptoken=1000" || string(count) != `"2"` {
		t.Fatalf("ok %v, rows %+v, next %q, count %s", ok, rows, next, count)
	}
	for _, other := range []string{`{"d":[]}`, `{"d":{"results":[]},"d":null}`, "\xef\xbb\xbf{\"d\":{\"results\":[]}}", `{"d":{"results":[]}}]`} {
		if _, _, _, ok := (*mplRow)(nil).DecodePage([]byte(other)); ok {
			t.Errorf("%q taken as a plain page", other)
		}
	}
}

// TestPlain8: eight bytes pass at once exactly when each is printable ASCII but the quote and the
// backslash; every pair of byte values at every pair of positions, the others plain.
func TestPlain8(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	for i := 0; i < 8; i++ {
		for j := i + 1; j < 8; j++ {
			for v := 0; v < 256; v++ {
				for w := 0; w < 256; w++ {
					b := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
					b[i], b[j] = byte(v), byte(w)
					if got, want := plain8(binary.LittleEndian.Uint64(b[:])), plain(b[i]) && plain(b[j]); got != want {
						t.Fatalf("%q: %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}
