package cpi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Malformed wraps a decoding failure of resp's body as a KindMalformedResponse error, so callers that
// decode a body themselves report it like every other client error.
func (c *Client) Malformed(resp *Response, err error) error {
	host := c.desc.apiHost
	if resp != nil {
		host = odata.HostPort(resp.URL)
	}
	what := "is not valid JSON (truncated or invalid)"
	if errors.Is(err, odata.ErrNotJSON) {
		what = "is not JSON (the tenant ignored Accept: application/json, or a proxy answered)"
	}
	e := &Error{Kind: KindMalformedResponse, Host: host, Err: err,
		Message: fmt.Sprintf("The response from %s %s; try again, and narrow the query if it keeps happening.", host, what)}
	if err != nil {
		e.Detail = shorten(err.Error(), 300)
	}
	if resp != nil {
		e.Status = resp.Status
	}
	return withSource(c.desc.finish(e))
}

// Count GETs a /$count path and parses the plain-number body.
func (c *Client) Count(ctx context.Context, path string, query url.Values) (int64, *Response, error) {
	resp, err := c.Get(ctx, path, query)
	if err != nil {
		return 0, resp, err
	}
	n, err := odata.ParseCount(resp.Body)
	if err != nil {
		return 0, resp, c.Malformed(resp, err)
	}
	return n, resp, nil
}

// GetCollection GETs one page of an entity set and decodes the OData envelope.
func GetCollection[T any](ctx context.Context, c *Client, path string, query url.Values) (odata.Collection[T], *Response, error) {
	resp, err := c.Get(ctx, path, query)
	if err != nil {
		return odata.Collection[T]{}, resp, err
	}
	col, err := odata.DecodeCollection[T](bytes.NewReader(resp.Body))
	if err != nil {
		return col, resp, c.Malformed(resp, err)
	}
	return col, resp, nil
}
