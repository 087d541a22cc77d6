package odata

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
)

// Error is an OData error body: {"error":{"code":…,"message":{"lang":…,"value":…}}} (or its XML form).
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	switch {
	case e.Code != "" && e.Message != "":
		return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
	case e.Message != "":
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	case e.Code != "":
		return fmt.Sprintf("HTTP %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

type jsonError struct {
	Error *struct {
		Code    string          `json:"code"`
		Message json.RawMessage `json:"message"`
	} `json:"error"`
}

type xmlError struct {
	XMLName xml.Name `xml:"error"`
	Code    string   `xml:"code"`
	Message string   `xml:"message"`
}

// ParseError extracts an OData error from a response body; nil when the body is not an OData error.
func ParseError(status int, body []byte) *Error {
	if LooksLikeJSON(body) {
		var j jsonError
		if json.Unmarshal(body, &j) != nil || j.Error == nil {
			return nil
		}
		return &Error{Status: status, Code: j.Error.Code, Message: errorMessage(j.Error.Message)}
	}
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "<?xml") || strings.HasPrefix(trimmed, "<error") {
		var x xmlError
		if xml.Unmarshal(body, &x) == nil && (x.Code != "" || x.Message != "") {
			return &Error{Status: status, Code: x.Code, Message: strings.TrimSpace(x.Message)}
		}
	}
	return nil
}

// errorMessage accepts {"lang":…,"value":…} (V2), a plain string, or null.
func errorMessage(raw json.RawMessage) string {
	var withLang struct {
		Value *string `json:"value"`
	}
	if json.Unmarshal(raw, &withLang) == nil && withLang.Value != nil {
		return *withLang.Value
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}
