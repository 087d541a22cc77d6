package messages

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/simulator/oquery"
)

// Fuzz targets for user values in filters and tenant error texts. `go test` runs their seeds;
// scripts/fuzz.sh fuzzes each of them for a given time.

// comparisons reads back "path eq 'value'" terms of a parsed filter: property path -> values.
func comparisons(x oquery.Expr) map[string][]any {
	out := map[string][]any{}
	oquery.Walk(x, func(e oquery.Expr) bool {
		if c, ok := e.(*oquery.Compare); ok {
			if p, ok := c.Left.(*oquery.Property); ok {
				if l, ok := c.Right.(*oquery.Literal); ok {
					out[p.Path] = append(out[p.Path], l.Value)
				}
			}
		}
		return true
	})
	return out
}

// distinct drops empty values and duplicates, keeping the first occurrence.
func distinct(values ...string) []any {
	var out []any
	for _, v := range values {
		if v != "" && !slices.Contains(out, any(v)) {
			out = append(out, v)
		}
	}
	return out
}

// FuzzFilter: whatever values a user types, the $filter is either refused or well formed, and an
// independent OData parser (the simulated tenant's) reads back exactly the values typed, each as one
// string literal of its field.
func FuzzFilter(f *testing.F) {
	f.Add("Order_Create", "O'Brien", "failed", "S4", "", "", "", "OrderId", "42'; drop")
	f.Add("a' or Status eq 'COMPLETED", "a", "", "x') or (1 eq 1", "$var", "${__all}", "  ", "", "")
	f.Add("iflow", "iflow", "FAILED", "", "\x00", "é€𝄞", "'", "'", "''")
	f.Add("x", "", "retry", "", "", "", "a\u2028b", "name", "")
	f.Add(strings.Repeat("x", 1100), "", "", "", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, iflow1, iflow2, status, sender, receiver, messageID, customStatus, headerName, headerValue string) {
		in := models.MessageFilters{
			IFlows: models.MessageFilterValues{iflow1, iflow2}, Statuses: models.MessageFilterValues{status},
			Senders: models.MessageFilterValues{sender}, Receivers: models.MessageFilterValues{receiver},
			MessageID: messageID, CustomStatus: customStatus, CustomHeaderName: headerName, CustomHeaderValue: headerValue,
		}
		fs, err := newFilterSet(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		from := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		q := fs.query("LogEnd", window{from: from, to: from.Add(time.Hour)})
		filter := q.Get("$filter")
		x, err := oquery.ParseFilter(filter)
		if err != nil {
			t.Fatalf("$filter %q does not parse: %v", filter, err)
		}
		got := comparisons(x)
		want := map[string][]any{
			"IntegrationArtifact/Id": distinct(iflow1, iflow2), "Sender": distinct(sender), "Receiver": distinct(receiver),
			"MessageGuid": distinct(messageID), "CustomStatus": distinct(customStatus),
		}
		if status != "" {
			want["Status"] = distinct(strings.ToUpper(strings.TrimSpace(status)))
		}
		for path, values := range want {
			if local := slices.ContainsFunc(fs.local, func(l localFilter) bool { return l.option == "iflows" }); local && path == "IntegrationArtifact/Id" {
				continue // too long for the URL: filtered on the rows read
			}
			if !slices.Equal(got[path], values) {
				t.Fatalf("$filter %q reads back %s as %q, want %q", filter, path, got[path], values)
			}
		}
		if times := got["LogEnd"]; len(times) != 2 || !times[0].(time.Time).Equal(from) || !times[1].(time.Time).Equal(from.Add(time.Hour)) {
			t.Fatalf("$filter %q has the time window %v", filter, times)
		}
		if headerName == "" {
			return
		}
		h, err := oquery.ParseFilter(q.Get("filterCustomHeaderProperties"))
		if err != nil {
			t.Fatalf("filterCustomHeaderProperties %q does not parse: %v", q.Get("filterCustomHeaderProperties"), err)
		}
		c, ok := h.(*oquery.Compare)
		if !ok {
			t.Fatalf("filterCustomHeaderProperties %q is not one comparison", q.Get("filterCustomHeaderProperties"))
		}
		l, lok := c.Left.(*oquery.Literal)
		r, rok := c.Right.(*oquery.Literal)
		if !lok || !rok || l.Value != headerName || r.Value != headerValue {
			t.Fatalf("filterCustomHeaderProperties %q reads back as %v eq %v", q.Get("filterCustomHeaderProperties"), c.Left, c.Right)
		}
	})
}

