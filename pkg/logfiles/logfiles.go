// Package logfiles answers the `logFiles` query: the system log files of a Neo tenant (LogFiles API)
// and, for one file, its lines within the time range (HTTP access log or trace log), as a
// table or as log lines. SAP offers this API on Neo only.
package logfiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

const (
	// Role is what a Neo user or OAuth client needs to read log files.
	Role = "IntegrationOperationServer.read"

	// DefaultMaxLines bounds the lines of one file a query returns (in the time range); DefaultMaxBytes
	// bounds the uncompressed bytes read from it. A notice says when either was reached.
	DefaultMaxLines = 10000
	DefaultMaxBytes = 64 << 20

	// maxListFiles bounds the log file list (a tenant keeps a few files per day).
	maxListFiles = 10 * cpi.MaxPageSize
)

// ErrNotNeo is the answer on Cloud Foundry, where SAP offers no log files API.
var ErrNotNeo = errors.New("Log files are available only for Cloud Integration tenants in the Neo environment: SAP offers the LogFiles API " +
	"on Neo only. On Cloud Foundry, use the SAP Cloud Logging service (or the external logging of Cloud Integration, which sends " +
	"message processing logs to Cloud Logging or Splunk) for system logs, and the messages query types of this data source for " +
	"message processing; if this tenant runs on Neo, set the environment to Neo in the data source settings.")

