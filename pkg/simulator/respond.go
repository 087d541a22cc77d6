package simulator

import (
	"net/http"
	"strconv"
	"strings"
)

// wantsJSON implements the CPI negotiation: JSON with $format=json or an Accept header naming
// application/json; otherwise Atom XML (SAP's default, and what SecurityContent answers without Accept).
func wantsJSON(r *http.Request) bool {
	switch strings.ToLower(r.URL.Query().Get("$format")) {
	case "json":
		return true
	case "xml", "atom":
		return false
	}
	return strings.Contains(strings.ToLower(r.Header.Get("Accept")), "application/json")
}

// serviceRoot is the absolute /api/v1 URL as the client addressed it (used in __metadata and links).
func serviceRoot(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + "/api/v1"
}

// writeODataError writes {"error":{"code","message":{"lang","value"}}} (or the XML form when the client
// did not ask for JSON), the body SAP's OData services send with 4xx/5xx.
func writeODataError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	msg += echoed(r)
	if wantsJSON(r) {
		b := make([]byte, 0, 128+len(msg))
		b = append(b, `{"error":{"code":`...)
		b = appendJSONString(b, code)
		b = append(b, `,"message":{"lang":"en","value":`...)
		b = appendJSONString(b, msg)
		b = append(b, "}}}"...)
		writeBody(w, status, "application/json;charset=utf-8", b)
		return
	}
	b := []byte(`<?xml version="1.0" encoding="utf-8"?><error xmlns="` + nsM + `"><code>`)
	b = appendXMLText(b, code)
	b = append(b, `</code><message xml:lang="en">`...)
	b = appendXMLText(b, msg)
	b = append(b, "</message></error>"...)
	writeBody(w, status, "application/xml;charset=utf-8", b)
}

func writeBody(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) //nolint:gosec // JSON/XML/text bodies with their own content type, never HTML built from input
}

// loginPage imitates the SAP ID service / IAS logon page a browser-oriented URL (or a misconfigured
// API URL) answers with: status 200 and HTML, which clients must not take for data.
const loginPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log On</title>
<script>document.cookie = "fragmentAfterLogin=" + encodeURIComponent(location.hash) + ";path=/";</script>
</head>
<body class="sapUiBody">
<div id="logOnForm">
<h1>SAP Cloud Integration (simulated)</h1>
<form id="logOnForm" method="post" action="/saml2/idp/sso">
<label for="j_username">Email or User Name</label><input id="j_username" name="j_username" type="text">
<label for="j_password">Password</label><input id="j_password" name="j_password" type="password">
<button type="submit" id="logOnFormSubmit">Log On</button>
</form>
<p>This is the simulated tenant. The OData API is under <code>/api/v1</code>; tokens come from <code>/oauth/token</code>.</p>
</div>
</body></html>
`

func writeLoginPage(w http.ResponseWriter, status int) {
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	writeBody(w, status, "text/html;charset=utf-8", []byte(loginPage))
}
