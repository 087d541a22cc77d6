package health

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/calm"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// ConnectionKind selects the call made for a secondary connection.
type ConnectionKind int

const (
	// CloudALM is the SAP Cloud ALM analytics API: GET /analytics/providers.
	CloudALM ConnectionKind = iota + 1
	// AuditLog is the Audit Log Retrieval API: one minute of records (Cloud Foundry) or one record (Neo).
	AuditLog
)

func (k ConnectionKind) String() string {
	if k == CloudALM {
		return "Cloud ALM"
	}
	return "Audit log"
}

// Connection is a configured secondary connection: its client, or the configuration error that kept it
// from being built.
type Connection struct {
	Kind      ConnectionKind
	Client    *cpi.Client
	ConfigErr error
	// Now replaces time.Now for the audit log window (tests).
	Now func() time.Time
}

const (
	stepCloudALM      = "Cloud ALM (GET analytics/providers)"
	stepAuditLogCF    = "Audit log (GET auditlog/v2/auditlogrecords, one minute)"
	stepAuditLogNeo   = "Audit log (GET AuditLogRecords?$top=1)"
	auditLogTimeStamp = "2006-01-02T15:04:05"
)

// withSecondary appends one step per connection and words the message "Cloud Integration: … · Cloud ALM:
// … · Audit log: …". The check is OK only when every configured connection works, but the tenant's own
// result is always said first, so a broken secondary connection is not mistaken for a broken tenant.
func withSecondary(ctx context.Context, s settings.Settings, res Result, conns []Connection) Result {
	parts := []string{"Cloud Integration: " + res.Message}
	ok := res.OK
	for _, c := range conns {
		step := checkConnection(ctx, s, c)
		res.Details = append(res.Details, step)
		parts = append(parts, c.Kind.String()+": "+step.Message)
		ok = ok && step.OK
	}
	res.OK = ok
	res.Message = strings.Join(parts, " · ")
	return res
}

func checkConnection(ctx context.Context, s settings.Settings, c Connection) Step {
	name := stepCloudALM
	if c.Kind == AuditLog {
		name = stepAuditLogCF
		if s.Environment == settings.EnvironmentNeo {
			name = stepAuditLogNeo
		}
	}
	step := Step{Name: name}
	switch {
	case c.ConfigErr != nil:
		step.Message = "not configured correctly: " + oneLine(c.ConfigErr.Error())
		return step
	case c.Client == nil:
		step.Message = "no HTTP client: check the settings of the section."
		return step
	}
	var err error
	if c.Kind == CloudALM {
		step.Message, err = probeCloudALM(ctx, c.Client)
	} else {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		step.Message, err = probeAuditLog(ctx, c.Client, s.Environment == settings.EnvironmentNeo, now())
	}
	if err != nil {
		step.Message = connectionFailure(c.Kind, err)
		return step
	}
	step.OK = true
	return step
}

func probeCloudALM(ctx context.Context, c *cpi.Client) (string, error) {
	providers, err := calm.Providers(ctx, c)
	if err != nil {
		return "", err
	}
	for _, p := range providers {
		if p.Name == "CPI_MESSAGES" {
			return fmt.Sprintf("OK, %s (CPI_MESSAGES included).", plural(int64(len(providers)), "analytics provider", "analytics providers")), nil
		}
	}
	return fmt.Sprintf("OK, %s, but not CPI_MESSAGES (Integration Monitoring of Cloud Integration): set up Integration Monitoring "+
		"for the tenant in Cloud ALM, or give the Cloud ALM API client its read scope.", plural(int64(len(providers)), "analytics provider", "analytics providers")), nil
}

// probeAuditLog reads one minute of audit records, five minutes back (the service serves records only
// after a delay), or on Neo one record.
func probeAuditLog(ctx context.Context, c *cpi.Client, neo bool, now time.Time) (string, error) {
	path, q := "auditlog/v2/auditlogrecords", url.Values{
		"time_from": {now.UTC().Add(-6 * time.Minute).Format(auditLogTimeStamp)},
		"time_to":   {now.UTC().Add(-5 * time.Minute).Format(auditLogTimeStamp)},
	}
	if neo {
		path, q = "AuditLogRecords", url.Values{"$top": {"1"}}
	}
	resp, err := c.Get(ctx, path, q)
	if err != nil {
		return "", explainAuditLog(err, c.ServiceRoot())
	}
	var body any
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		return "", c.Malformed(resp, err)
	}
	switch body.(type) {
	case []any, map[string]any:
		return "OK, audit log records readable.", nil
	}
	return "", c.Malformed(resp, fmt.Errorf("expected a list of audit log records"))
}

// explainAuditLog words the failures whose tenant wording (pkg/cpi) would mislead for the audit log API;
// the client's error stays in the chain (status, kind).
func explainAuditLog(err error, root string) error {
	e, ok := cpi.AsError(err)
	if !ok {
		return err
	}
	var text string
	switch e.Kind {
	case cpi.KindForbidden:
		text = fmt.Sprintf("%s denied access (HTTP 403): the client may not read audit logs; use the key of an Audit Log Management "+
			"instance (auditlog-management, plan default), or on Neo a platform API client with the scope Read Audit Logs.", e.Host)
	case cpi.KindNotFound, cpi.KindEntityNotFound:
		text = fmt.Sprintf("No audit log retrieval API at %s (HTTP 404): the Audit log URL must be the url of the audit log service key "+
			"(https://auditlog-management.cfapps.<region>.hana.ondemand.com), or on Neo https://api.<host>/auditlog/v1/accounts/<subaccount>.", root)
	case cpi.KindLoginPage:
		text = fmt.Sprintf("%s answered with an HTML page instead of audit records: the Audit log URL must be the url of the audit log service key.", e.Host)
	case cpi.KindUnauthorized:
		text = fmt.Sprintf("%s rejected the access token (HTTP 401, also with a fresh token): the audit log token URL and URL must come from the same service key.", e.Host)
	default:
		return err
	}
	return &explained{text: text, cause: err}
}

// explained replaces the text of a client error and keeps the error itself in the chain.
type explained struct {
	text  string
	cause error
}

func (e *explained) Error() string { return e.text }
func (e *explained) Unwrap() error { return e.cause }

// connectionFailure is a short status first ("401, check the client ID and secret") and the full
// explanation after it.
func connectionFailure(kind ConnectionKind, err error) string {
	text := oneLine(err.Error())
	e, ok := cpi.AsError(err)
	if !ok {
		return text
	}
	key := "the " + kind.String() + " service key"
	switch e.Kind {
	case cpi.KindTokenRejected:
		return fmt.Sprintf("%d, check the client ID and client secret (uaa.clientid and uaa.clientsecret of %s): %s", e.Status, key, text)
	case cpi.KindTokenURLWrong:
		return fmt.Sprintf("check the token URL (uaa.url of %s): %s", key, text)
	case cpi.KindDNS, cpi.KindConnectionRefused, cpi.KindTLSUnknownAuthority, cpi.KindTLSOther, cpi.KindTimeout, cpi.KindNetwork:
		return "cannot connect: " + text
	}
	if e.Status != 0 {
		return fmt.Sprintf("%d, %s", e.Status, text)
	}
	return text
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
