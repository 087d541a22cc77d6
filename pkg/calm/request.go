package calm

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// DataRequest is the data request body (POST /analytics/providers/data). Field names follow SAP's Postman bodies
// (calm-postman-*-request.json) and the plugin's additions (timestampFormat, tableType/table_format).
type DataRequest struct {
	Format          string      `json:"format"`
	TimestampFormat string      `json:"timestampFormat"`
	TableType       string      `json:"tableType,omitempty"`
	TableFormat     string      `json:"table_format,omitempty"`
	TimeRange       wireRange   `json:"timeRange"`
	Resolution      string      `json:"resolution"`
	Timezone        string      `json:"timezone"`
	Queries         []wireQuery `json:"queries"`
}

type wireRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type wireQuery struct {
	Name     string       `json:"name"`
	Provider string       `json:"provider"`
	Columns  wireColumns  `json:"columns"`
	Filters  []wireFilter `json:"filters"`
}

type wireColumns struct {
	Dimensions []string     `json:"dimensions"`
	Metrics    []wireMetric `json:"metrics"`
}

type wireMetric struct {
	Measure string `json:"measure"`
	Method  string `json:"method,omitempty"`
}

type wireFilter struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// requestTimezone is sent with every request; from/to are formatted in it. UTC keeps alert evaluation
// (which has no dashboard timezone) and panels identical.
const requestTimezone = "+00:00"

// calmTimeLayout is Cloud ALM's YYYYMMDDhhmmss.
const calmTimeLayout = "20060102150405"

// resolutions are the buckets Cloud ALM providers accept, finest first. 1Mi, 10S and 15S exist in SAP's
// plugin but providers reject them ("Unknown resolution : 15S", SAP/alm-plug-in-for-grafana #122).
var resolutions = []struct {
	code string
	size time.Duration
}{
	{"5Mi", 5 * time.Minute}, {"10Mi", 10 * time.Minute}, {"15Mi", 15 * time.Minute}, {"30Mi", 30 * time.Minute},
	{"H", time.Hour}, {"D", 24 * time.Hour}, {"W", 7 * 24 * time.Hour}, {"M", 31 * 24 * time.Hour}, {"Y", 366 * 24 * time.Hour},
}

// MinResolution is the finest bucket Cloud ALM accepts.
const MinResolution = 5 * time.Minute

// Resolution picks the finest accepted bucket that is at least the panel interval and keeps the number of
// points of the range within maxDataPoints (when given).
func Resolution(interval, span time.Duration, maxDataPoints int64) string {
	need := max(interval, MinResolution)
	if maxDataPoints > 0 && span > 0 {
		need = max(need, span/time.Duration(maxDataPoints))
	}
	for _, r := range resolutions {
		if r.size >= need {
			return r.code
		}
	}
	return resolutions[len(resolutions)-1].code
}

// Window is what queries must share to go into one POST: the body has one format, time range and
// resolution for all its queries.
type Window struct {
	Format     models.Format
	From, To   time.Time
	Resolution string
}

// Key identifies the window.
func (w Window) Key() string {
	return fmt.Sprintf("%s|%d|%d|%s", w.Format, w.From.UnixMilli(), w.To.UnixMilli(), w.Resolution)
}

// Item is one calmMetrics query of a request.
type Item struct {
	RefID string
	Query models.CalmMetricsQuery
}

// Limits of one query; far above what a panel needs, they keep a malformed query from building a huge body.
const (
	maxDimensions   = 20
	maxMeasures     = 20
	maxFilters      = 50
	maxFilterValues = 500
)

// Normalize fills defaults (format time series, upper-case methods) and drops empty filters.
func Normalize(q models.CalmMetricsQuery) models.CalmMetricsQuery {
	if f, err := models.ResolveFormat(models.QueryCalmMetrics, q.Format); err == nil {
		q.Format = f // an unknown format stays, for Validate to refuse
	}
	q.Provider = strings.TrimSpace(q.Provider)
	measures := make([]models.CalmMeasure, 0, len(q.Measures))
	for _, m := range q.Measures {
		m.Name = strings.TrimSpace(m.Name)
		m.Method = strings.ToUpper(strings.TrimSpace(m.Method))
		if m.Name != "" {
			measures = append(measures, m)
		}
	}
	q.Measures = measures
	dims := make([]string, 0, len(q.Dimensions))
	for _, d := range q.Dimensions {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(dims, d) {
			dims = append(dims, d)
		}
	}
	q.Dimensions = dims
	filters := make([]models.CalmFilter, 0, len(q.Filters))
	for _, f := range q.Filters {
		f.Key = strings.TrimSpace(f.Key)
		var vals []string
		for _, v := range f.Values {
			if v != "" && !slices.Contains(vals, v) {
				vals = append(vals, v)
			}
		}
		if f.Key != "" && len(vals) > 0 {
			f.Values = vals
			filters = append(filters, f)
		}
	}
	q.Filters = filters
	return q
}

