package odata

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
)

// ResolveNext turns a __next link into an absolute URL. SAP sends it absolute or relative to the service
// root (e.g. "MessageProcessingLogs?$skiptoken=1000"). The result must stay on the service root's scheme
// and host (default ports are equivalent), so a link can never carry credentials elsewhere.
func ResolveNext(serviceRoot, next string) (string, error) {
	root, err := url.Parse(strings.TrimSuffix(serviceRoot, "/") + "/")
	if err != nil {
		return "", fmt.Errorf("service root %q: %w", serviceRoot, err)
	}
	// Without a scheme and host there is no origin to stay on: "//host/…" would resolve to any host.
	if root.Scheme == "" || root.Host == "" {
		return "", fmt.Errorf("service root %q is not an absolute URL", serviceRoot)
	}
	ref, err := url.Parse(strings.TrimSpace(next))
	if err != nil {
		return "", fmt.Errorf("next link %q: %w", next, err)
	}
	abs := root.ResolveReference(ref)
	if !SameOrigin(root, abs) {
		return "", fmt.Errorf("next link points to %s, not to the configured API host %s; refusing to follow it", abs.Host, root.Host)
	}
	return abs.String(), nil
}

// SameOrigin reports whether two URLs share scheme, host name and effective port.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// HostPort is a helper for messages: the host of a URL without userinfo.
func HostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	if h, p, err := net.SplitHostPort(u.Host); err == nil && p == effectivePort(&url.URL{Scheme: u.Scheme}) {
		return h
	}
	return u.Host
}

// maxLinkLength bounds a link taken from tenant data; SAP's monitor links are a few hundred characters.
const maxLinkLength = 4096

// WebLink returns s when it is an absolute http(s) URL with a host and without credentials or control
// characters, and "" otherwise. Links a panel opens (AlternateWebLink, endpoint and API definition URLs)
// come from tenant data; a javascript:, data:, relative or user:password@host value must never become a
// clickable link.
func WebLink(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxLinkLength || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return s
	}
	return ""
}
