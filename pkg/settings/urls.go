package settings

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// apiSuffix is the OData service root path below the tenant host (or custom-domain prefix).
const apiSuffix = "/api/v1"

// defaultTokenPath is the XSUAA token path; a token URL given as a bare host gets it appended.
const defaultTokenPath = "/oauth/token" //nolint:gosec // a URL path, not a credential

// parseHTTPURL does the checks shared by the API and the token URL. what is the UI name of the field
// ("API URL", "Token URL") and example a correct value, both used in the messages. The raw value is
// deliberately never echoed: a pasted URL may carry credentials (user:password@host).
func parseHTTPURL(raw, what, example string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%s is empty: enter it like %s", what, example)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid URL: enter it like %s", what, example)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
	case "":
		return nil, fmt.Errorf("%s has no scheme: it must start with https://, e.g. %s", what, example)
	default:
		// The scheme is short and never secret, so naming it helps the user see the typo.
		return nil, fmt.Errorf("%s must start with https:// (got %q), e.g. %s", what, u.Scheme+"://", example)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s must not contain a user name or password (user@host): enter the credentials in the authentication fields instead", what)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%s has no host name: enter it like %s", what, example)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, fmt.Errorf("%s must not contain a query (the part from \"?\"): remove it, e.g. %s", what, example)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%s must not contain a fragment (the part from \"#\"): remove it, e.g. %s", what, example)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	// Host names are case-insensitive; lower case keeps comparisons (host guard, tenant label) simple.
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// cleanPath collapses duplicate slashes and drops a trailing slash; "/" and "" become "".
func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	p = path.Clean("/" + p)
	if p == "/" {
		return ""
	}
	return p
}

// NormalizeAPIURL turns what a user pastes as the tenant API URL into the base URL the client appends
// "/api/v1" to: "https://host", "https://host/", "https://host/api/v1" and "https://host/api/v1/" all
// become "https://host"; a custom path prefix is kept ("https://sandbox.api.sap.com/cpi/api/v1" becomes
// "https://sandbox.api.sap.com/cpi"). http:// is accepted because the local simulated tenant uses it.
func NormalizeAPIURL(raw string) (string, error) {
	const example = "https://<subdomain>.it-cpi001.cfapps.eu10.hana.ondemand.com (the \"url\" of a Process Integration Runtime service key, plan api)"
	u, err := parseHTTPURL(raw, "API URL", example)
	if err != nil {
		return "", err
	}
	p := cleanPath(u.Path)
	if strings.HasSuffix(strings.ToLower(p), apiSuffix) {
		p = p[:len(p)-len(apiSuffix)]
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}
	return out.String(), nil
}

// NormalizeTokenURL accepts the OAuth token URL. A bare host (no path, or "/") gets "/oauth/token"
// appended, the XSUAA path of Cloud Foundry service keys; any other path is kept because Neo uses
// "/oauth2/api/v1/token".
func NormalizeTokenURL(raw string) (string, error) {
	const example = "https://<subdomain>.authentication.eu10.hana.ondemand.com/oauth/token (the \"tokenurl\" of the service key)"
	u, err := parseHTTPURL(raw, "Token URL", example)
	if err != nil {
		if strings.Contains(err.Error(), "query") {
			// People copy the token call from SAP's docs including "?grant_type=client_credentials".
			return "", fmt.Errorf("%w; the plugin sends grant_type itself", err)
		}
		return "", err
	}
	p := cleanPath(u.Path)
	if p == "" {
		p = defaultTokenPath
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}
	return out.String(), nil
}

// HostHint returns a warning when the API URL points to a host that is reachable but is not the
// tenant API: the runtime host of plan integration-flow ("-rt." in the host) or the Integration Suite
// web UI. It returns "" when nothing looks wrong (including when the URL cannot be parsed: Validate
// reports that). This is a hint for the health check and the editor, not a validation error.
func HostHint(apiBaseURL string) string {
	u, err := url.Parse(strings.TrimSpace(apiBaseURL))
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	p := strings.ToLower(u.Path)
	switch {
	case host == "":
		return ""
	case strings.Contains(host, "-rt."):
		return "This is the runtime host of plan integration-flow (it serves iFlow endpoints, not the API); " +
			"use the `url` of a service key of plan api (the host without -rt)."
	case strings.Contains(host, "integrationsuite") || strings.Contains(p, "/shell") || strings.Contains(p, "/itspaces"):
		return "This is the address of the Integration Suite web UI, not the API; use the `url` of a service key of " +
			"Process Integration Runtime plan api (a host like <subdomain>.it-cpi001.cfapps.<region>.hana.ondemand.com); " +
			"on Neo, use the tenant's -tmn host without /itspaces/shell/…."
	}
	return ""
}
