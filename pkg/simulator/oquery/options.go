// Package oquery parses and evaluates the OData V2 system query options ($filter, $select, $orderby,
// $top, $skip, $skiptoken, $inlinecount, $format, $expand) the way SAP Cloud Integration's OData V2 API
// accepts them, for the simulated tenant. It knows nothing about entity types: callers supply rows through
// Entity and check property names themselves (Options.Validate, Properties, PropertyNotFound).
//
// Filters are parsed once into an Expr tree and evaluated per row without allocations for the usual
// "Status eq 'FAILED' and LogStart ge datetime'…' and …" shape. TimeBounds and Equalities extract what a
// generator needs to produce only the rows that can match.
package oquery

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Options are the parsed query options of one request.
type Options struct {
	Filter      Expr        // nil when no $filter
	Select      []string    // nil = all
	OrderBy     []OrderTerm // in priority order
	Top         *int        // nil when no $top
	Skip        int
	SkipToken   string
	InlineCount bool              // $inlinecount=allpages
	Format      string            // "json" | "xml" | "" ($format=atom is reported as "xml")
	Expand      []string          // navigation paths
	Custom      map[string]string // non-$ options such as filterCustomHeaderProperties, keystoreName, sap-client
	// Raw holds every system query option exactly as received ("$filter" → "Status eq 'FAILED'"), for
	// messages and for building __next links that repeat the caller's options.
	Raw map[string]string
}

// Parse reads the query options of a request. Unknown or repeated system query options ($-prefixed) and
// malformed values are *Error (400); other options go to Custom (first value wins). Errors are reported
// for options in alphabetical order so that the same request always gives the same message.
func Parse(q url.Values) (Options, error) {
	var o Options
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vals := q[k]
		if len(vals) == 0 {
			continue
		}
		if !strings.HasPrefix(k, "$") {
			if o.Custom == nil {
				o.Custom = map[string]string{}
			}
			o.Custom[k] = vals[0]
			continue
		}
		if len(vals) > 1 {
			return Options{}, BadRequest(fmt.Sprintf("Duplicate system query option '%s'.", clip(k)))
		}
		v := vals[0]
		if err := o.set(k, v); err != nil {
			return Options{}, err
		}
		if o.Raw == nil {
			o.Raw = map[string]string{}
		}
		o.Raw[k] = v
	}
	return o, nil
}

func (o *Options) set(k, v string) error {
	switch k {
	case "$filter":
		x, err := ParseFilter(v)
		if err != nil {
			return err
		}
		o.Filter = x
	case "$select":
		items, err := splitList(k, v)
		if err != nil {
			return err
		}
		for _, it := range items {
			if !validPath(it, true) {
				return optionError(k, v, fmt.Sprintf("'%s' is not a property path.", clip(it)))
			}
		}
		o.Select = items
	case "$expand":
		items, err := splitList(k, v)
		if err != nil {
			return err
		}
		for _, it := range items {
			if !validPath(it, false) {
				return optionError(k, v, fmt.Sprintf("'%s' is not a navigation path.", clip(it)))
			}
		}
		o.Expand = items
	case "$orderby":
		items, err := splitList(k, v)
		if err != nil {
			return err
		}
		terms := make([]OrderTerm, 0, len(items))
		for _, it := range items {
			f := strings.Fields(it)
			if len(f) > 2 || !validPath(f[0], false) || (len(f) == 2 && f[1] != "asc" && f[1] != "desc") {
				return optionError(k, v, fmt.Sprintf("'%s' is not of the form <property> [asc|desc].", clip(it)))
			}
			terms = append(terms, OrderTerm{Path: f[0], Desc: len(f) == 2 && f[1] == "desc"})
		}
		o.OrderBy = terms
	case "$top":
		n, err := nonNegative(k, v)
		if err != nil {
			return err
		}
		o.Top = &n
	case "$skip":
		n, err := nonNegative(k, v)
		if err != nil {
			return err
		}
		o.Skip = n
	case "$skiptoken":
		o.SkipToken = v
	case "$inlinecount":
		switch v {
		case "allpages":
			o.InlineCount = true
		case "none":
			o.InlineCount = false
		default:
			return optionError(k, v, "Allowed values are 'allpages' and 'none'.")
		}
	case "$format":
		switch v {
		case "json", "application/json":
			o.Format = "json"
		case "xml", "atom", "application/atom+xml", "application/xml":
			o.Format = "xml"
		default:
			return optionError(k, v, "Allowed values are 'json', 'xml' and 'atom'.")
		}
	default:
		return BadRequest(fmt.Sprintf("Unknown system query option '%s'.", clip(k)))
	}
	return nil
}

// splitList splits a comma-separated option value and trims the items; empty items are an error.
func splitList(k, v string) ([]string, error) {
	parts := strings.Split(v, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, optionError(k, v, "An item of the comma-separated list is empty.")
		}
	}
	return parts, nil
}

// nonNegative parses $top/$skip: decimal digits only (no sign, no spaces), fitting an int.
func nonNegative(k, v string) (int, error) {
	if v == "" || strings.TrimLeft(v, "0123456789") != "" {
		return 0, optionError(k, v, "A non-negative integer is expected.")
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, optionError(k, v, "The number is too large.")
	}
	return n, nil
}

// validPath reports whether s is a property path (segments of identifiers separated by '/'); with star,
// "*" or "Nav/*" is accepted as in $select.
func validPath(s string, star bool) bool {
	segs := strings.Split(s, "/")
	for i, seg := range segs {
		if star && seg == "*" && i == len(segs)-1 {
			continue
		}
		if seg == "" || !utf8.ValidString(seg) {
			return false
		}
		for j, r := range seg {
			if j == 0 && !isIdentStart(r) || j > 0 && !isIdentPart(r) {
				return false
			}
		}
	}
	return true
}

// Validate checks every property path used in $filter, $select and $orderby with known and returns
// PropertyNotFound for the first unknown one. $expand names navigation properties, which callers check
// separately (PropertyNotFound("$expand", o.Raw["$expand"], name)).
func (o Options) Validate(known func(path string) bool) error {
	for _, p := range Properties(o.Filter) {
		if !known(p) {
			return PropertyNotFound("$filter", o.Raw["$filter"], p)
		}
	}
	for _, p := range o.Select {
		if p == "*" || strings.HasSuffix(p, "/*") {
			continue
		}
		if !known(p) {
			return PropertyNotFound("$select", o.Raw["$select"], p)
		}
	}
	for _, t := range o.OrderBy {
		if !known(t.Path) {
			return PropertyNotFound("$orderby", o.Raw["$orderby"], t.Path)
		}
	}
	return nil
}
