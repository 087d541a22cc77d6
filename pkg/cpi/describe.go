package cpi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// DefaultRole is the role template that covers everything the monitoring queries read.
const DefaultRole = "MonitoringDataRead"

// planAPIHint is the one sentence every "wrong host" message ends with.
const planAPIHint = "Use the url of a Process Integration Runtime service key of plan api (e.g. https://<subaccount>.it-cpi<NNN>.cfapps.<region>.hana.ondemand.com)."

// describer turns raw failures into *Error values with actionable messages. It knows the configuration
// (auth type, hosts, timeout) because the right advice depends on it.
type describer struct {
	auth        settings.AuthType
	apiHost     string
	tokenHost   string
	serviceRoot string
	tokenURL    string
	basicUser   string
	timeout     time.Duration
	red         *redactor
}

func (d *describer) finish(e *Error) *Error {
	e.Message = d.red.clean(e.Message)
	e.Detail = d.red.clean(e.Detail)
	return e
}

// endpoint says which configured URL a host belongs to, for "check the … URL" advice.
func (d *describer) endpoint(host string) string {
	if host == d.tokenHost && host != d.apiHost {
		return "token URL"
	}
	return "API URL"
}

// clientCertOn reports whether the plugin presents a client certificate to host.
func (d *describer) clientCertOn(host string) bool {
	switch d.auth {
	case settings.AuthClientCertificate:
		return host == d.apiHost
	case settings.AuthOAuth2Certificate:
		return host == d.tokenHost
	}
	return false
}

// transportError classifies an error from http.Client.Do or from reading a body.
func (d *describer) transportError(host string, err error) *Error {
	if e, ok := AsError(err); ok {
		return e
	}
	e := &Error{Host: host, Err: err}
	var (
		dnsErr      *net.DNSError
		unknownCA   x509.UnknownAuthorityError
		hostnameErr x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		verifyErr   *tls.CertificateVerificationError
		recordErr   tls.RecordHeaderError
		netErr      net.Error
	)
	where := d.endpoint(host)
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind = KindCanceled
		e.Message = fmt.Sprintf("The request to %s was cancelled.", host)
	case errors.As(err, &dnsErr):
		e.Kind = KindDNS
		e.Message = fmt.Sprintf("Cannot resolve the host name %s: check the %s for typos and that the Grafana server can resolve public DNS names (DNS, proxy, firewall).", host, where)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind = KindConnectionRefused
		e.Message = fmt.Sprintf("%s refused the connection: check the host and port of the %s and that no firewall or proxy blocks the Grafana server.", host, where)
	case errors.As(err, &unknownCA):
		e.Kind = KindTLSUnknownAuthority
		e.Message = fmt.Sprintf("The TLS certificate of %s is signed by an unknown authority: add the issuing CA as custom CA certificate in the TLS settings (or skip TLS verification, for tests only).", host)
	case errors.As(err, &hostnameErr):
		e.Kind = KindTLSOther
		e.Message = fmt.Sprintf("The TLS certificate of %s is not valid for this host name: check the %s.", host, where)
		e.Detail = hostnameErr.Error()
	case errors.As(err, &invalidErr):
		e.Kind = KindTLSOther
		e.Message = fmt.Sprintf("The TLS certificate of %s is not valid (expired or not usable for a server).", host)
		e.Detail = invalidErr.Error()
	case errors.As(err, &verifyErr):
		e.Kind = KindTLSOther
		e.Message = fmt.Sprintf("The TLS certificate of %s could not be verified.", host)
		e.Detail = verifyErr.Err.Error()
	case errors.As(err, &recordErr):
		e.Kind = KindTLSOther
		e.Message = fmt.Sprintf("%s does not speak TLS on this port: check that the %s uses the right scheme (https) and port.", host, where)
	case isTimeout(err):
		e.Kind = KindTimeout
		e.Message = fmt.Sprintf("No answer from %s within %s: the tenant or the network is slow or blocked; raise the timeout in the data source settings or narrow the query's time range.", host, fmtDuration(d.timeout))
	case strings.Contains(err.Error(), "remote error: tls:"):
		e.Kind = KindTLSOther
		alert := err.Error()[strings.Index(err.Error(), "remote error: tls:")+len("remote error: "):]
		if d.clientCertOn(host) {
			e.Message = fmt.Sprintf("%s rejected the TLS client certificate: check that certificate and key belong together, are not expired, and that the chain contains a root CA that SAP's load balancer accepts.", host)
		} else {
			e.Message = fmt.Sprintf("The TLS handshake with %s failed; if the host requires a client certificate, choose the authentication 'OAuth2 with X.509 certificate' or 'Client certificate'.", host)
		}
		e.Detail = alert
	case errors.Is(err, io.ErrUnexpectedEOF):
		e.Kind = KindMalformedResponse
		e.Message = fmt.Sprintf("The response from %s was cut off before it was complete; try again, and narrow the query if it keeps happening.", host)
	case errors.As(err, &netErr) || errors.Is(err, io.EOF):
		e.Kind = KindNetwork
		e.Message = fmt.Sprintf("Cannot reach %s: the connection failed; check the %s, proxy and firewall.", host, where)
		e.Detail = innermost(err)
	default:
		e.Kind = KindNetwork
		e.Message = fmt.Sprintf("The request to %s failed.", host)
		e.Detail = innermost(err)
	}
	return d.finish(e)
}

