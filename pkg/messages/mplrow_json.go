package messages

// Decoding a message row by hand: a page of the messages list is a thousand rows and reflection made
// most of the plugin's time. The result is what encoding/json gives for the same struct (a differential
// fuzz test holds it to that): keys matched exactly, else ignoring case; null leaves a field as it is;
// a value of the wrong type is an error; strings with escapes or non-ASCII bytes, and the times, are
// left to encoding/json and odata.Time.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// mplRowFields are the keys of mplRow, for matching keys that differ in case only.
var mplRowFields = []string{"MessageGuid", "CorrelationId", "ApplicationMessageId", "ApplicationMessageType",
	"LogStart", "LogEnd", "Sender", "Receiver", "Status", "CustomStatus", "AlternateWebLink", "IntegrationArtifact"}

var artifactFields = []string{"Id", "Name", "PackageId", "PackageName"}

// UnmarshalJSON implements json.Unmarshaler. encoding/json hands it one element it checked to be
// valid JSON; the scanner still checks every bound.
func (m *mplRow) UnmarshalJSON(b []byte) error {
	s := jsonScan{b: b}
	return s.object("mplRow", func(s *jsonScan, key []byte) error { return m.field(s, key, true) })
}

func (m *mplRow) field(s *jsonScan, key []byte, exact bool) error {
	switch string(key) {
	case "MessageGuid":
		return s.str(&m.MessageGuid, "MessageGuid")
	case "CorrelationId":
		return s.str(&m.CorrelationID, "CorrelationId")
	case "ApplicationMessageId":
		return s.str(&m.ApplicationMessageID, "ApplicationMessageId")
	case "ApplicationMessageType":
		return s.str(&m.ApplicationMessageType, "ApplicationMessageType")
	case "LogStart":
		return s.with(m.LogStart.UnmarshalJSON)
	case "LogEnd":
		return s.with(m.LogEnd.UnmarshalJSON)
	case "Sender":
		return s.str(&m.Sender, "Sender")
	case "Receiver":
		return s.str(&m.Receiver, "Receiver")
	case "Status":
		return s.str(&m.Status, "Status")
	case "CustomStatus":
		return s.str(&m.CustomStatus, "CustomStatus")
	case "AlternateWebLink":
		return s.str(&m.AlternateWebLink, "AlternateWebLink")
	case "IntegrationArtifact":
		return s.object("artifactRef", m.IntegrationArtifact.fieldOf)
	}
	if k := folded(key, mplRowFields); exact && k != "" {
		return m.field(s, []byte(k), false)
	}
	return s.skip()
}

func (a *artifactRef) fieldOf(s *jsonScan, key []byte) error { return a.field(s, key, true) }

func (a *artifactRef) field(s *jsonScan, key []byte, exact bool) error {
	switch string(key) {
	case "Id":
		return s.str(&a.ID, "Id")
	case "Name":
		return s.str(&a.Name, "Name")
	case "PackageId":
		return s.str(&a.PackageID, "PackageId")
	case "PackageName":
		return s.str(&a.PackageName, "PackageName")
	}
	if k := folded(key, artifactFields); exact && k != "" {
		return a.field(s, []byte(k), false)
	}
	return s.skip()
}

// folded is the field key equals ignoring case, or "".
func folded(key []byte, fields []string) string {
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f)) {
			return f
		}
	}
	return ""
}

var errJSONSyntax = errors.New("invalid JSON in a message row")

// jsonScan reads one JSON value.
type jsonScan struct {
	b []byte
	i int
}

func (s *jsonScan) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// peek is the next byte after white space (0 at the end).
func (s *jsonScan) peek() byte {
	s.space()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// null consumes a null and reports whether there was one.
func (s *jsonScan) null() bool {
	if s.peek() == 'n' && strings.HasPrefix(string(s.b[s.i:min(s.i+4, len(s.b))]), "null") {
		s.i += 4
		return true
	}
	return false
}

// object reads an object, handing each key to field, which reads its value. null is no object.
func (s *jsonScan) object(typ string, field func(s *jsonScan, key []byte) error) error {
	if s.null() {
		return nil
	}
	if s.peek() != '{' {
		return s.typeError(typ)
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		if s.peek() != '"' {
			return errJSONSyntax
		}
		key, err := s.key()
		if err != nil {
			return err
		}
		if s.peek() != ':' {
			return errJSONSyntax
		}
		s.i++
		if err := field(s, key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errJSONSyntax
		}
	}
}

// key reads the key at s.i: the bytes of the body when it is plain, else its unquoted copy.
func (s *jsonScan) key() ([]byte, error) {
	start := s.i
	plain, err := s.pass()
	if err != nil {
		return nil, err
	}
	if plain {
		return s.b[start+1 : s.i-1], nil
	}
	var k string
	if err := json.Unmarshal(s.b[start:s.i], &k); err != nil {
		return nil, err
	}
	return []byte(k), nil
}

// str reads a string (or null, which leaves *dst as it is) into the field key.
func (s *jsonScan) str(dst *string, key string) error {
	if s.null() {
		return nil
	}
	if s.peek() != '"' {
		return s.typeError("string (field " + key + ")")
	}
	return s.quoted(dst)
}

// quoted reads the string at s.i: plain ASCII as it is, anything else through encoding/json.
func (s *jsonScan) quoted(dst *string) error {
	start := s.i
	plain, err := s.pass()
	if err != nil {
		return err
	}
	if plain {
		*dst = string(s.b[start+1 : s.i-1])
		return nil
	}
	return json.Unmarshal(s.b[start:s.i], dst)
}

// pass passes over the string at s.i and reports whether it is plain ASCII without escapes.
func (s *jsonScan) pass() (bool, error) {
	plain := true
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return plain, nil
		case c == '\\':
			plain = false
			s.i++ // the escaped byte cannot end the string
		case c < 0x20 || c >= 0x80:
			plain = false
		}
	}
	return false, errJSONSyntax
}

// with hands the next value, as it is, to fn.
func (s *jsonScan) with(fn func([]byte) error) error {
	s.space()
	start := s.i
	if err := s.skip(); err != nil {
		return err
	}
	return fn(s.b[start:s.i])
}

// skip passes over one value.
func (s *jsonScan) skip() error {
	switch c := s.peek(); c {
	case '"':
		_, err := s.pass()
		return err
	case '{', '[':
		depth := 0
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			case '"':
				if _, err := s.pass(); err != nil {
					return err
				}
				s.i-- // the loop steps past the closing quote
			}
		}
		return errJSONSyntax
	case 0:
		return errJSONSyntax
	default: // number, true, false, null
		start := s.i
		for s.i < len(s.b) && !strings.ContainsRune(",}] \t\r\n", rune(s.b[s.i])) {
			s.i++
		}
		if s.i == start {
			return errJSONSyntax
		}
		return nil
	}
}

// typeError says what encoding/json says of a value of another type.
func (s *jsonScan) typeError(want string) error {
	return fmt.Errorf("json: cannot unmarshal %q into %s", s.b[s.i:min(s.i+16, len(s.b))], want)
}
