package oquery

import (
	"encoding/json"
	"fmt"
)

// CodeBadRequest is the error code the simulated service puts in 400 bodies. The hub spec only shows the
// placeholder "<error code>" and codes such as "Forbidden" for other statuses, i.e. the HTTP reason phrase;
// "Bad Request" follows that pattern (not confirmed against a live tenant).
const CodeBadRequest = "Bad Request"

// maxEcho bounds how much of a client-supplied option value is echoed in a message, so that a hostile
// 10 000-character filter does not produce a 10 000-character error body or log line.
const maxEcho = 120

// Error is a client error in a query option. It maps 1:1 onto an OData V2 error body (see JSON).
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// JSON renders the error as the OData V2 JSON error body SAP returns:
// {"error":{"code":…,"message":{"lang":"en","value":…}}}.
func (e *Error) JSON() []byte {
	type msg struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	}
	type inner struct {
		Code    string `json:"code"`
		Message msg    `json:"message"`
	}
	b, _ := json.Marshal(struct {
		Error inner `json:"error"`
	}{inner{Code: e.Code, Message: msg{Lang: "en", Value: e.Message}}})
	return b
}

// BadRequest builds a 400 error with the given message.
func BadRequest(message string) *Error {
	return &Error{Status: 400, Code: CodeBadRequest, Message: message}
}

// PropertyNotFound is the error for a property path the entity type does not have. option is the system
// query option it appeared in ("$filter", "$select", "$orderby", "$expand"), raw that option's value as
// received. The engine cannot know the entity type, so callers detect unknown properties (see
// Options.Validate and Properties) and report them with this constructor to keep one message style:
//
//	Invalid filter expression: 'Foo eq 1'. Property 'Foo' not found.
func PropertyNotFound(option, raw, path string) *Error {
	return optionError(option, raw, fmt.Sprintf("Property '%s' not found.", clip(path)))
}

// optionError formats every option error the same way: what was wrong, the offending value, the detail.
func optionError(option, raw, detail string) *Error {
	if option == "$filter" {
		return filterError(raw, detail)
	}
	return BadRequest(fmt.Sprintf("Invalid value for system query option %s: '%s'. %s", option, clip(raw), detail))
}

func filterError(raw, detail string) *Error {
	if raw == "" {
		return BadRequest("Invalid filter expression. " + detail)
	}
	return BadRequest(fmt.Sprintf("Invalid filter expression: '%s'. %s", clip(raw), detail))
}

// clip shortens s to maxEcho runes (keeping valid UTF-8) so that messages stay readable and bounded.
func clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	n := 0
	for i := range s {
		if n == maxEcho {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
