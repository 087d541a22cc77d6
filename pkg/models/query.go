// Package models holds the query model shared by name with src/types.ts.
package models

// QueryType values; stable once shipped (saved dashboards and alert rules store them).
type QueryType string

const (
	QueryMessages         QueryType = "messages"
	QueryMessageCounts    QueryType = "messageCounts"
	QueryMessageDurations QueryType = "messageDurations"
	QueryErrorGroups      QueryType = "errorGroups"
	QueryStuckMessages    QueryType = "stuckMessages"
	QueryArtifacts        QueryType = "artifacts"
	QueryEndpoints        QueryType = "endpoints"
	QueryCertificates     QueryType = "certificates"
	QueryJMS              QueryType = "jms"
	QueryInventory        QueryType = "inventory"
	QueryAuditLogs        QueryType = "auditLogs"
	QueryLogFiles         QueryType = "logFiles"
	QueryCalmMetrics      QueryType = "calmMetrics"
)

// Format chooses between a table for panels and numeric frames with labels for alert rules.
type Format string

const (
	FormatTable   Format = "table"
	FormatNumeric Format = "numeric"
	// FormatTimeSeries: one series per group over the panel interval (message counts and durations).
	FormatTimeSeries Format = "timeseries"
	// FormatAnnotations: events for annotation queries (fields time, timeEnd, title, text, tags): artifact
	// deployments, and error groups as bursts of identical failures.
	FormatAnnotations Format = "annotations"
)

// ArtifactsQuery is the `artifacts` query: deployed runtime artifacts.
type ArtifactsQuery struct {
	ArtifactType   string `json:"artifactType,omitempty"`
	ArtifactStatus string `json:"artifactStatus,omitempty"`
	ArtifactName   string `json:"artifactName,omitempty"`
	Format         Format `json:"format,omitempty"`
}
