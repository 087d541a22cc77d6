package plugin

import (
	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
)

// The last line of defence for credentials: whatever a handler built from a server's answer (an error,
// a notice, a resource answer), the text passes through the redactors of the instance's clients before it
// leaves the plugin (query responses, the health result, resource bodies, and so the plugin log).

// redact removes every credential of the instance, in every form the clients send it, from s.
func (d *Datasource) redact(s string) string {
	if s == "" {
		return s
	}
	s = cpi.RedactSettings(d.settings, s)
	for _, c := range []*cpi.Client{d.client, d.calm, d.auditLog} {
		if c != nil {
			s = c.Redact(s)
		}
	}
	return s
}

// redactedError keeps the text of an error without its credentials; Unwrap still reaches the original
// for the error source and kind.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (d *Datasource) redactError(err error) error {
	if err == nil {
		return nil
	}
	if msg := d.redact(err.Error()); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
}

// redactResponse cleans a query's error and its frames' notices (which quote server texts).
func (d *Datasource) redactResponse(r backend.DataResponse) backend.DataResponse {
	r.Error = d.redactError(r.Error)
	for _, f := range r.Frames {
		if f == nil || f.Meta == nil {
			continue
		}
		for i := range f.Meta.Notices {
			f.Meta.Notices[i].Text = d.redact(f.Meta.Notices[i].Text)
		}
	}
	return r
}

// redactingSender cleans resource answers (errors and values) before Grafana gets them.
type redactingSender struct {
	d    *Datasource
	next backend.CallResourceResponseSender
}

func (s redactingSender) Send(r *backend.CallResourceResponse) error {
	if r != nil && len(r.Body) > 0 {
		cp := *r
		cp.Body = []byte(s.d.redact(string(r.Body)))
		r = &cp
	}
	return s.next.Send(r)
}
