package cpi

import (
	"fmt"
	"net/url"
)

// ListOptions describes one listing.
type ListOptions struct {
	// Path is the entity set (or navigation) relative to the service root, e.g. "MessageProcessingLogs".
	Path string
	// Query holds $filter, $select, $orderby and custom options; $top, $skip and $inlinecount are set by
	// the reader. Paging by $skip needs a stable order: give an $orderby.
	Query url.Values
	// MaxRows caps the rows read (0 = all); ListResult.Capped tells whether more existed.
	MaxRows int
	// Parallel bounds the page requests in flight (default: the client's maximum concurrency).
	Parallel int
	// NextOnly sends Query as given (no $top, $skip, $inlinecount) and follows __next: for collections
	// whose API documents none of these options.
	NextOnly bool
}

// ListResult describes what a listing did.
type ListResult struct {
	Total        int64    // __count of the first page; -1 when the server did not send it
	Rows         int      // rows delivered
	Capped       bool     // MaxRows cut the result: more rows existed
	Incomplete   bool     // the tenant's pages ended short of its count (it ignored $skip without __next, or counted wrongly)
	FollowedNext bool     // pages were read by following __next
	Requests     []string // URLs requested, in page order (for the Query inspector)
	Cached       int      // how many of them were answered by the cache or an identical request in flight
}

// Notice says in words what the listing could not read, for a notice on the frame; empty when the
// result is whole. what names the rows ("deployed artifacts").
func (r ListResult) Notice(what string) string {
	text := r.CountNotice(what)
	if r.Capped {
		capped := fmt.Sprintf("Only the first %d %s were read", r.Rows, what)
		if r.Total > int64(r.Rows) {
			capped += fmt.Sprintf(" of %d", r.Total)
		}
		capped += ": narrow the query."
		if text != "" {
			return capped + " " + text
		}
		return capped
	}
	return text
}

// CountNotice is the part of Notice about the tenant's count, for callers that word their own caps.
func (r ListResult) CountNotice(what string) string {
	if !r.Incomplete {
		return ""
	}
	return fmt.Sprintf("The tenant counted %d %s but its pages held %d: the result may be incomplete.", r.Total, what, r.Rows)
}
