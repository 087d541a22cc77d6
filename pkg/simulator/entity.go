package simulator

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seed/sapcpi-datasource/pkg/simulator/oquery"
)

// entity is one OData entry with its properties in the order SAP serialises them. Values are nil,
// string, bool, int (Edm.Int32, a JSON number), int64 (also a JSON number; Edm.Int64 values that SAP
// sends as strings are stored as strings), float64, time.Time (Edm.DateTime), dateString (a DateTime
// SAP sends as an ISO string in JSON) or *complexVal.
type entity struct {
	set   string // entity set used in URIs
	key   string // key predicate without parentheses, e.g. 'abc' or Name='x',Application='y'
	typ   string // full type name, e.g. com.sap.hci.api.MessageProcessingLog
	props []prop
	navs  []navLink
	media string // content type of a media entity ("" = not a media entity)
}

type prop struct {
	name string
	val  any
}

// complexVal is a complex-type value (e.g. IntegrationArtifact) serialised with its own __metadata.type.
type complexVal struct {
	typ   string
	props []prop
}

// dateString is an Edm.DateTime that SAP's examples show as an ISO string without zone in JSON
// (DataStoreEntries, Variables, NumberRanges); the fixture form wins.
type dateString time.Time

// navLink is a navigation property. Unexpanded it is written as {"__deferred":{"uri":…}} unless hidden
// (SAP's examples of some sets show no navigation links at all); expanded it carries rows (many) or one.
type navLink struct {
	name   string
	many   bool
	hidden bool
	rows   []*entity // nil = not loaded; only used with $expand
}

func (e *entity) uri(base string) string { return base + "/" + e.set + "(" + e.key + ")" }

// Get implements oquery.Entity: a property by name, or a complex-type member as "Complex/Member".
func (e *entity) Get(path string) (oquery.Value, bool) {
	name, rest, nested := strings.Cut(path, "/")
	for _, p := range e.props {
		if p.name != name {
			continue
		}
		if nested {
			cv, ok := p.val.(*complexVal)
			if !ok {
				return nil, false
			}
			for _, cp := range cv.props {
				if cp.name == rest {
					return toValue(cp.val), true
				}
			}
			return nil, false
		}
		return toValue(p.val), true
	}
	return nil, false
}

func toValue(v any) oquery.Value {
	switch x := v.(type) {
	case int:
		return int64(x)
	case dateString:
		return time.Time(x)
	case *complexVal:
		return nil
	}
	return v
}

// keyString quotes a string key value.
func keyString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ---- JSON ----

// view says how entities are written: the absolute service root, the selected properties (nil = all)
// and the expanded navigation properties.
type view struct {
	base   string
	sel    map[string]bool
	expand map[string]bool
}

func (v view) selected(name string) bool { return v.sel == nil || v.sel[name] }

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONChars(b, s)
	return append(b, '"')
}

// appendJSONString3 quotes a+b+c without building the concatenation.
func appendJSONString3(dst []byte, a, b, c string) []byte {
	dst = append(dst, '"')
	dst = appendJSONChars(dst, a)
	dst = appendJSONChars(dst, b)
	dst = appendJSONChars(dst, c)
	return append(dst, '"')
}

// appendJSONChars appends s escaped for a JSON string body.
func appendJSONChars(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i += size
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		i++
		start = i
	}
	return append(b, s[start:]...)
}

// appendDate writes "/Date(ms)/" (the same form as odata.FormatDate, appended without allocating).
func appendDate(b []byte, t time.Time) []byte {
	b = append(b, `"/Date(`...)
	b = strconv.AppendInt(b, t.UnixMilli(), 10)
	return append(b, `)/"`...)
}

