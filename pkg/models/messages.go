package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The five message query types. Option names are shared with src/queries/messages.ts.

// MessageFilterValues is a multi-value filter: a JSON array of strings. A single string is accepted as a
// one-element list (alert rules written by hand), null as empty.
type MessageFilterValues []string

// UnmarshalJSON implements json.Unmarshaler.
func (v *MessageFilterValues) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*v = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = MessageFilterValues{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("expected a list of strings, got %s", msgShortJSON(b))
	}
	*v = list
	return nil
}

// MessageFilters are the filters every message query type shares. Several values of one list are ORed,
// different fields ANDed.
type MessageFilters struct {
	IFlows    MessageFilterValues `json:"iflows,omitempty"`    // IntegrationArtifact/Id
	Packages  MessageFilterValues `json:"packages,omitempty"`  // IntegrationArtifact/PackageId
	Statuses  MessageFilterValues `json:"statuses,omitempty"`  // Status
	Senders   MessageFilterValues `json:"senders,omitempty"`   // Sender
	Receivers MessageFilterValues `json:"receivers,omitempty"` // Receiver

	MessageID              string `json:"messageId,omitempty"`              // MessageGuid
	CorrelationID          string `json:"correlationId,omitempty"`          // CorrelationId
	ApplicationMessageID   string `json:"applicationMessageId,omitempty"`   // ApplicationMessageId
	ApplicationMessageType string `json:"applicationMessageType,omitempty"` // ApplicationMessageType
	CustomStatus           string `json:"customStatus,omitempty"`           // CustomStatus
	CustomHeaderName       string `json:"customHeaderName,omitempty"`       // filterCustomHeaderProperties
	CustomHeaderValue      string `json:"customHeaderValue,omitempty"`
}

// MessagesQuery is the `messages` query: message processing logs in the range.
type MessagesQuery struct {
	MessageFilters
	MaxRows       *int   `json:"maxRows,omitempty"`       // default 10000
	WithErrorText *bool  `json:"withErrorText,omitempty"` // default true
	Format        Format `json:"format,omitempty"`        // table (default) | logs
}

// MessageCountsQuery is the `messageCounts` query.
type MessageCountsQuery struct {
	MessageFilters
	GroupBy string `json:"groupBy,omitempty"` // status (default) | iflow | package | sender | receiver | iflowStatus
	Format  Format `json:"format,omitempty"`  // timeseries (default) | numeric | table
}

// MessageDurationsQuery is the `messageDurations` query.
type MessageDurationsQuery struct {
	MessageFilters
	GroupBy string `json:"groupBy,omitempty"` // iflow (default) | none
	Format  Format `json:"format,omitempty"`  // timeseries (default) | table
}

// ErrorGroupsQuery is the `errorGroups` query.
type ErrorGroupsQuery struct {
	MessageFilters
	IncludeRetry bool `json:"includeRetry,omitempty"` // also RETRY and ESCALATED
	// MaxErrorTexts bounds the error texts read per query (default 500); texts already cached are free.
	MaxErrorTexts *int   `json:"maxErrorTexts,omitempty"`
	Format        Format `json:"format,omitempty"` // table (default) | numeric
}

// StuckMessagesQuery is the `stuckMessages` query.
type StuckMessagesQuery struct {
	MessageFilters
	StuckMinutes *int   `json:"stuckMinutes,omitempty"` // default 60
	Format       Format `json:"format,omitempty"`       // table (default) | numeric
}

func msgShortJSON(b []byte) string {
	if len(b) > 60 {
		// Cut at a character boundary: half a UTF-8 sequence would make the message invalid text.
		n := 60
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		return string(b[:n]) + "…"
	}
	return string(b)
}