var longDigits = regexp.MustCompile(`[0-9]{4,}`)

// FuzzSignature: a signature is bounded, valid UTF-8 for valid input, keeps no number of four or more
// digits, and does not depend on an id-like number between spaces.
func FuzzSignature(f *testing.F) {
	for _, s := range []string{
		"com.sap.it.rt.adapter.http.api.exception.HttpResponseException: HTTP operation failed invoking https://a.example.com/x/1?id=9 with statusCode: 500",
		"Cannot create target element /ns0:Order/Record[17]/Name (MessageId=AGk_xKgivsDaGSUpuvz-eEFzhKZO)",
		"java.net.SocketTimeoutException: Read timed out after 60000 ms at 2026-11-20T11:59:59.123Z from s4hana-prd.example.com:443",
		"token 0xDEADBEEF42 from ops@simcorp.example; /Date(1700000000000)/; 0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
		strings.Repeat("é1", 400), "", "\xff\xfe", "status 404 code=500 HTTP 302",
	} {
		f.Add(s, "")
	}
	f.Add("Document", "is locked")
	f.Fuzz(func(t *testing.T, text, suffix string) {
		sig := Signature(text)
		if n := utf8.RuneCountInString(sig); n > maxSignatureRunes+1 {
			t.Fatalf("signature of %d runes", n)
		}
		if utf8.ValidString(text) && !utf8.ValidString(sig) {
			t.Fatalf("signature %q of valid text is not valid UTF-8", sig)
		}
		if m := longDigits.FindString(sig); m != "" {
			t.Fatalf("signature %q of %q keeps the number %s", sig, text, m)
		}
		id := SignatureID(sig)
		if len(id) != 10 || strings.Trim(id, "0123456789abcdef") != "" || id != SignatureID(sig) {
			t.Fatalf("signature id %q", id)
		}
		a, b := Signature(text+" 123456 "+suffix), Signature(text+" 987654 "+suffix)
		if a != b {
			t.Fatalf("an id-like number changes the signature:\n  %q\n  %q", a, b)
		}
	})
}

// FuzzCleanErrorText: an error text from the tenant becomes non-empty, trimmed, valid UTF-8 of bounded
// length.
func FuzzCleanErrorText(f *testing.F) {
	for _, s := range []string{"", "  ", "boom\n\tat x", "\xff\xfeA", strings.Repeat("é", 5000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := cleanErrorText(body)
		if s == "" || !utf8.ValidString(s) || strings.TrimSpace(s) != s && !strings.HasSuffix(s, "…") {
			t.Fatalf("error text %q", s)
		}
		if n := utf8.RuneCountInString(s); n > maxErrorTextRunes+1 {
			t.Fatalf("error text of %d runes", n)
		}
	})
}

// FuzzLinkShapes: a monitor link whose shape was decided for one message id is taken or refused for
// another exactly as odata.WebLink takes or refuses it, with the id found where strings.Index finds it.
func FuzzLinkShapes(f *testing.F) {
	for _, s := range [][4]string{
		{"https://tenant.example/itspaces/shell/monitoring/Messages/%7B%22identifier%22%3A%22", "AGk_xKgivsDaGSUpuvz-eEFzhKZO", "AGk_xKgivsDaGSUpuvz-eEFzhKZP", "%22%7D"},
		{"https://tenant.example/x/", "ab", "cd", ""},
		{"https://", "host", "h_st", "/x"},
		{"https://h/a%", "4A", "zz", ""},
		{"https://h/a%4", "1", "z", ""},
		{"javascript://h/", "a", "b", ""},
		{"https://user@h/", "a", "b", ""},
		{"https://h/", "a", "b\n", ""},
		{" https://h/", "a", "b", " "},
		{"https://h?q/", "a", "b", "#f"},
		{"https:/x://h/", "a", "b", ""},
		{"", "https", "javascript", "://h/x"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, head, g1, g2, tail string) {
		ls := linkShapes{}
		for _, g := range []string{g1, g2, g1} {
			s := head + g + tail
			link, at := ls.webLink(s, g)
			want, wantAt := odata.WebLink(s), -1
			if g != "" && want != "" {
				wantAt = strings.Index(want, g)
			}
			if link != want || at != wantAt {
				t.Fatalf("%q with id %q: %q at %d, want %q at %d", s, g, link, at, want, wantAt)
			}
		}
	})
}
