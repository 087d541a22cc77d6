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
	v, err := decodeFlex(data, strconv.ParseBool, "must be true or false")
	*b = flexBool(v)
	return err
}

// flexNumber accepts a number, a numeric string, "" and null; zero means "not set".
type flexNumber float64

func (n *flexNumber) UnmarshalJSON(data []byte) error {
	v, err := decodeFlex(data, func(s string) (float64, error) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			err = errors.New("not a finite number")
		}
		return f, err
	}, "must be a number")
	*n = flexNumber(v)
	return err
}

// decodeFlex reads a value that provisioning files with environment-variable interpolation may give as a
// string: null and "" are the zero value, a JSON value of type T is taken as is, a string is parsed.
func decodeFlex[T bool | float64](data []byte, parse func(string) (T, error), errText string) (T, error) {
	var zero T
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return zero, err
	}
	switch t := v.(type) {
	case nil:
		return zero, nil
	case T:
		return t, nil
	case string:
		if strings.TrimSpace(t) == "" {
			return zero, nil
		}
		p, err := parse(strings.TrimSpace(t))
		if err != nil {
			return zero, errors.New(errText)
		}
		return p, nil
	}
	return zero, errors.New(errText)
}