func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'f', -1, 64)
	case time.Time:
		if x.IsZero() {
			return append(b, "null"...)
		}
		return appendDate(b, x)
	case dateString:
		return appendJSONString(b, isoNoZone(time.Time(x)))
	case *complexVal:
		b = append(b, `{"__metadata":{"type":`...)
		b = appendJSONString(b, x.typ)
		b = append(b, "}"...)
		for _, p := range x.props {
			b = append(b, ',')
			b = appendJSONString(b, p.name)
			b = append(b, ':')
			b = appendJSONValue(b, p.val)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

// isoNoZone is SAP's Atom / example form of a DateTime: UTC, milliseconds trimmed, no zone.
func isoNoZone(t time.Time) string {
	s := t.UTC().Format("2006-01-02T15:04:05.000")
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func (v view) appendEntityJSON(b []byte, e *entity) []byte {
	uri := e.uri(v.base)
	b = append(b, `{"__metadata":{"id":`...)
	b = appendJSONString(b, uri)
	b = append(b, `,"uri":`...)
	b = appendJSONString(b, uri)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, e.typ)
	if e.media != "" {
		b = append(b, `,"content_type":`...)
		b = appendJSONString(b, e.media)
		b = append(b, `,"media_src":`...)
		b = appendJSONString3(b, uri, "/$value", "")
		b = append(b, `,"edit_media":`...)
		b = appendJSONString3(b, uri, "/$value", "")
	}
	b = append(b, '}')
	for _, p := range e.props {
		if !v.selected(p.name) {
			continue
		}
		b = append(b, ',')
		b = appendJSONString(b, p.name)
		b = append(b, ':')
		b = appendJSONValue(b, p.val)
	}
	for _, n := range e.navs {
		expanded := v.expand[n.name]
		if !expanded && (n.hidden || !v.selected(n.name)) {
			continue
		}
		b = append(b, ',')
		b = appendJSONString(b, n.name)
		b = append(b, ':')
		if !expanded {
			b = append(b, `{"__deferred":{"uri":`...)
			b = appendJSONString3(b, uri, "/", n.name)
			b = append(b, "}}"...)
			continue
		}
		inner := view{base: v.base}
		if !n.many {
			if len(n.rows) == 0 {
				b = append(b, "null"...)
			} else {
				b = inner.appendEntityJSON(b, n.rows[0])
			}
			continue
		}
		b = append(b, `{"results":[`...)
		for i, row := range n.rows {
			if i > 0 {
				b = append(b, ',')
			}
			b = inner.appendEntityJSON(b, row)
		}
		b = append(b, "]}"...)
	}
	return append(b, '}')
}

// ---- Atom ----

const (
	nsAtom = "http://www.w3.org/2005/Atom"
	nsM    = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
	nsD    = "http://schemas.microsoft.com/ado/2007/08/dataservices"
)

func appendXMLText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '"':
			b = append(b, "&quot;"...)
		default:
			if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
				continue
			}
			b = append(b, c)
		}
	}
	return b
}

