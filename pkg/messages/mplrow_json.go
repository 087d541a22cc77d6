package messages

// Decoding a message row by hand: a page of the messages list is a thousand rows and reflection made
// most of the plugin's time. The result is what encoding/json gives for the same struct (a differential
// fuzz test holds it to that): keys matched exactly, else ignoring case; null leaves a field as it is;
// a value of the wrong type is an error; strings with escapes or non-ASCII bytes, and the times, are
// left to encoding/json and odata.Time.

import (
	"bytes"
	"encoding/binary"
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
	return m.read(&s)
}

// read reads a row (or null) at s.i.
func (m *mplRow) read(s *jsonScan) error {
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
	b     []byte
	i     int
	depth int // objects and arrays open in skip
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
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		return errJSONSyntax
	}
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

// pass passes over the string at s.i and reports whether it is plain ASCII without escapes. It refuses
// what encoding/json refuses: control characters and unknown escapes.
func (s *jsonScan) pass() (bool, error) {
	plain := true
	for s.i++; s.i < len(s.b); s.i++ {
		for s.i+8 <= len(s.b) && plain8(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		if s.i >= len(s.b) {
			break
		}
		if plainByte[s.b[s.i]] {
			continue
		}
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return plain, nil
		case c == '\\':
			plain = false
			s.i++
			if s.i >= len(s.b) {
				return false, errJSONSyntax
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if s.i+4 >= len(s.b) || !isHex(s.b[s.i+1]) || !isHex(s.b[s.i+2]) || !isHex(s.b[s.i+3]) || !isHex(s.b[s.i+4]) {
					return false, errJSONSyntax
				}
				s.i += 4
			default:
				return false, errJSONSyntax
			}
		case c < 0x20:
			return false, errJSONSyntax
		case c >= 0x80:
			plain = false
		}
	}
	return false, errJSONSyntax
}

// plain8 reports whether the eight bytes of x are all plainByte: none has the high bit, none is below
// 0x20, none is the quote or the backslash (bitwise tests for a byte below n or equal to c).
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*ones) & ^x
	quote, backslash := x^('"'*ones), x^('\\'*ones)
	return (x|below|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs == 0
}

// plainByte marks the bytes a plain string holds as they are: printable ASCII but the quote and the
// backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// with hands the next value, as it is, to fn.
func (s *jsonScan) with(fn func([]byte) error) error {
	s.space()
	start := s.i
	if err := s.skip(); err != nil {
		return err
	}
	return fn(s.b[start:s.i])
}

// maxDepth is encoding/json's limit on nesting.
const maxDepth = 10000

// skip passes over one value, checking it as encoding/json's checkValid does.
func (s *jsonScan) skip() error {
	switch c := s.peek(); c {
	case '"':
		_, err := s.pass()
		return err
	case '{', '[':
		s.depth++
		defer func() { s.depth-- }()
		if s.depth > maxDepth {
			return errJSONSyntax
		}
		end := byte(']')
		if c == '{' {
			end = '}'
		}
		s.i++
		if s.peek() == end {
			s.i++
			return nil
		}
		for {
			if c == '{' {
				if s.peek() != '"' {
					return errJSONSyntax
				}
				if _, err := s.pass(); err != nil {
					return err
				}
				if s.peek() != ':' {
					return errJSONSyntax
				}
				s.i++
			}
			if err := s.skip(); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.i++
			case end:
				s.i++
				return nil
			default:
				return errJSONSyntax
			}
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

func (s *jsonScan) literal(word string) error {
	if !strings.HasPrefix(string(s.b[s.i:min(s.i+len(word), len(s.b))]), word) {
		return errJSONSyntax
	}
	s.i += len(word)
	return nil
}

// number passes over -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *jsonScan) number() error {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		return errJSONSyntax
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return errJSONSyntax
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return errJSONSyntax
		}
	}
	return nil
}

// typeError says what encoding/json says of a value of another type.
func (s *jsonScan) typeError(want string) error {
	return fmt.Errorf("json: cannot unmarshal %q into %s", s.b[s.i:min(s.i+16, len(s.b))], want)
}