// isTimeout covers http.Client.Timeout, dial and TLS handshake timeouts and an expired caller deadline.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// innermost strips the url.Error wrapper ("Get \"https://…\": …") so details stay short.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func fmtDuration(d time.Duration) string {
	if d <= 0 {
		return "the timeout"
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	return d.String()
}

// LoginPageMessage explains an HTML page received from host where the OData API was expected. The host
// name usually tells which wrong URL was configured.
func LoginPageMessage(host string) string {
	return fmt.Sprintf("%s answered with an HTML page (probably a login page) instead of JSON: %s", host, loginPageAdvice(host))
}

func loginPageAdvice(host string) string {
	h := strings.ToLower(host)
	switch {
	case strings.Contains(h, "integrationsuite"):
		return "this is the Integration Suite UI host, not the API host. " + planAPIHint
	case strings.Contains(h, "-rt."):
		return "this is the runtime host of plan integration-flow (iFlow endpoints), not the API host. " + planAPIHint
	default:
		return "the URL is not the Cloud Integration API host. " + planAPIHint
	}
}

// looksLikeHTML reports whether a response is an HTML page (login page, UI shell, proxy error page).
func looksLikeHTML(h http.Header, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	b = bytes.ToLower(b[:min(len(b), len("<!doctype html"))]) // the start only: pages of rows are megabytes
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}

