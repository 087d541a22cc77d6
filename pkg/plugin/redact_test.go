package plugin

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/simulator"
)

// Texts a handler builds from a server's answer leave the plugin without any form of the instance's
// credentials: the query error, frame notices and resource bodies.
func TestRedactionOfWhatLeaves(t *testing.T) {
	const auditSecret = "audit-secret+/=$42"
	d := newInstance(t, map[string]any{"auditLogUrl": "https://audit.example", "auditLogTokenUrl": "https://audit.example/oauth/token", "auditLogClientId": "al-client!b1"},
		map[string]string{"clientSecret": simulator.DefaultClientSecret, "auditLogClientSecret": auditSecret})
	// Written out by hand: base64("sim-client:sim-secret") and base64(urlencode("al-client!b1") ":" urlencode(auditSecret)).
	tenantHeader := "c2ltLWNsaWVudDpzaW0tc2VjcmV0"
	auditHeader := base64.StdEncoding.EncodeToString([]byte("al-client%21b1:" + url.QueryEscape(auditSecret)))
	leak := "token endpoint said: Basic " + tenantHeader + " / " + auditHeader + " / " + auditSecret + " / " + url.QueryEscape(auditSecret)

	frame := data.NewFrame("x")
	frame.Meta = &data.FrameMeta{Notices: []data.Notice{{Text: leak}}}
	resp := d.redactResponse(backend.DataResponse{Error: errors.New(leak), Frames: data.Frames{frame}, Status: backend.StatusBadGateway})
	var got []string
	got = append(got, resp.Error.Error(), resp.Frames[0].Meta.Notices[0].Text)

	var sent *backend.CallResourceResponse
	sender := redactingSender{d: d, next: backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error { sent = r; return nil })}
	if err := sender.Send(&backend.CallResourceResponse{Status: 502, Body: []byte(`{"error":"` + leak + `"}`)}); err != nil {
		t.Fatal(err)
	}
	got = append(got, string(sent.Body))

	for _, text := range got {
		for _, secret := range []string{tenantHeader, auditHeader, auditSecret, url.QueryEscape(auditSecret), simulator.DefaultClientSecret} {
			if strings.Contains(text, secret) {
				t.Errorf("%q leaks %q", text, secret)
			}
		}
		if !strings.Contains(text, "token endpoint said") {
			t.Errorf("the rest of the text was lost: %q", text)
		}
	}
	if cause := errors.Unwrap(resp.Error); cause == nil || cause.Error() != leak || resp.Status != backend.StatusBadGateway {
		t.Errorf("the redacted error lost its cause or status: %v", resp)
	}
}
