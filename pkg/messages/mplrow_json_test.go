package messages

import (
	"encoding/json"
	"reflect"
	"testing"
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