// statusError describes a non-2xx API answer (or a 2xx HTML page). attempts is how many tries were made.
func (d *describer) statusError(u *url.URL, resp *http.Response, body []byte, role string, attempts int) *Error {
	host := odata.HostPort(u.String())
	status := resp.StatusCode
	e := &Error{Host: host, Status: status}
	if oe := odata.ParseError(status, body); oe != nil {
		e.Err = oe
		e.Detail = d.red.excerpt(odataDetail(oe), maxServerText)
	}
	switch {
	case status >= 200 && status < 300:
		e.Kind = KindLoginPage
		e.Message = LoginPageMessage(host)
	case status >= 300 && status < 400:
		// Only redirects to another host end up here (same-host ones are followed): a sign-in redirect.
		e.Kind = KindLoginPage
		target := "another host"
		if loc, err := u.Parse(resp.Header.Get("Location")); err == nil && loc.Host != "" {
			target = odata.HostPort(loc.String())
		}
		e.Message = fmt.Sprintf("%s redirected to %s (probably a login page) instead of answering with JSON, and the redirect was not followed: %s", host, target, loginPageAdvice(host))
	case status == http.StatusUnauthorized:
		e.Kind = KindUnauthorized
		e.Message = d.unauthorizedMessage(host)
	case status == http.StatusForbidden:
		e.Kind = KindForbidden
		e.Message = d.forbiddenMessage(host, role)
	case status == http.StatusNotFound:
		if e.Err != nil {
			e.Kind = KindEntityNotFound
			e.Message = fmt.Sprintf("%s answered 404 Not Found for %s: the requested object does not exist (for a runtime artifact: it is not deployed).", host, entitySet(u, d.serviceRoot))
		} else {
			e.Kind = KindNotFound
			e.Message = fmt.Sprintf("No Cloud Integration API at %s (HTTP 404 for %s): the API URL is not the API host of a Cloud Integration tenant. %s", d.serviceRoot, entitySet(u, d.serviceRoot), planAPIHint)
		}
	case status == http.StatusBadRequest:
		e.Kind = KindBadRequest
		e.Message = fmt.Sprintf("%s rejected the request (HTTP 400): this tenant does not support the query options used for %s.", host, entitySet(u, d.serviceRoot))
	case status == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.Message = fmt.Sprintf("%s is rate limiting the requests (HTTP 429, still after %s): SAP allows %s per user for %s; reduce the number of queries or the refresh rate, or lower the maximum concurrent requests.",
			host, attemptsText(attempts), areaOf(u, d.serviceRoot).limitText(), areaOf(u, d.serviceRoot))
	case status >= 500:
		e.Kind = KindServer
		e.Message = fmt.Sprintf("%s answered HTTP %d (server error) after %s: the tenant has a problem or is overloaded; try again later.", host, status, attemptsText(attempts))
	default:
		e.Kind = KindHTTP
		e.Message = fmt.Sprintf("%s answered HTTP %d (%s) for %s.", host, status, http.StatusText(status), entitySet(u, d.serviceRoot))
	}
	if e.Detail == "" && e.Kind != KindLoginPage && e.Kind != KindNotFound && len(body) > 0 && !looksLikeHTML(resp.Header, body) {
		e.Detail = d.red.excerpt(string(body), maxBodyExcerpt)
	}
	return d.finish(e)
}

