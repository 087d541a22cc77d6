package settings

import (
	"strings"
	"testing"
)

func TestNormalizeAPIURL(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "bare host", in: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com", want: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com"},
		{name: "trailing slash", in: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com/", want: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com"},
		{name: "service root", in: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1", want: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com"},
		{name: "service root with slash", in: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1/", want: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com"},
		{name: "sandbox prefix", in: "https://sandbox.api.sap.com/cpi/api/v1", want: "https://sandbox.api.sap.com/cpi"},
		{name: "custom prefix without api", in: "https://my.example.com/cpi/", want: "https://my.example.com/cpi"},
		{name: "spaces trimmed", in: "  https://abc.example.com/api/v1 \n", want: "https://abc.example.com"},
		{name: "http for the simulator, port kept", in: "http://127.0.0.1:8089/api/v1", want: "http://127.0.0.1:8089"},
		{name: "upper case scheme and host lowered", in: "HTTPS://ABC.Example.COM/API/V1", want: "https://abc.example.com"},
		{name: "duplicate slashes", in: "https://abc.example.com//api//v1//", want: "https://abc.example.com"},
		{name: "similar but not the api suffix", in: "https://abc.example.com/myapi/v1", want: "https://abc.example.com/myapi/v1"},
		{name: "empty", in: "   ", wantErr: "API URL is empty"},
		{name: "no scheme", in: "abc.it-cpi001.cfapps.eu10.hana.ondemand.com", wantErr: "must start with https://"},
		{name: "ftp scheme", in: "ftp://abc.example.com", wantErr: `must start with https:// (got "ftp://")`},
		{name: "missing host", in: "https:///api/v1", wantErr: "has no host name"},
		{name: "opaque", in: "https:abc.example.com", wantErr: "has no host name"},
		{name: "query", in: "https://abc.example.com/api/v1?$format=json", wantErr: "must not contain a query"},
		{name: "empty query", in: "https://abc.example.com?", wantErr: "must not contain a query"},
		{name: "fragment", in: "https://abc.example.com/#/shell", wantErr: "must not contain a fragment"},
		{name: "credentials in url", in: "https://user:pw@abc.example.com", wantErr: "must not contain a user name or password"},
		{name: "unparsable", in: "https://abc example.com:port", wantErr: "is not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeAPIURL(tt.in)
			checkURLResult(t, got, err, tt.want, tt.wantErr)
			if err == nil {
				// Normalising is idempotent: Validate relies on re-normalising a normalised value.
				again, err2 := NormalizeAPIURL(got)
				if err2 != nil || again != got {
					t.Errorf("second normalisation = %q, %v; want %q", again, err2, got)
				}
			}
		})
	}
}

func TestNormalizeTokenURL(t *testing.T) {
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "bare host gets /oauth/token", in: "https://abc.authentication.eu10.hana.ondemand.com", want: "https://abc.authentication.eu10.hana.ondemand.com/oauth/token"},
		{name: "host with slash gets /oauth/token", in: "https://abc.authentication.eu10.hana.ondemand.com/", want: "https://abc.authentication.eu10.hana.ondemand.com/oauth/token"},
		{name: "full xsuaa url kept", in: "https://abc.authentication.eu10.hana.ondemand.com/oauth/token", want: "https://abc.authentication.eu10.hana.ondemand.com/oauth/token"},
		{name: "neo path kept", in: "https://oauthasservices-acc.hana.ondemand.com/oauth2/api/v1/token", want: "https://oauthasservices-acc.hana.ondemand.com/oauth2/api/v1/token"},
		{name: "trailing slash dropped", in: " https://abc.example.com/oauth/token/ ", want: "https://abc.example.com/oauth/token"},
		{name: "http simulator", in: "http://localhost:8089", want: "http://localhost:8089/oauth/token"},
		{name: "empty", in: "", wantErr: "Token URL is empty"},
		{name: "grant type query", in: "https://abc.example.com/oauth/token?grant_type=client_credentials", wantErr: "the plugin sends grant_type itself"},
		{name: "bad scheme", in: "ldap://abc.example.com", wantErr: "Token URL must start with https://"},
		{name: "no host", in: "https://", wantErr: "Token URL has no host name"},
		{name: "fragment", in: "https://abc.example.com/oauth/token#x", wantErr: "fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeTokenURL(tt.in)
			checkURLResult(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func checkURLResult(t *testing.T, got string, err error, want, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil {
			t.Fatalf("got %q, want error containing %q", got, wantErr)
		}
		if !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %q does not contain %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestURLErrorsDoNotEchoCredentials(t *testing.T) {
	const secret = "Pa55-in-url-q8z"
	for _, raw := range []string{
		"https://user:" + secret + "@abc.example.com",
		"https://abc.example.com/?token=" + secret,
		"https://abc.example.com/#" + secret,
		"ftp://user:" + secret + "@abc.example.com",
	} {
		for name, f := range map[string]func(string) (string, error){"api": NormalizeAPIURL, "token": NormalizeTokenURL} {
			_, err := f(raw)
			if err == nil {
				t.Fatalf("%s(%q): want error", name, raw)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: error leaks the secret: %v", name, err)
			}
		}
	}
}

func TestHostHint(t *testing.T) {
	tests := []struct {
		name, in, want string // want: a phrase the hint contains, "" for no hint
	}{
		{name: "api host", in: "https://abc.it-cpi001.cfapps.eu10.hana.ondemand.com"},
		{name: "sandbox", in: "https://sandbox.api.sap.com/cpi"},
		{name: "neo tmn host", in: "https://acc-tmn.hci.eu1.hana.ondemand.com"},
		{name: "simulator", in: "http://127.0.0.1:8089"},
		{name: "runtime host", in: "https://abc.it-cpi001-rt.cfapps.eu10.hana.ondemand.com", want: "runtime host of plan integration-flow"},
		{name: "runtime host upper case", in: "https://ABC.IT-CPI001-RT.cfapps.eu10.hana.ondemand.com", want: "the host without -rt"},
		{name: "integration suite ui", in: "https://abc.integrationsuite.cfapps.eu10.hana.ondemand.com:443", want: "Integration Suite web UI"},
		{name: "neo itspaces", in: "https://acc-tmn.hci.eu1.hana.ondemand.com/itspaces", want: "Integration Suite web UI"},
		{name: "shell path", in: "https://abc.example.com/shell/monitoring", want: "Integration Suite web UI"},
		{name: "empty", in: ""},
		{name: "unparsable", in: "https://a b:c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HostHint(tt.in)
			if tt.want == "" {
				if got != "" {
					t.Fatalf("want no hint, got %q", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("hint %q does not contain %q", got, tt.want)
			}
		})
	}
}
