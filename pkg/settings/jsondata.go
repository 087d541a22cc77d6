package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// rawJSONData mirrors the jsonData keys (see the table in docs/architecture.md). Numbers and booleans
// also accept strings because provisioning files with environment-variable interpolation produce them;
// they are decoded one by one in decodeJSONData so that an error can name the key.
type rawJSONData struct {
	APIURL                string     `json:"apiUrl"`
	Environment           string     `json:"environment"`
	TenantLabel           string     `json:"tenantLabel"`
	AuthType              string     `json:"authType"`
	TokenURL              string     `json:"tokenUrl"`
	ClientID              string     `json:"clientId"`
	BasicUser             string     `json:"basicUser"`
	CalmAPIURL            string     `json:"calmApiUrl"`
	CalmTokenURL          string     `json:"calmTokenUrl"`
	CalmClientID          string     `json:"calmClientId"`
	AuditLogURL           string     `json:"auditLogUrl"`
	AuditLogTokenURL      string     `json:"auditLogTokenUrl"`
	AuditLogClientID      string     `json:"auditLogClientId"`
	TLSSkipVerify         flexBool   `json:"-"`
	TLSAuthWithCACert     flexBool   `json:"-"`
	CalmTLSSkipVerify     flexBool   `json:"-"`
	AuditLogTLSSkipVerify flexBool   `json:"-"`
	TimeoutSeconds        flexNumber `json:"-"`
	MaxConcurrentRequests flexNumber `json:"-"`
}

// decodeJSONData decodes jsonData; an empty or null document means "nothing set".
func decodeJSONData(data []byte) (rawJSONData, error) {
	var jd rawJSONData
	if trimmed := strings.TrimSpace(string(data)); trimmed == "" || trimmed == "null" {
		return jd, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return jd, jsonDataError(err)
	}
	if err := json.Unmarshal(data, &jd); err != nil {
		return jd, jsonDataError(err)
	}
	flex := []struct {
		key string
		dst json.Unmarshaler
	}{
		{"tlsSkipVerify", &jd.TLSSkipVerify},
		{"tlsAuthWithCACert", &jd.TLSAuthWithCACert},
		{"calmTlsSkipVerify", &jd.CalmTLSSkipVerify},
		{"auditLogTlsSkipVerify", &jd.AuditLogTLSSkipVerify},
		{"timeoutSeconds", &jd.TimeoutSeconds},
		{"maxConcurrentRequests", &jd.MaxConcurrentRequests},
	}
	for _, f := range flex {
		if raw, ok := fields[f.key]; ok {
			if err := f.dst.UnmarshalJSON(raw); err != nil {
				return jd, fmt.Errorf("The data source setting %q %w: correct it in the data source settings or the provisioning file.", f.key, err)
			}
		}
	}
	return jd, nil
}

// flexBool accepts true/false, "true"/"false" (any case), "" and null.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
		*b = false
	case bool:
		*b = flexBool(t)
	case string:
		if strings.TrimSpace(t) == "" {
			*b = false
			return nil
		}
		p, err := strconv.ParseBool(strings.TrimSpace(t))
		if err != nil {
			return errors.New("must be true or false")
		}
		*b = flexBool(p)
	default:
		return errors.New("must be true or false")
	}
	return nil
}

// flexNumber accepts a number, a numeric string, "" and null; zero means "not set".
type flexNumber float64

func (n *flexNumber) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
		*n = 0
	case float64:
		*n = flexNumber(t)
	case string:
		if strings.TrimSpace(t) == "" {
			*n = 0
			return nil
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.New("must be a number")
		}
		*n = flexNumber(f)
	default:
		return errors.New("must be a number")
	}
	return nil
}
