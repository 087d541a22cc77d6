package simulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

type tokenInfo struct {
	client  string
	roles   []string
	expires time.Time
	seq     uint64
}

// principal is the authenticated caller of an API request.
type principal struct {
	name  string
	roles []string
}

func (p principal) has(role string) bool { return role == "" || slices.Contains(p.roles, role) }

func secretEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func findClient(list []Client, id, secret string) (Client, bool) {
	for _, c := range list {
		if c.ID == id && secretEqual(c.Secret, secret) {
			return c, true
		}
	}
	return Client{}, false
}

// writeOAuthError answers like XSUAA: a small JSON object with error and error_description.
func writeOAuthError(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
	desc += echoed(r)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="UAA/client", error="`+code+`", error_description="`+desc+`"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

// serveToken is POST /oauth/token with grant_type=client_credentials. The client authenticates with
// HTTP Basic or with form fields client_id/client_secret (SAP's Postman collections use the latter);
// with a TLS client certificate the form client_id alone is enough (service keys of type Certificate).
func (t *Tenant) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "Request method '"+r.Method+"' not supported")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, r, http.StatusBadRequest, "invalid_request", "Malformed request body")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic && strings.EqualFold(r.Header.Get("X-CF-ENCODED-CREDENTIALS"), "true") {
		// RFC 6749 §2.3.1 clients form-encode ID and secret inside the Basic header; XSUAA decodes them
		// only when told so by this header (client IDs like "sb-x!b1|it!b2" contain reserved characters).
		var idErr, secretErr error
		id, idErr = url.QueryUnescape(id)
		secret, secretErr = url.QueryUnescape(secret)
		if idErr != nil || secretErr != nil {
			writeOAuthError(w, r, http.StatusUnauthorized, "invalid_client", "Bad credentials")
			return
		}
	}
	if !basic {
		id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	}
	var c Client
	var ok bool
	if !basic && secret == "" && id != "" && r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		for _, cand := range t.cfg.Clients {
			if cand.ID == id {
				c, ok = cand, true
			}
		}
	} else {
		c, ok = findClient(t.cfg.Clients, id, secret)
	}
	if !ok {
		writeOAuthError(w, r, http.StatusUnauthorized, "invalid_client", "Bad credentials")
		return
	}
	grant := r.Form.Get("grant_type")
	if grant != "client_credentials" {
		if grant == "" {
			writeOAuthError(w, r, http.StatusBadRequest, "invalid_request", "Missing grant type")
			return
		}
		writeOAuthError(w, r, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+grant)
		return
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := "sim." + hex.EncodeToString(b[:])
	now := t.now()
	t.mu.Lock()
	t.tokenSeq++
	t.tokens[tok] = tokenInfo{client: c.ID, roles: slices.Clone(c.Roles), expires: now.Add(t.cfg.TokenLifetime), seq: t.tokenSeq}
	// Forget long-expired tokens so a long-running simulator does not grow without bound.
	if len(t.tokens) > 10000 {
		for k, v := range t.tokens {
			if now.After(v.expires) || v.seq <= t.validAfter {
				delete(t.tokens, k)
			}
		}
	}
	t.mu.Unlock()
	scopes := make([]string, 0, len(c.Roles))
	for _, role := range c.Roles {
		scopes = append(scopes, "it!b1234."+role)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   int(t.cfg.TokenLifetime/time.Second) - 1,
		"scope":        strings.Join(scopes, " "),
		"jti":          hex.EncodeToString(b[:8]),
	})
}

// expireTokens invalidates every token issued so far.
func (t *Tenant) expireTokens() {
	t.mu.Lock()
	t.validAfter = t.tokenSeq
	t.mu.Unlock()
}

// authenticate checks the Authorization header of an API request: a Bearer token from /oauth/token or
// Basic credentials of a configured user. ok is false when the caller is not authenticated.
func (t *Tenant) authenticate(r *http.Request) (principal, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		tok := strings.TrimSpace(h[7:])
		t.mu.Lock()
		info, ok := t.tokens[tok]
		valid := ok && info.seq > t.validAfter && t.now().Before(info.expires)
		t.mu.Unlock()
		if !valid {
			return principal{}, false
		}
		return principal{name: info.client, roles: info.roles}, true
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if u, ok := findClient(t.cfg.BasicUsers, user, pass); ok {
			return principal{name: u.ID, roles: u.Roles}, true
		}
	}
	return principal{}, false
}

// writeUnauthorized answers 401 the way the CPI API does: no OData body, a WWW-Authenticate challenge.
func writeUnauthorized(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="SAP Cloud Integration", error="invalid_token"`)
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("Unauthorized" + echoed(r)))
}
