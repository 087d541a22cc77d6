package models

// The logs family: auditLogs and logFiles. JSON names are shared with src/queries/logs.ts.

// FormatLogs asks for a logs frame (data plane "log-lines": timestamp, body, severity, id, labels), what
// Explore's logs view and the logs panel show.
const FormatLogs Format = "logs"

// AuditLogsQuery is the `auditLogs` query: audit log records of the subaccount (Cloud Foundry: BTP Audit
// Log Retrieval API; Neo: the Neo audit log retrieval API) in the time range.
type AuditLogsQuery struct {
	// Category is one audit category (audit.security-events, audit.configuration, audit.data-access,
	// audit.data-modification) or several separated by commas; empty = all.
	Category string `json:"category,omitempty"`
	// UserContains is a case-insensitive substring of the user; empty = all users.
	UserContains string `json:"userContains,omitempty"`
	// CPIOnly keeps only the events written by Cloud Integration; nil means true (the audit log of a
	// subaccount holds every service's events, and this data source is about Cloud Integration).
	CPIOnly *bool  `json:"cpiOnly,omitempty"`
	Format  Format `json:"format,omitempty"` // table (default) | logs
}

// OnlyCPI is CPIOnly with its default applied.
func (q AuditLogsQuery) OnlyCPI() bool { return q.CPIOnly == nil || *q.CPIOnly }

// Log file types of the Neo LogFiles API.
const (
	LogFileTypeHTTP  = "http"
	LogFileTypeTrace = "trace"
)

// LogFilesQuery is the `logFiles` query (Neo only): the tenant's log files, or the lines of one file
// within the time range.
type LogFilesQuery struct {
	LogFileType string `json:"logFileType,omitempty"` // http | trace; empty = both
	// FileName, when set, selects one file (LogFiles.Name) whose lines in the time range are returned.
	FileName string `json:"fileName,omitempty"`
	Format   Format `json:"format,omitempty"` // table (default) | logs (lines of FileName only)
}
