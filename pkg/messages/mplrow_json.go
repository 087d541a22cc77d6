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

// mplRowKeys are mplRow's JSON keys: its string fields first, in the order of UnmarshalJSON's list.
var mplRowKeys = []string{"MessageGuid", "CorrelationId", "ApplicationMessageId", "ApplicationMessageType", "Sender",
	"Receiver", "Status", "CustomStatus", "AlternateWebLink", "LogStart", "LogEnd", "IntegrationArtifact"}

var artifactKeys = []string{"Id", "Name", "PackageId", "PackageName"}

// UnmarshalJSON implements json.Unmarshaler. encoding/json hands it one element it checked to be
// valid JSON; the scanner still checks every bound.
func (m *mplRow) UnmarshalJSON(b []byte) error {
	s := jsonScan{b: b}
	strs := [...]*string{&m.MessageGuid, &m.CorrelationID, &m.ApplicationMessageID, &m.ApplicationMessageType,
		&m.Sender, &m.Receiver, &m.Status, &m.CustomStatus, &m.AlternateWebLink}
	return s.object("mplRow", mplRowKeys, strs[:], func(s *jsonScan, key string) error {
		switch key {
		case "LogStart":
			return s.with(m.LogStart.UnmarshalJSON)
		case "LogEnd":
			return s.with(m.LogEnd.UnmarshalJSON)
		}
		a := &m.IntegrationArtifact
		return s.object("artifactRef", artifactKeys, []*string{&a.ID, &a.Name, &a.PackageID, &a.PackageName}, nil)
	})
}

// match is the index of the key in keys: equal, else equal ignoring case; -1 for none.
func match(key []byte, keys []string) int {
	for i, k := range keys {
		if string(key) == k {
			return i
		}
	}
	for i, k := range keys {
		if bytes.EqualFold(key, []byte(k)) {
			return i
		}
	}
	return -1
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

// object reads an object: the value of keys[i] goes to strs[i] (a string), or to other for the keys
// after those; other keys are passed over. null is no object.
func (s *jsonScan) object(typ string, keys []string, strs []*string, other func(s *jsonScan, key string) error) error {
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
		switch i := match(key, keys); {
		case i < 0:
			err = s.skip()
		case i < len(strs):
			err = s.str(strs[i], keys[i])
		default:
			err = other(s, keys[i])
		}
		if err != nil {
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
