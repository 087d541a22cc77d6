package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Spec is what one query type accepts: the JSON names of its options and the formats it produces, the
// default first. The frontend's query model must stay within it (tests/vectors/query-options.json, written
// from these specs and read by the TypeScript tests).
type Spec struct {
	Options []string `json:"options"`
	Formats []Format `json:"formats"`
}

// querySpecs pairs each query type with its model struct (the options are that struct's JSON names) and
// its formats. Query types without a format option produce one table.
var querySpecs = map[QueryType]struct {
	model   any
	formats []Format
}{
	QueryMessages:         {MessagesQuery{}, []Format{FormatTable, FormatLogs}},
	QueryMessageCounts:    {MessageCountsQuery{}, []Format{FormatTimeSeries, FormatNumeric, FormatTable}},
	QueryMessageDurations: {MessageDurationsQuery{}, []Format{FormatTimeSeries, FormatTable}},
	QueryErrorGroups:      {ErrorGroupsQuery{}, []Format{FormatTable, FormatNumeric, FormatAnnotations}},
	QueryStuckMessages:    {StuckMessagesQuery{}, []Format{FormatTable, FormatNumeric}},
	QueryArtifacts:        {ArtifactsQuery{}, []Format{FormatTable, FormatNumeric, FormatAnnotations}},
	QueryEndpoints:        {EndpointsQuery{}, []Format{FormatTable}},
	QueryCertificates:     {CertificatesQuery{}, []Format{FormatTable, FormatNumeric}},
	QueryJMS:              {JMSQuery{}, []Format{FormatTable, FormatNumeric}},
	QueryInventory:        {InventoryQuery{}, []Format{FormatTable}},
	QueryAuditLogs:        {AuditLogsQuery{}, []Format{FormatTable, FormatLogs}},
	QueryLogFiles:         {LogFilesQuery{}, []Format{FormatTable, FormatLogs}},
	QueryCalmMetrics: {CalmMetricsQuery{}, []Format{CalmFormatTimeSeries, FormatNumeric, FormatTable, CalmFormatTableRaw,
		CalmFormatTableLastSlice}},
}

// GrafanaQueryKeys are the keys Grafana itself puts into a query model (panels, Explore, alert rules).
var GrafanaQueryKeys = []string{"refId", "queryType", "datasource", "datasourceId", "hide", "key",
	"intervalMs", "maxDataPoints", "interval", "timeRange", "queryCaching", "legendFormat", "editorMode"}

// specs is querySpecs with the option names read from the structs; everyOption is their union.
var specs, everyOption = func() (map[QueryType]Spec, []string) {
	out := map[QueryType]Spec{}
	var all []string
	for qt, s := range querySpecs {
		names := jsonNames(reflect.TypeOf(s.model))
		slices.Sort(names)
		out[qt] = Spec{Options: names, Formats: s.formats}
		all = append(all, names...)
	}
	slices.Sort(all)
	return out, slices.Compact(all)
}()

// Specs returns a copy of every query type's spec.
func Specs() map[QueryType]Spec {
	out := make(map[QueryType]Spec, len(specs))
	for qt, s := range specs {
		out[qt] = Spec{Options: slices.Clone(s.Options), Formats: slices.Clone(s.Formats)}
	}
	return out
}

// Parse decodes a query's JSON into v (a pointer to the query type's struct), with an error that names the
// query type. An option no query type knows (a typo, or an option of a newer plugin version) is refused with
// its name, so the query fails clearly instead of silently ignoring a filter. The options of other query
// types are tolerated: queries saved before the editor dropped them on a type switch still hold them.
func Parse(queryType QueryType, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("the %s query is not valid JSON: %w", queryType, err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("the %s query is not a JSON object: %w", queryType, err)
	}
	var unknown []string
	for k := range keys {
		if !slices.Contains(everyOption, k) && !slices.Contains(GrafanaQueryKeys, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	quoted := make([]string, len(unknown))
	for i, n := range unknown {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return fmt.Errorf("the %s query has unknown option(s) %s; its options are %s", queryType,
		strings.Join(quoted, ", "), strings.Join(specs[queryType].Options, ", "))
}

// ResolveFormat is the one rule every query type applies to its format: empty gives the type's default; a
// format of another query type also gives the default (the editor shows the default for it, so a query saved
// with a format left over from another type answers what its editor shows); a value no query type produces
// is refused with the type's formats.
func ResolveFormat(queryType QueryType, f Format) (Format, error) {
	s, ok := specs[queryType]
	if !ok {
		return "", fmt.Errorf("unknown query type %q", queryType)
	}
	if slices.Contains(s.Formats, f) {
		return f, nil
	}
	if f == "" || isAnyFormat(f) {
		return s.Formats[0], nil
	}
	names := make([]string, len(s.Formats))
	for i, a := range s.Formats {
		names[i] = string(a)
	}
	return "", fmt.Errorf("the %s query has no format %q: choose %s", queryType, f, strings.Join(names, ", "))
}

func isAnyFormat(f Format) bool {
	for _, s := range specs {
		if slices.Contains(s.Formats, f) {
			return true
		}
	}
	return false
}

// jsonNames lists the JSON names of a struct's fields, including those of embedded structs.
func jsonNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonNames(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}
