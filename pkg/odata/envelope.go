package odata

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Collection is one page of an entity set: d.results, d.__count (only with $inlinecount=allpages) and
// d.__next (only when the server cut the result; absolute or relative, see ResolveNext).
type Collection[T any] struct {
	Results []T
	Count   *int64
	Next    string
}

// collectionBody accepts both V2 shapes: {"d":{"results":[…]}} and the older {"d":[…]}.
type collectionBody struct {
	D rawRef `json:"d"`
}

// rawRef is json.RawMessage without the copy: json.Unmarshal hands it a slice of its own input, which
// the decoding functions keep unchanged while they use it. A page of tens of MiB is then held once,
// not twice.
type rawRef []byte

func (r *rawRef) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

type collectionWrapper[T any] struct {
	Results []T             `json:"results"`
	Count   json.RawMessage `json:"__count"`
	Next    string          `json:"__next"`
}

// ErrNotJSON is returned when a body is not JSON at all (for example an HTML login page).
var ErrNotJSON = errors.New("response is not JSON")

// DecodeCollection decodes a collection response.
func DecodeCollection[T any](r io.Reader) (Collection[T], error) {
	body, err := readAll(r)
	if err != nil {
		return Collection[T]{}, err
	}
	return DecodeCollectionBytes[T](body)
}

// PageDecoder is implemented (on the pointer) by row types that decode a whole page themselves, faster
// than reflection: the results, __next and the raw __count of {"d":{"results":[…],…}}. ok false (any
// other shape, any error) leaves the page to the usual decoding, which also says what is wrong; ok true
// promises the result encoding/json would give.
type PageDecoder[T any] interface {
	DecodePage(body []byte) (results []T, next string, count []byte, ok bool)
}

// DecodeCollectionBytes decodes a collection response held in memory, without copying it.
func DecodeCollectionBytes[T any](body []byte) (Collection[T], error) {
	if pd, ok := any((*T)(nil)).(PageDecoder[T]); ok {
		if rows, next, count, ok := pd.DecodePage(body); ok {
			w := collectionWrapper[T]{Results: rows, Next: next, Count: count}
			if out, err := w.collection(); err == nil {
				return out, nil
			}
		}
	}
	// The usual shape in one pass over the body (a page can be tens of MiB); anything else, and every
	// error, goes the careful way below, which tells what is wrong.
	var fast struct {
		D *collectionWrapper[T] `json:"d"`
	}
	if LooksLikeJSON(body) && json.Unmarshal(body, &fast) == nil && fast.D != nil && fast.D.Results != nil {
		if out, err := fast.D.collection(); err == nil {
			return out, nil
		}
	}
	var out Collection[T]
	raw, err := envelope(body)
	if err != nil {
		return out, err
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &out.Results); err != nil {
			return out, fmt.Errorf("decoding OData results: %w", err)
		}
		return out, nil
	}
	var w collectionWrapper[T]
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return out, fmt.Errorf("decoding OData collection: %w", err)
	}
	if w.Results == nil {
		return out, errors.New("decoding OData collection: d.results is missing (is this a single entity?)")
	}
	return w.collection()
}

func (w *collectionWrapper[T]) collection() (Collection[T], error) {
	out := Collection[T]{Results: w.Results, Next: w.Next}
	if len(w.Count) > 0 && string(w.Count) != "null" {
		n, err := parseCountValue(w.Count)
		if err != nil {
			return out, err
		}
		out.Count = &n
	}
	return out, nil
}

// DecodeEntity decodes a single-entity response {"d":{…}}.
func DecodeEntity[T any](r io.Reader) (T, error) {
	body, err := readAll(r)
	if err != nil {
		var out T
		return out, err
	}
	return DecodeEntityBytes[T](body)
}

// DecodeEntityBytes decodes a single-entity response held in memory, without copying it.
func DecodeEntityBytes[T any](body []byte) (T, error) {
	var out T
	raw, err := envelope(body)
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("decoding OData entity: %w", err)
	}
	return out, nil
}

func readAll(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading OData response: %w", err)
	}
	return body, nil
}

func envelope(body []byte) (rawRef, error) {
	if !LooksLikeJSON(body) {
		return nil, ErrNotJSON
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var env collectionBody
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decoding OData response (truncated or invalid JSON): %w", err)
	}
	if len(env.D) == 0 || string(env.D) == "null" {
		return nil, errors.New(`decoding OData response: no "d" member`)
	}
	return env.D, nil
}

// LooksLikeJSON reports whether a body starts like a JSON object or array (after white space and a BOM).
func LooksLikeJSON(body []byte) bool {
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// parseCountValue reads __count, which SAP sends as a string ("7"); a bare number is accepted too.
func parseCountValue(raw json.RawMessage) (int64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("decoding OData __count %s: not a non-negative integer", raw)
	}
	return n, nil
}

// ParseCount reads the text/plain body of a /$count request.
func ParseCount(body []byte) (int64, error) {
	s := strings.TrimSpace(string(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return 0, fmt.Errorf("the $count response is not a number: %q", s)
	}
	return n, nil
}
