package messages

// Decoding a whole page of message rows in one pass (odata.PageDecoder): encoding/json checks every
// body byte by byte before decoding it and passes over each row once more to find its end, which cost
// as much as decoding the rows. This reads the plain shape {"d":{"results":[…],"__count":…,"__next":…}}
// once, checking the JSON as it goes; anything else, or anything wrong, is left to the usual way, which
// also says what is wrong (a differential fuzz test holds both to the same result).

import "errors"

var errNotPlain = errors.New("not a plain page")

var pageKeys, pageBodyKeys = []string{"d"}, []string{"__next", "results", "__count"}

// DecodePage implements odata.PageDecoder.
func (*mplRow) DecodePage(body []byte) (rows []mplRow, next string, count []byte, ok bool) {
	s := jsonScan{b: body}
	if s.peek() != '{' {
		return nil, "", nil, false
	}
	var haveD, haveRows, haveCount bool
	err := s.object("page", pageKeys, nil, func(s *jsonScan, _ string) error {
		if haveD || s.peek() != '{' {
			return errNotPlain // a second d, or a d that is null or not an object
		}
		haveD = true
		return s.object("d", pageBodyKeys, []*string{&next}, func(s *jsonScan, key string) error {
			if key == "__count" {
				if haveCount {
					return errNotPlain
				}
				haveCount = true
				return s.with(func(raw []byte) error { count = raw; return nil })
			}
			if haveRows {
				return errNotPlain
			}
			haveRows = true
			var err error
			rows, err = readRows(s)
			return err
		})
	})
	s.space()
	if err != nil || !haveD || rows == nil || s.i != len(s.b) {
		return nil, "", nil, false
	}
	return rows, next, count, true
}

// readRows reads the results array (a non-nil slice when it is empty, as encoding/json makes it; nil
// for null, which is no page).
func readRows(s *jsonScan) ([]mplRow, error) {
	if s.peek() != '[' {
		return nil, errNotPlain
	}
	s.i++
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		return nil, errJSONSyntax
	}
	rows := []mplRow{}
	if s.peek() == ']' {
		s.i++
		return rows, nil
	}
	for {
		rows = append(rows, mplRow{})
		if err := rows[len(rows)-1].read(s); err != nil {
			return nil, err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return rows, nil
		default:
			return nil, errJSONSyntax
		}
	}
}
