package models

// CalmMetricsQuery is the `calmMetrics` query: metrics of one SAP Cloud ALM analytics provider (e.g.
// CPI_MESSAGES), as time series or table. JSON names are shared with src/queries/calm.ts.
type CalmMetricsQuery struct {
	// Provider is the analytics provider's name (GET /analytics/providers "name"), e.g. CPI_MESSAGES.
	Provider string `json:"provider,omitempty"`
	// Dimensions group the result, e.g. IntegrationArtifactName and StatusGroup.
	Dimensions []string `json:"dimensions,omitempty"`
	// Measures are the values, each with an optional aggregation method (the provider's default when empty).
	Measures []CalmMeasure `json:"measures,omitempty"`
	// Filters narrow the result: the values of one key are ORed, keys ANDed (Cloud ALM's semantics).
	Filters []CalmFilter `json:"filters,omitempty"`
	// Format: CalmFormatTimeSeries (default), FormatNumeric (one value per series, for alert rules),
	// FormatTable, CalmFormatTableRaw or CalmFormatTableLastSlice.
	Format Format `json:"format,omitempty"`
}

// CalmMeasure is one measure with its aggregation method.
type CalmMeasure struct {
	Name   string `json:"name"`
	Method string `json:"method,omitempty"`
}

// CalmFilter is one filter key with its accepted values.
type CalmFilter struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// The calmMetrics formats besides FormatTable. The value "timeseries" is the one the messages family adds
// to Format as well; it is named separately here so that the two families compile independently.
const (
	CalmFormatTimeSeries Format = "timeseries"
	// CalmFormatTableRaw: the rows as Cloud ALM stores them (its "raw" table).
	CalmFormatTableRaw Format = "tableRaw"
	// CalmFormatTableLastSlice: only the most recent time slice (Cloud ALM's "last" table).
	CalmFormatTableLastSlice Format = "tableLastSlice"
)

// CalmMethods are the aggregation methods the editor offers.
var CalmMethods = []string{"AVG", "MIN", "MAX", "SUM", "LAST"}