// fileNamePattern is what SAP's log file names look like (http_access_04766fd_2018-07-09.log); anything
// else is refused before it becomes part of a URL path.
var fileNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$`)

// File is one LogFiles entry.
type File struct {
	Name         string     `json:"Name"`
	Application  string     `json:"Application"`
	LastModified odata.Time `json:"LastModified"`
	ContentType  string     `json:"ContentType"`
	LogFileType  string     `json:"LogFileType"`
	NodeScope    string     `json:"NodeScope"`
	Size         flexInt    `json:"Size"`
}

// flexInt accepts Edm.Int64 as a JSON number or, as SAP's example shows ("Size": "6961"), a string.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("log file size %q is not a number", s)
	}
	*n = flexInt(v)
	return nil
}

// Options of one query.
type Options struct {
	From, To time.Time
	Query    models.LogFilesQuery
	// MaxLines and MaxBytes override the defaults (tests).
	MaxLines int
	MaxBytes int64
}

// Result is what one query read, with the requests it made.
type Result struct {
	Files []File
	// File is the file whose lines were read (when Query.FileName is set).
	File   *File
	Access []AccessLine
	Trace  []TraceLine
	// Lines counts the lines of the file that were read, in or out of the range.
	Lines    int
	Requests []string
	Notices  []data.Notice
}

func validate(q models.LogFilesQuery) error {
	switch q.LogFileType {
	case "", models.LogFileTypeHTTP, models.LogFileTypeTrace:
	default:
		if err := odata.CheckValue("log file type", q.LogFileType); err != nil {
			return err
		}
		return fmt.Errorf("log file type %q is not one of http, trace", q.LogFileType)
	}
	if q.FileName != "" {
		if err := odata.CheckValue("file name", q.FileName); err != nil {
			return err
		}
		if !fileNamePattern.MatchString(q.FileName) {
			return fmt.Errorf("file name %q is not a log file name (letters, digits, '.', '_' and '-', like http_access_04766fd_2018-07-09.log)", q.FileName)
		}
	}
	return nil
}

// List returns the log files that can hold lines of the time range (modified at or after its start),
// newest first. The file's date in its name excludes files that start after the range.
func List(ctx context.Context, c cpi.Source, o Options) (Result, error) {
	var res Result
	if err := validate(o.Query); err != nil {
		return res, err
	}
	ctx = cpi.WithRole(ctx, Role)
	terms := []string{}
	if o.Query.LogFileType != "" {
		terms = append(terms, odata.Eq("LogFileType", o.Query.LogFileType))
	}
	if o.Query.FileName != "" {
		terms = append(terms, odata.Eq("Name", o.Query.FileName))
	}
	if !o.From.IsZero() {
		terms = append(terms, "LastModified ge "+odata.DateTimeLiteral(o.From))
	}
	query := url.Values{"$select": {"Name,Application,LastModified,ContentType,LogFileType,NodeScope,Size"}}
	if f := odata.And(terms...); f != "" {
		query.Set("$filter", f)
	}
	files, lr, err := cpi.List[File](ctx, c, cpi.ListOptions{Path: "LogFiles", Query: query, MaxRows: maxListFiles, NextOnly: true})
	res.Requests = append(res.Requests, lr.Requests...)
	if err != nil {
		return res, adaptError(err)
	}
	if n := lr.Notice("log files"); n != "" {
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: n})
	}
	for _, f := range files {
		// The filters are repeated here: a server that ignores $filter must not widen the answer.
		switch {
		case o.Query.LogFileType != "" && f.LogFileType != o.Query.LogFileType:
		case o.Query.FileName != "" && f.Name != o.Query.FileName:
		case !o.To.IsZero() && startsAfter(f.Name, o.To):
		case !o.From.IsZero() && !f.LastModified.IsZero() && f.LastModified.Before(o.From):
		default:
			res.Files = append(res.Files, f)
		}
	}
	slices.SortStableFunc(res.Files, func(a, b File) int {
		if c := b.LastModified.Compare(a.LastModified.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return res, nil
}

var nameDate = regexp.MustCompile(`_(\d{4}-\d{2}-\d{2})\.log$`)

// startsAfter reports whether a daily file (…_YYYY-MM-DD.log) begins after t.
func startsAfter(name string, t time.Time) bool {
	m := nameDate.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	day, err := time.Parse("2006-01-02", m[1])
	return err == nil && day.After(t)
}

// Fetch lists the files, or with Query.FileName set reads that file's lines within the time range.
func Fetch(ctx context.Context, c cpi.Source, o Options) (Result, error) {
	if o.Query.FileName == "" {
		return List(ctx, c, o)
	}
	// The download needs the file's Application (part of the key): one filtered list call finds it.
	listOpts := o
	listOpts.From, listOpts.To = time.Time{}, time.Time{}
	res, err := List(ctx, c, listOpts)
	if err != nil {
		return res, err
	}
	if len(res.Files) == 0 {
		return res, fmt.Errorf("the tenant has no log file %q (log files are kept for a limited time): pick one from the list of log files", o.Query.FileName)
	}
	if len(res.Files) > 1 {
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityInfo,
			Text: fmt.Sprintf("%d applications have a log file %q; the lines of application %s are shown.", len(res.Files), o.Query.FileName, res.Files[0].Application)})
	}
	f := res.Files[0]
	res.File = &f
	resp, err := c.Get(cpi.WithRole(ctx, Role), "LogFiles(Name="+odata.KeyPredicate(f.Name)+",Application="+odata.KeyPredicate(f.Application)+")/$value", nil)
	if resp != nil {
		res.Requests = append(res.Requests, resp.URL)
	}
	if err != nil {
		return res, adaptError(err)
	}
	maxBytes := o.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	maxLines := o.MaxLines
	if maxLines <= 0 {
		maxLines = DefaultMaxLines
	}
	text, cut, err := decompress(resp.Body, maxBytes)
	if err != nil {
		return res, c.Malformed(resp, fmt.Errorf("reading log file %s: %w", f.Name, err))
	}
	switch cut {
	case cutSize:
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("Log file %s is larger than %d MiB uncompressed; only its beginning was read.", f.Name, maxBytes>>20)})
	case cutDamaged:
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("Log file %s ends early (incomplete gzip data); the lines up to there are shown.", f.Name)})
	}
	trace := f.LogFileType == models.LogFileTypeTrace || (f.LogFileType == "" && strings.Contains(f.Name, "trace"))
	capped := parseLines(text, trace, o.From, o.To, maxLines, &res)
	if capped {
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("Only the first %d lines of %s in the time range are shown: narrow the time range.", maxLines, f.Name)})
	}
	return res, nil
}

// Why decompress returned less than the whole file.
const (
	cutNone = iota
	cutSize
	cutDamaged
)

// decompress gunzips body (a log file is gzip); a body that is not gzip (a proxy may already have
// decoded it) is taken as text. At most maxBytes are returned, cut at a line end, so a gzip bomb costs
// no more than maxBytes of memory.
func decompress(body []byte, maxBytes int64) ([]byte, int, error) {
	var r io.Reader = bytes.NewReader(body)
	if len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, cutNone, fmt.Errorf("the gzip data is damaged: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	cut := cutNone
	switch {
	case int64(len(out)) > maxBytes:
		out, cut = out[:maxBytes], cutSize
	case errors.Is(err, io.ErrUnexpectedEOF):
		cut = cutDamaged
	case err != nil:
		return nil, cutNone, fmt.Errorf("the gzip data is damaged: %w", err)
	}
	if cut != cutNone {
		// Keep complete lines only.
		if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
			out = out[:i+1]
		} else {
			out = nil
		}
	}
	return out, cut, nil
}

// adaptError explains a 404 of the LogFiles API (the tenant is not on Neo) and keeps everything else.
func adaptError(err error) error {
	e, ok := cpi.AsError(err)
	if !ok || (e.Kind != cpi.KindNotFound && e.Kind != cpi.KindEntityNotFound) {
		return err
	}
	cp := *e
	cp.Message = fmt.Sprintf("%s has no log files API (HTTP 404): SAP offers LogFiles on Neo tenants only; check that this tenant runs on Neo (data source environment), or, for one file, that it still exists.", e.Host)
	return cpi.WithSource(&cp)
}

// MarshalJSON keeps File readable in goldens and logs (Size as a number).
func (n flexInt) MarshalJSON() ([]byte, error) { return json.Marshal(int64(n)) }
