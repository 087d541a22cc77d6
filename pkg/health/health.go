// Package health is the data source's "Save & test": it makes the same kind of real calls the queries
// make and, when one fails, says in one or two sentences what is wrong and what to do.
package health

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// Step is one call of the check.
type Step struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

// Result is what the plugin turns into a backend.CheckHealthResult (Message as the message, Details as
// JSON details).
type Result struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Details []Step `json:"details"`
}

const (
	stepArtifacts   = "Deployed artifacts (GET IntegrationRuntimeArtifacts/$count)"
	stepMessageLogs = "Message processing logs (GET MessageProcessingLogs?$top=1)"
)

// Check makes two real calls: the number of deployed artifacts (authentication, host, role) and one
// message processing log (the data almost every panel needs). Each configured secondary connection
// (Cloud ALM, audit log) gets one cheap call of its own and is reported separately (connections.go).
func Check(ctx context.Context, s settings.Settings, c *cpi.Client, secondary ...Connection) Result {
	res := checkTenant(ctx, s, c)
	if len(secondary) == 0 {
		return res
	}
	return withSecondary(ctx, s, res, secondary)
}

func checkTenant(ctx context.Context, s settings.Settings, c *cpi.Client) Result {
	var res Result
	if c == nil {
		res.Message = "The data source has no HTTP client: check the settings."
		return res
	}
	host := odata.HostPort(s.APIBaseURL)

	n, _, err := c.Count(ctx, "IntegrationRuntimeArtifacts/$count", nil)
	if err != nil {
		msg := failureMessage(s, err)
		res.Details = append(res.Details, Step{Name: stepArtifacts, Message: msg})
		res.Message = msg
		return res
	}
	artifacts := plural(n, "deployed artifact", "deployed artifacts")
	res.Details = append(res.Details, Step{Name: stepArtifacts, OK: true, Message: artifacts})

	q := url.Values{"$top": {"1"}, "$select": {"MessageGuid"}}
	_, _, err = cpi.GetCollection[struct{ MessageGuid string }](ctx, c, "MessageProcessingLogs", q)
	if err != nil {
		var msg string
		if cpi.IsKind(err, cpi.KindForbidden) {
			msg = fmt.Sprintf("Connected to %s: %s are readable, but message processing logs need the role %s "+
				"(Process Integration Runtime instance, plan api): add the role and create a new service key; role changes can take up to 1 h.",
				host, artifacts, cpi.DefaultRole)
		} else {
			msg = fmt.Sprintf("Connected to %s: %s, but reading message processing logs failed: %s", host, artifacts, errorText(err))
		}
		res.Details = append(res.Details, Step{Name: stepMessageLogs, Message: errorText(err)})
		res.Message = msg
		return res
	}
	res.Details = append(res.Details, Step{Name: stepMessageLogs, OK: true, Message: "readable"})
	res.OK = true
	res.Message = fmt.Sprintf("Connected to %s%s: %s, message logs readable.", host, asLabel(s.TenantLabel, host), artifacts)
	return res
}

// failureMessage is the message for a failed first call: the settings' host hint (if the URL looks like
// a UI or runtime host) followed by the client's actionable error text.
func failureMessage(s settings.Settings, err error) string {
	text := errorText(err)
	hint := settings.HostHint(s.APIBaseURL)
	if hint == "" {
		return text
	}
	if e, ok := cpi.AsError(err); ok && e.Kind == cpi.KindLoginPage {
		// The hint already says which host this is and what to use instead; keep only what happened.
		text = fmt.Sprintf("(%s answered with an HTML page instead of the API's JSON.)", e.Host)
	}
	return strings.TrimSpace(hint + " " + text)
}

func errorText(err error) string {
	if e, ok := cpi.AsError(err); ok {
		return e.Error()
	}
	return err.Error()
}

func asLabel(label, host string) string {
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}
	if label == "" || strings.EqualFold(label, host) || strings.EqualFold(label, hostname) {
		return ""
	}
	return " as " + label
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