// checkText refuses what cannot be meant: control characters, very long text, and a template variable that
// was not replaced (alert rules have no dashboard variables).
func checkText(field, v string) error {
	if err := odata.CheckValue(field, v); err != nil {
		return err
	}
	if strings.HasPrefix(v, "$") || strings.Contains(v, "${") || strings.Contains(v, "[[") {
		return fmt.Errorf("%s %q is a template variable that was not replaced (alert rules and recorded queries have no dashboard variables): use a fixed value", field, v)
	}
	return nil
}

// Validate checks a normalised query and refuses it when a required filter has no value, before anything
// is sent (Cloud ALM would answer 428 PRECONDITION_REQUIRED).
func Validate(q models.CalmMetricsQuery, reg *Registry) error {
	if q.Provider == "" {
		return fmt.Errorf("choose a Cloud ALM data provider (e.g. CPI_MESSAGES, \"IM - Cloud Platform Integration\")")
	}
	if err := checkText("provider", q.Provider); err != nil {
		return err
	}
	if _, err := models.ResolveFormat(models.QueryCalmMetrics, q.Format); err != nil {
		return err
	}
	if len(q.Measures) == 0 {
		return fmt.Errorf("choose at least one measure of %s (e.g. Count for CPI_MESSAGES)", q.Provider)
	}
	if len(q.Measures) > maxMeasures || len(q.Dimensions) > maxDimensions || len(q.Filters) > maxFilters {
		return fmt.Errorf("a calmMetrics query takes at most %d measures, %d dimensions and %d filters", maxMeasures, maxDimensions, maxFilters)
	}
	for _, m := range q.Measures {
		if err := checkText("measure", m.Name); err != nil {
			return err
		}
		if m.Method != "" && !slices.Contains(models.CalmMethods, m.Method) {
			return fmt.Errorf("method %q of measure %s is not supported: choose %s, or none for the provider's default", m.Method, m.Name, strings.Join(models.CalmMethods, ", "))
		}
	}
	for _, d := range q.Dimensions {
		if err := checkText("dimension", d); err != nil {
			return err
		}
	}
	for _, f := range q.Filters {
		if err := checkText("filter key", f.Key); err != nil {
			return err
		}
		if len(f.Values) > maxFilterValues {
			return fmt.Errorf("the filter %s has %d values; at most %d are allowed", f.Key, len(f.Values), maxFilterValues)
		}
		for _, v := range f.Values {
			if err := checkText("value of filter "+f.Key, v); err != nil {
				return err
			}
		}
	}
	if missing := reg.Missing(q.Provider, selection(q)); len(missing) > 0 {
		return &RequiredFilterError{Provider: q.Provider, Keys: missing}
	}
	return nil
}

// RequiredFilterError says which required filters a query lacks; the query was not sent.
type RequiredFilterError struct {
	Provider string
	Keys     []string
}

func (e *RequiredFilterError) Error() string {
	what := "the filter " + e.Keys[0]
	if len(e.Keys) > 1 {
		what = "the filters " + strings.Join(e.Keys, ", ")
	}
	return fmt.Sprintf("the Cloud ALM provider %s requires a value for %s (Cloud ALM refuses the query without it, so it was not sent): choose a value in the query editor", e.Provider, what)
}

func selection(q models.CalmMetricsQuery) []FilterSelection {
	out := make([]FilterSelection, len(q.Filters))
	for i, f := range q.Filters {
		out[i] = FilterSelection{Key: f.Key, Values: f.Values}
	}
	return out
}

// BuildRequest is the body for the items sharing w; each query's name is its refId, which Cloud ALM puts
// in front of the series names.
func BuildRequest(w Window, items []Item) DataRequest {
	req := DataRequest{
		Format:          "time_series",
		TimestampFormat: "unix",
		TimeRange:       wireRange{From: w.From.UTC().Format(calmTimeLayout), To: w.To.UTC().Format(calmTimeLayout)},
		Resolution:      w.Resolution,
		Timezone:        requestTimezone,
		Queries:         make([]wireQuery, len(items)),
	}
	switch w.Format {
	case models.FormatTable:
		req.Format = "table"
	case models.CalmFormatTableRaw:
		req.Format, req.TableType, req.TableFormat = "table", "raw", "raw"
	case models.CalmFormatTableLastSlice:
		req.Format, req.TableType, req.TableFormat = "table", "last", "last"
	}
	for i, it := range items {
		wq := wireQuery{Name: it.RefID, Provider: it.Query.Provider,
			Columns: wireColumns{Dimensions: append([]string{}, it.Query.Dimensions...), Metrics: []wireMetric{}},
			Filters: []wireFilter{}}
		for _, m := range it.Query.Measures {
			wq.Columns.Metrics = append(wq.Columns.Metrics, wireMetric{Measure: m.Name, Method: m.Method})
		}
		for _, f := range it.Query.Filters {
			wq.Filters = append(wq.Filters, wireFilter{Key: f.Key, Values: append([]string{}, f.Values...)})
		}
		req.Queries[i] = wq
	}
	return req
}
