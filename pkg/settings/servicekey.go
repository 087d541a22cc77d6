package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ServiceKey holds what a BTP service key of Process Integration Runtime (plan api) contributes to the
// settings. URLs are already normalised (NormalizeAPIURL / NormalizeTokenURL); PEM values have real
// newlines.
type ServiceKey struct {
	AuthType          AuthType
	APIURL            string
	TokenURL          string
	ClientID          string
	ClientSecret      string
	ClientCertificate string
	ClientKey         string
}

// serviceKeyFields are the CPI service-key fields we read; SAP documents them flat, real keys nest
// them under "oauth".
var serviceKeyFields = []string{"clientid", "clientsecret", "url", "tokenurl", "certificate", "key"}

// ParseServiceKey parses a pasted BTP service key. It accepts the fields flat or nested under "oauth"
// (nested values win), the ClientId/Secret type (clientsecret) and the SAP-generated Certificate type
// (certificate + key). Every error says what to paste instead and never contains a value from the key,
// because the key holds a secret.
func ParseServiceKey(text string) (ServiceKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return ServiceKey{}, errors.New("Paste the service key JSON: the whole {…} shown under Service Keys of your " +
			"Process Integration Runtime instance (plan api) in the BTP cockpit.")
	}
	var doc any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		// Only the position is reported: json error texts quote characters of the input, which may be
		// part of the secret.
		var syn *json.SyntaxError
		where := ""
		if errors.As(err, &syn) {
			where = fmt.Sprintf(" (problem at character %d)", syn.Offset)
		}
		return ServiceKey{}, fmt.Errorf("The service key is not valid JSON%s: paste the whole key exactly as shown in the "+
			"BTP cockpit, including the outer braces { }.", where)
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return ServiceKey{}, errors.New("The service key must be a JSON object ({ \"oauth\": { \"clientid\": …, \"url\": … } }): " +
			"paste the whole key as shown in the BTP cockpit.")
	}
	nested, _ := top["oauth"].(map[string]any)

	fields := make(map[string]string, len(serviceKeyFields))
	for _, name := range serviceKeyFields {
		v, err := keyField(nested, top, name)
		if err != nil {
			return ServiceKey{}, err
		}
		fields[name] = v
	}

	// Keys of other services (Cloud ALM, audit log retrieval, …) carry their OAuth client in a "uaa"
	// section; they would otherwise fail later with a confusing "no tokenurl".
	if _, hasUAA := top["uaa"].(map[string]any); hasUAA && fields["clientid"] == "" && fields["tokenurl"] == "" {
		return ServiceKey{}, errors.New("This is not a Process Integration Runtime key (it has a \"uaa\" section, like keys " +
			"of Cloud ALM or the audit log service): create a service key of Process Integration Runtime, plan api, and paste that.")
	}

	if fields["url"] == "" {
		return ServiceKey{}, errors.New("The service key has no \"url\" (the tenant API URL): paste the whole key of a " +
			"Process Integration Runtime instance, plan api.")
	}
	if u, err := url.Parse(fields["url"]); err == nil && strings.Contains(strings.ToLower(u.Hostname()), "-rt.") {
		return ServiceKey{}, errors.New("This is a service key of plan integration-flow (its url is the runtime host " +
			"with -rt, used to call iFlow endpoints). Monitoring needs the API: create a Process Integration Runtime " +
			"instance of plan api (role MonitoringDataRead) and paste its service key.")
	}
	apiURL, err := NormalizeAPIURL(fields["url"])
	if err != nil {
		return ServiceKey{}, fmt.Errorf("The service key field \"url\" is unusable: %w", err)
	}
	if fields["tokenurl"] == "" {
		return ServiceKey{}, errors.New("The service key has no \"tokenurl\": paste the whole key of a Process Integration " +
			"Runtime instance, plan api (grant type Client Credentials).")
	}
	tokenURL, err := NormalizeTokenURL(fields["tokenurl"])
	if err != nil {
		return ServiceKey{}, fmt.Errorf("The service key field \"tokenurl\" is unusable: %w", err)
	}
	if fields["clientid"] == "" {
		return ServiceKey{}, errors.New("The service key has no \"clientid\": paste the whole key of a Process Integration " +
			"Runtime instance, plan api (grant type Client Credentials).")
	}

	key := ServiceKey{
		APIURL:            apiURL,
		TokenURL:          tokenURL,
		ClientID:          fields["clientid"],
		ClientSecret:      fields["clientsecret"],
		ClientCertificate: unescapeNewlines(fields["certificate"]),
		ClientKey:         unescapeNewlines(fields["key"]),
	}
	switch {
	case key.ClientSecret != "":
		key.AuthType = AuthOAuth2ClientCredentials
	case key.ClientCertificate != "" && key.ClientKey != "":
		key.AuthType = AuthOAuth2Certificate
	case key.ClientCertificate != "":
		return ServiceKey{}, errors.New("The service key has a \"certificate\" but no private key (\"key\"): it is an " +
			"External Certificate key. Paste the certificate and its private key into Client certificate and Client key " +
			"yourself, or create a service key of type Certificate or ClientId/Secret.")
	default:
		return ServiceKey{}, errors.New("The service key has neither \"clientsecret\" nor \"certificate\": create a service " +
			"key of type ClientId/Secret or Certificate and paste the whole key.")
	}
	return key, nil
}

// keyField reads one string field, nested "oauth" first, then the top level. A non-string value is an
// error naming only the field, never the value.
func keyField(nested, top map[string]any, name string) (string, error) {
	for _, m := range []map[string]any{nested, top} {
		raw, ok := m[name] // reading a nil map is fine
		if !ok || raw == nil {
			continue
		}
		s, ok := raw.(string)
		if !ok {
			return "", fmt.Errorf("The service key field %q must be text (a JSON string): paste the key exactly as "+
				"shown in the BTP cockpit.", name)
		}
		// The value is returned untouched (a PEM keeps its final newline, a secret its exact bytes);
		// only the emptiness test ignores blanks.
		if strings.TrimSpace(s) != "" {
			return s, nil
		}
	}
	return "", nil
}

// unescapeNewlines turns literal backslash-n sequences into line breaks. JSON decoding already does this
// for "\n" escapes; this covers a certificate or key that was copied out of the JSON text by hand
// (so it still reads -----BEGIN…-----\nMIIB…). PEM never contains a backslash otherwise.
func unescapeNewlines(pem string) string {
	if !strings.Contains(pem, `\`) {
		return pem
	}
	pem = strings.ReplaceAll(pem, `\r\n`, "\n")
	pem = strings.ReplaceAll(pem, `\n`, "\n")
	return pem
}
