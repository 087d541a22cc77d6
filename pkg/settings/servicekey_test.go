package settings

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vectorsPath is the shared Go/TypeScript vector file, relative to this package directory (the
// working directory of `go test`).
var vectorsPath = filepath.Join("..", "..", "tests", "vectors", "service-keys.json")

type serviceKeyVector struct {
	Name   string            `json:"name"`
	Input  *string           `json:"input"`
	Expect map[string]string `json:"expect"`
	Error  string            `json:"error"`
}

func loadServiceKeyVectors(t *testing.T) []serviceKeyVector {
	t.Helper()
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("cannot read the shared service-key vectors %s (they live in tests/vectors of the repository): %v", vectorsPath, err)
	}
	var file struct {
		Cases []serviceKeyVector `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s is not valid JSON: %v", vectorsPath, err)
	}
	if len(file.Cases) == 0 {
		t.Fatalf("%s has no cases", vectorsPath)
	}
	return file.Cases
}

func TestParseServiceKeyVectors(t *testing.T) {
	known := map[string]bool{"authType": true, "apiUrl": true, "tokenUrl": true, "clientId": true,
		"clientSecret": true, "clientCertificate": true, "clientKey": true}
	for _, v := range loadServiceKeyVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			if v.Input == nil || (v.Expect == nil) == (v.Error == "") {
				t.Fatalf("malformed vector: needs input and exactly one of expect/error")
			}
			for k := range v.Expect {
				if !known[k] {
					t.Fatalf("vector expects unknown field %q", k)
				}
			}
			got, err := ParseServiceKey(*v.Input)
			if v.Error != "" {
				if err == nil {
					t.Fatalf("want error containing %q, got %+v", v.Error, got)
				}
				if !strings.Contains(err.Error(), v.Error) {
					t.Fatalf("error %q does not contain %q", err, v.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			gotFields := map[string]string{
				"authType":          string(got.AuthType),
				"apiUrl":            got.APIURL,
				"tokenUrl":          got.TokenURL,
				"clientId":          got.ClientID,
				"clientSecret":      got.ClientSecret,
				"clientCertificate": got.ClientCertificate,
				"clientKey":         got.ClientKey,
			}
			for k, g := range gotFields {
				if want := v.Expect[k]; g != want { // a field missing in expect must be empty
					t.Errorf("%s = %q, want %q", k, g, want)
				}
			}
		})
	}
}

// Cases beyond the shared vectors: behaviour only the Go side needs (provisioning) or edge cases.
func TestParseServiceKeyExtra(t *testing.T) {
	const (
		apiURL   = "https://x.it-cpi001.cfapps.eu10.hana.ondemand.com"
		tokenURL = "https://x.authentication.eu10.hana.ondemand.com/oauth/token"
	)
	tests := []struct {
		name    string
		input   string
		want    ServiceKey
		wantErr string
	}{
		{
			name:  "literal backslash-n in an already unescaped certificate and key",
			input: `{"clientid":"c","certificate":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----","key":"-----BEGIN PRIVATE KEY-----\\r\\nMIIK\\r\\n-----END PRIVATE KEY-----","url":"` + apiURL + `","tokenurl":"` + tokenURL + `"}`,
			want: ServiceKey{AuthType: AuthOAuth2Certificate, APIURL: apiURL, TokenURL: tokenURL, ClientID: "c",
				ClientCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
				ClientKey:         "-----BEGIN PRIVATE KEY-----\nMIIK\n-----END PRIVATE KEY-----"},
		},
		{
			name:  "nested values win over flat ones, flat fills the rest",
			input: `{"clientid":"flat","url":"https://flat.example.com","oauth":{"clientid":"nested","clientsecret":"s","url":"` + apiURL + `/api/v1"},"tokenurl":"https://x.authentication.eu10.hana.ondemand.com"}`,
			want:  ServiceKey{AuthType: AuthOAuth2ClientCredentials, APIURL: apiURL, TokenURL: tokenURL, ClientID: "nested", ClientSecret: "s"},
		},
		{
			name:  "secret with surrounding spaces is kept byte for byte",
			input: `{"clientid":"c","clientsecret":" s p ","url":"` + apiURL + `","tokenurl":"` + tokenURL + `"}`,
			want:  ServiceKey{AuthType: AuthOAuth2ClientCredentials, APIURL: apiURL, TokenURL: tokenURL, ClientID: "c", ClientSecret: " s p "},
		},
		{
			name:  "both secret and certificate: secret chosen, certificate kept",
			input: `{"clientid":"c","clientsecret":"s","certificate":"CERT","url":"` + apiURL + `","tokenurl":"` + tokenURL + `"}`,
			want:  ServiceKey{AuthType: AuthOAuth2ClientCredentials, APIURL: apiURL, TokenURL: tokenURL, ClientID: "c", ClientSecret: "s", ClientCertificate: "CERT"},
		},
		{name: "blank secret counts as missing", input: `{"clientid":"c","clientsecret":"  ","url":"` + apiURL + `","tokenurl":"` + tokenURL + `"}`, wantErr: `neither "clientsecret" nor "certificate"`},
		{name: "non-string field", input: `{"clientid":42,"clientsecret":"s","url":"` + apiURL + `","tokenurl":"` + tokenURL + `"}`, wantErr: `field "clientid" must be text`},
		{name: "bad url scheme", input: `{"clientid":"c","clientsecret":"s","url":"ftp://x","tokenurl":"` + tokenURL + `"}`, wantErr: `field "url" is unusable`},
		{name: "bad tokenurl", input: `{"clientid":"c","clientsecret":"s","url":"` + apiURL + `","tokenurl":"x.example.com"}`, wantErr: `field "tokenurl" is unusable`},
		{name: "truncated JSON names the position", input: `{"clientid":"c",`, wantErr: "not valid JSON (problem at character"},
		{name: "JSON string", input: `"abc"`, wantErr: "must be a JSON object"},
		{name: "JSON null", input: `null`, wantErr: "must be a JSON object"},
		{name: "uaa key that also has CPI fields is accepted as CPI", input: `{"uaa":{},"clientid":"c","clientsecret":"s","url":"` + apiURL + `","tokenurl":"` + tokenURL + `"}`,
			want: ServiceKey{AuthType: AuthOAuth2ClientCredentials, APIURL: apiURL, TokenURL: tokenURL, ClientID: "c", ClientSecret: "s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseServiceKey(tt.input)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != tt.want {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// Every failing service key that carries a secret must fail without quoting it.
func TestParseServiceKeyErrorsDoNotLeakSecrets(t *testing.T) {
	const secret = "SK-SECRET-9d1f"
	const key = "-----BEGIN PRIVATE KEY-----\nSK-KEY-MATERIAL-77ab\n-----END PRIVATE KEY-----"
	inputs := []string{
		"clientsecret: " + secret,            // not JSON, secret at the start
		`{"clientsecret":"` + secret + `"x}`, // syntax error right after the secret
		`{"clientsecret":` + secret + `}`,    // unquoted secret: error points into it
		`["` + secret + `"]`,                 // not an object
		`{"clientsecret":"` + secret + `"}`,  // missing url
		`{"clientid":"c","clientsecret":"` + secret + `","url":"https://a-rt.example.com","tokenurl":"https://t.example.com"}`,
		`{"clientid":"c","clientsecret":"` + secret + `","url":"https://a.example.com"}`,
		`{"clientid":"c","clientsecret":"` + secret + `","url":"https://u:` + secret + `@a.example.com","tokenurl":"https://t.example.com"}`,
		`{"clientid":"c","clientsecret":"` + secret + `","url":"https://a.example.com","tokenurl":"https://t.example.com/?x=` + secret + `"}`,
		`{"clientid":"c","key":` + mustJSON(key) + `,"url":"https://a.example.com","tokenurl":"https://t.example.com"}`,
		`{"uaa":{"clientsecret":"` + secret + `"},"url":"https://a.example.com"}`,
		`{"clientid":"c","clientsecret":{"v":"` + secret + `"},"url":"https://a.example.com","tokenurl":"https://t.example.com"}`,
	}
	for i, in := range inputs {
		_, err := ParseServiceKey(in)
		if err == nil {
			t.Fatalf("input %d: want an error", i)
		}
		for _, s := range []string{secret, "SK-KEY-MATERIAL"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("input %d: error leaks %q: %v", i, s, err)
			}
		}
	}
}

func mustJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
