package odata

import (
	"strings"
	"testing"
)

func TestWebLinkFromTenantData(t *testing.T) {
	monitor := "https://tenant.it-cpi018.cfapps.eu10-003.hana.ondemand.com/itspaces/shell/monitoring/MessageDetails/%7B%22messageGuid%22%3A%22AGXh%22%7D"
	for _, tc := range []struct {
		in, want string
	}{
		{monitor, monitor},
		{"http://cpi.example/monitor?id=1", "http://cpi.example/monitor?id=1"},
		{"HTTPS://CPI.EXAMPLE/x", "HTTPS://CPI.EXAMPLE/x"},
		{"", ""},
		{"javascript:alert(1)", ""},
		{"JavaScript://cpi.example/%0Aalert(1)", ""},
		{"data:text/html,<script>alert(1)</script>", ""},
		{"/itspaces/shell/monitoring", ""},
		{"//cpi.example/x", ""},
		{"https://user:secret@cpi.example/x", ""},
		{"https://cpi.example/x\nSet-Cookie: a", ""},
		{"ftp://cpi.example/x", ""},
		{"https:///no-host", ""},
		{"https://cpi.example/" + strings.Repeat("a", 5000), ""},
		{"https://[::1", ""},
	} {
		if got := WebLink(tc.in); got != tc.want {
			t.Errorf("WebLink(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