func attemptsText(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

func (d *describer) unauthorizedMessage(host string) string {
	switch d.auth {
	case settings.AuthBasic:
		return fmt.Sprintf("%s rejected the user %q and password (HTTP 401): check both; Basic authentication works only for a user of the subaccount's default identity provider.", host, d.basicUser)
	case settings.AuthClientCertificate:
		return fmt.Sprintf("%s did not accept the client certificate (HTTP 401): use the certificate of a service key of plan api (key type External Certificate or Certificate) of this tenant; its chain must contain a root CA that SAP's load balancer accepts.", host)
	default:
		return fmt.Sprintf("%s rejected the access token from %s (HTTP 401, also with a fresh token): the token URL and the API URL must come from the same service key (same subaccount).", host, d.tokenHost)
	}
}

func (d *describer) forbiddenMessage(host, role string) string {
	if role == "" {
		role = DefaultRole
	}
	if d.auth == settings.AuthBasic {
		return fmt.Sprintf("%s denied access (HTTP 403): the user %q is authenticated but lacks the role %s: assign a role collection that contains it; role changes can take up to 1 h.", host, d.basicUser, role)
	}
	return fmt.Sprintf("%s denied access (HTTP 403): the client is authenticated but lacks the role %s (Process Integration Runtime instance, plan api): add the role and create a new service key; role changes can take up to 1 h.", host, role)
}

// tokenError classifies a failure of the OAuth token request.
func (d *describer) tokenError(err error) *Error {
	host := d.tokenHost
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var ue *url.Error
		if _, ok := AsError(err); ok || errors.As(err, &ue) || errors.Is(err, context.Canceled) || isTimeout(err) {
			return d.transportError(host, err)
		}
		// A 2xx answer the oauth2 package could not parse: an HTML page or some other non-token body.
		return d.finish(&Error{Kind: KindTokenURLWrong, Host: host, Err: err,
			Message: d.tokenURLWrongMessage("an HTML page or another body that is not JSON")})
	}
	e := &Error{Host: host, Err: err}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	e.Status = status
	isJSON := odata.LooksLikeJSON(re.Body)
	isHTML := re.Response != nil && looksLikeHTML(re.Response.Header, re.Body)
	if re.ErrorCode != "" {
		e.Detail = re.ErrorCode
		if re.ErrorDescription != "" {
			e.Detail += ": " + re.ErrorDescription
		}
		e.Detail = d.red.excerpt(e.Detail, maxServerText)
	}
	code := strings.ToLower(re.ErrorCode)
	switch {
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		e.Kind = KindTokenURLWrong
		e.Message = d.tokenURLWrongMessage(fmt.Sprintf("HTTP %d", status))
	case status >= 300 && status < 400:
		e.Kind = KindTokenURLWrong
		e.Message = d.tokenURLWrongMessage(fmt.Sprintf("a redirect (HTTP %d)", status))
	case isHTML || (!isJSON && status < 500 && status != http.StatusTooManyRequests):
		e.Kind = KindTokenURLWrong
		e.Message = d.tokenURLWrongMessage(fmt.Sprintf("an HTML page or a non-JSON body (HTTP %d)", status))
		e.Detail = ""
	case status == http.StatusUnauthorized || code == "invalid_client" || code == "unauthorized_client" || code == "unauthorized":
		e.Kind = KindTokenRejected
		if d.auth == settings.AuthOAuth2Certificate {
			e.Message = fmt.Sprintf("The token endpoint %s rejected client ID/certificate: check the clientid, certificate and key of the service key (the certificate may have expired) and that the token URL is the key's tokenurl.", host)
		} else {
			e.Message = fmt.Sprintf("The token endpoint %s rejected client ID/secret: check the clientid and clientsecret of the service key.", host)
		}
	case status == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
		e.Message = fmt.Sprintf("The token endpoint %s is rate limiting the requests (HTTP 429): try again later.", host)
	case status >= 500:
		e.Kind = KindServer
		e.Message = fmt.Sprintf("The token endpoint %s answered HTTP %d (server error): try again later.", host, status)
	default:
		e.Kind = KindToken
		e.Message = fmt.Sprintf("The token endpoint %s refused to issue a token (HTTP %d): check the token URL and client ID of the service key.", host, status)
	}
	return d.finish(e)
}

func (d *describer) tokenURLWrongMessage(what string) string {
	return fmt.Sprintf("The token URL %s answered with %s, not with an OAuth token: the token URL must be the service key's tokenurl, ending in /oauth/token.", d.tokenURL, what)
}

func odataDetail(oe *odata.Error) string {
	switch {
	case oe.Code != "" && oe.Message != "":
		return oe.Code + ": " + oe.Message
	case oe.Message != "":
		return oe.Message
	}
	return oe.Code
}

// What an error repeats of a server's answer: an OData or OAuth error text up to maxServerText bytes, any
// other body up to maxBodyExcerpt (it is rarely meant for people, and may echo the request).
const (
	maxServerText  = 400
	maxBodyExcerpt = 200
)

// entitySet names the first path segment below the service root ("MessageProcessingLogs"), for messages
// and for choosing the rate limiter and role.
func entitySet(u *url.URL, serviceRoot string) string {
	p := u.Path
	if root, err := url.Parse(serviceRoot); err == nil {
		p = strings.TrimPrefix(p, strings.TrimSuffix(root.Path, "/"))
	}
	p = strings.TrimLeft(p, "/")
	if i := strings.IndexAny(p, "/("); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "the service root"
	}
	return p
}
