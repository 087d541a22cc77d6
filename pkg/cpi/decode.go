package cpi

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Malformed wraps a decoding failure of resp's body as a KindMalformedResponse error (HTTP 502 on the
// query), naming the host and the API, so callers that decode a body themselves report it like every
// other client error.
func (c *Client) Malformed(resp *Response, err error) error {
	what := "is not valid JSON (truncated or invalid)"
	if errors.Is(err, odata.ErrNotJSON) {
		what = "is not JSON (the tenant ignored Accept: application/json, or a proxy answered)"
	}
	e := c.responseError(resp, "The response from %s%s "+what+"; try again, and narrow the query if it keeps happening.")
	e.Err = err
	if err != nil {
		e.Detail = odata.Excerpt(err.Error(), 300)
	}
	return WithSource(c.desc.finish(e))
}

// pagingError reports a tenant whose pages contradict each other (a page repeating another, links that
// loop): the result cannot be read without duplicates.
func (c *Client) pagingError(resp *Response, detail string) error {
	e := c.responseError(resp, "%s pages the answer%s inconsistently, so it cannot be read without duplicates; try again, and narrow the query if it keeps happening.")
	e.Detail = detail
	return WithSource(c.desc.finish(e))
}

// responseError fills a KindMalformedResponse error for resp; format takes the host and " to <API>".
func (c *Client) responseError(resp *Response, format string) *Error {
	host, api := c.desc.apiHost, ""
	if resp != nil {
		host = odata.HostPort(resp.URL)
		if u, err := url.Parse(resp.URL); err == nil {
			api = " to " + entitySet(u, c.desc.serviceRoot)
		}
	}
	e := &Error{Kind: KindMalformedResponse, Host: host, Message: fmt.Sprintf(format, host, api)}
	if resp != nil {
		e.Status = resp.Status
	}
	return e
}

// Count GETs a /$count path and parses the plain-number body.
func (c *Client) Count(ctx context.Context, path string, query url.Values) (int64, *Response, error) {
	resp, err := c.Get(ctx, path, query)
	if err != nil {
		return 0, resp, err
	}
	n, err := odata.ParseCount(resp.Body)
	resp.Release()
	if err != nil {
		return 0, resp, c.Malformed(resp, err)
	}
	return n, resp, nil
}

// GetEntity GETs a single entity ({"d":{…}}) through src and decodes it; a body that does not decode is
// a KindMalformedResponse error naming the API.
func GetEntity[T any](ctx context.Context, src Source, path string, query url.Values) (T, *Response, error) {
	var out T
	resp, err := src.Get(ctx, path, query)
	if err != nil {
		return out, resp, err
	}
	out, err = odata.DecodeEntityBytes[T](resp.Body)
	resp.Release()
	if err != nil {
		return out, resp, src.Malformed(resp, err)
	}
	return out, resp, nil
}

// GetCollection GETs one page of an entity set and decodes the OData envelope.
func GetCollection[T any](ctx context.Context, c *Client, path string, query url.Values) (odata.Collection[T], *Response, error) {
	resp, err := c.Get(ctx, path, query)
	if err != nil {
		return odata.Collection[T]{}, resp, err
	}
	col, err := odata.DecodeCollectionBytes[T](resp.Body)
	resp.Release()
	if err != nil {
		return col, resp, c.Malformed(resp, err)
	}
	return col, resp, nil
}
