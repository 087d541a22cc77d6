package cpi

import (
	"context"
	"net/http"
)

// Post sends body (JSON) to path, relative to the service root, and returns the answer like Get. SAP Cloud
// ALM's analytics API reads provider metadata and data with POST; those requests only
// read, so they get the same treatment as a GET: rate limit, concurrency slot, one token refresh on 401 and
// retries on 429/502/503/504. They are never cached or shared. On an HTTP error the *Response is returned
// too, so that the caller can read the API's own error body and headers (e.g. Cloud ALM's x-correlationid).
func (c *Client) Post(ctx context.Context, path string, body []byte) (*Response, error) {
	u, err := c.resolve(path, nil)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, http.MethodPost, u, body)
}