func appendXMLProp(b []byte, name string, v any) []byte {
	open := func(typ string) {
		b = append(b, "<d:"...)
		b = append(b, name...)
		if typ != "" {
			b = append(b, ` m:type="`...)
			b = append(b, typ...)
			b = append(b, '"')
		}
		b = append(b, '>')
	}
	switch x := v.(type) {
	case nil:
		b = append(b, "<d:"...)
		b = append(b, name...)
		return append(b, ` m:null="true"/>`...)
	case string:
		open("")
		b = appendXMLText(b, x)
	case bool:
		open("Edm.Boolean")
		b = strconv.AppendBool(b, x)
	case int:
		open("Edm.Int32")
		b = strconv.AppendInt(b, int64(x), 10)
	case int64:
		open("Edm.Int64")
		b = strconv.AppendInt(b, x, 10)
	case float64:
		open("Edm.Double")
		b = strconv.AppendFloat(b, x, 'f', -1, 64)
	case time.Time:
		if x.IsZero() {
			return appendXMLProp(b, name, nil)
		}
		open("Edm.DateTime")
		b = append(b, isoNoZone(x)...)
	case dateString:
		open("Edm.DateTime")
		b = append(b, isoNoZone(time.Time(x))...)
	case *complexVal:
		open(x.typ)
		for _, p := range x.props {
			b = appendXMLProp(b, p.name, p.val)
		}
	}
	b = append(b, "</d:"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendAtomNS(b []byte, base string) []byte {
	b = append(b, ` xmlns="`+nsAtom+`" xmlns:m="`+nsM+`" xmlns:d="`+nsD+`" xml:base="`...)
	b = appendXMLText(b, base+"/")
	return append(b, '"')
}

func (v view) appendEntryXML(b []byte, e *entity, updated string, root bool) []byte {
	rel := e.set + "(" + e.key + ")"
	b = append(b, "<entry"...)
	if root {
		b = appendAtomNS(b, v.base)
	}
	b = append(b, "><id>"...)
	b = appendXMLText(b, v.base+"/"+rel)
	b = append(b, `</id><title type="text">`...)
	b = append(b, e.set...)
	b = append(b, `</title><updated>`...)
	b = append(b, updated...)
	b = append(b, `</updated><category term="`...)
	b = append(b, e.typ...)
	b = append(b, `" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/><link href="`...)
	b = appendXMLText(b, rel)
	typeName := e.typ[strings.LastIndexByte(e.typ, '.')+1:]
	b = append(b, `" rel="edit" title="`...)
	b = append(b, typeName...)
	b = append(b, `"/>`...)
	if e.media != "" {
		b = append(b, `<link href="`...)
		b = appendXMLText(b, rel+"/$value")
		b = append(b, `" rel="edit-media" type="`...)
		b = append(b, e.media...)
		b = append(b, `"/>`...)
	}
	for _, n := range e.navs {
		expanded := v.expand[n.name]
		if !expanded && (n.hidden || !v.selected(n.name)) {
			continue
		}
		kind := "entry"
		if n.many {
			kind = "feed"
		}
		b = append(b, `<link href="`...)
		b = appendXMLText(b, rel+"/"+n.name)
		b = append(b, `" rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/`...)
		b = append(b, n.name...)
		b = append(b, `" type="application/atom+xml;type=`...)
		b = append(b, kind...)
		b = append(b, `" title="`...)
		b = append(b, n.name...)
		if !expanded {
			b = append(b, `"/>`...)
			continue
		}
		b = append(b, `"><m:inline>`...)
		inner := view{base: v.base}
		if n.many {
			b = append(b, "<feed>"...)
			for _, row := range n.rows {
				b = inner.appendEntryXML(b, row, updated, false)
			}
			b = append(b, "</feed>"...)
		} else if len(n.rows) > 0 {
			b = inner.appendEntryXML(b, n.rows[0], updated, false)
		}
		b = append(b, `</m:inline></link>`...)
	}
	props := func(b []byte) []byte {
		b = append(b, "<m:properties>"...)
		for _, p := range e.props {
			if v.selected(p.name) {
				b = appendXMLProp(b, p.name, p.val)
			}
		}
		return append(b, "</m:properties>"...)
	}
	if e.media != "" {
		b = append(b, `<content type="`...)
		b = append(b, e.media...)
		b = append(b, `" src="`...)
		b = appendXMLText(b, rel+"/$value")
		b = append(b, `"/>`...)
		b = props(b)
	} else {
		b = append(b, `<content type="application/xml">`...)
		b = props(b)
		b = append(b, "</content>"...)
	}
	return append(b, "</entry>"...)
}

// appendFeedXML writes an Atom feed; count < 0 means no m:count, next "" means no next link.
func (v view) appendFeedXML(b []byte, set, selfRel string, rows []*entity, count int64, next string, now time.Time) []byte {
	updated := now.UTC().Format("2006-01-02T15:04:05.000Z")
	b = append(b, "<?xml version='1.0' encoding='utf-8'?><feed"...)
	b = appendAtomNS(b, v.base)
	b = append(b, "><id>"...)
	b = appendXMLText(b, v.base+"/"+selfRel)
	b = append(b, `</id><title type="text">`...)
	b = append(b, set...)
	b = append(b, `</title><updated>`...)
	b = append(b, updated...)
	b = append(b, `</updated><author><name/></author><link href="`...)
	b = appendXMLText(b, selfRel)
	b = append(b, `" rel="self" title="`...)
	b = append(b, set...)
	b = append(b, `"/>`...)
	if count >= 0 {
		b = append(b, "<m:count>"...)
		b = strconv.AppendInt(b, count, 10)
		b = append(b, "</m:count>"...)
	}
	for _, e := range rows {
		b = v.appendEntryXML(b, e, updated, false)
	}
	if next != "" {
		b = append(b, `<link href="`...)
		b = appendXMLText(b, next)
		b = append(b, `" rel="next"/>`...)
	}
	return append(b, "</feed>"...)
}
