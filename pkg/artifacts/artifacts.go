// Package artifacts answers the `artifacts` query: deployed runtime artifacts (IntegrationRuntimeArtifacts)
// with their status and, for those in ERROR, the deployment error text.
package artifacts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

// Artifact is one deployed runtime artifact.
type Artifact struct {
	ID         string     `json:"Id"`
	Version    string     `json:"Version"`
	Name       string     `json:"Name"`
	Type       string     `json:"Type"`
	DeployedBy string     `json:"DeployedBy"`
	DeployedOn odata.Time `json:"DeployedOn"`
	Status     string     `json:"Status"`
	ErrorText  string     `json:"-"`
}

const (
	// maxErrorTexts bounds the per-artifact error calls of one query.
	maxErrorTexts = 25
	// maxArtifacts bounds the deployed artifacts read (a large tenant deploys a few thousand).
	maxArtifacts = 50 * cpi.MaxPageSize
)

var selectFields = "Id,Version,Name,Type,DeployedBy,DeployedOn,Status"

// Result is what one query fetched, with the requests it made.
type Result struct {
	Artifacts []Artifact
	Requests  []string
	Notices   []data.Notice
}

// List returns the deployed artifacts matching q, errors first, without error texts. The API's $filter
// allows only "or" and no nesting, so one field (status, else type) is filtered on the server and the rest
// locally.
func List(ctx context.Context, c cpi.Source, q models.ArtifactsQuery) (Result, error) {
	var res Result
	for field, value := range map[string]string{"artifact type": q.ArtifactType, "artifact status": q.ArtifactStatus, "artifact name": q.ArtifactName} {
		if err := odata.CheckValue(field, value); err != nil {
			return res, err
		}
	}
	query := url.Values{"$select": {selectFields}}
	switch {
	case q.ArtifactStatus != "":
		query.Set("$filter", odata.Eq("Status", q.ArtifactStatus))
	case q.ArtifactType != "":
		query.Set("$filter", odata.Eq("Type", q.ArtifactType))
	}
	all, lr, err := listing(ctx, c, query)
	res.Requests = append(res.Requests, lr.Requests...)
	if err != nil {
		return res, err
	}
	if n := lr.Notice("deployed artifacts"); n != "" {
		res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: n})
	}
	for _, a := range all {
		if matches(a, q) {
			res.Artifacts = append(res.Artifacts, a)
		}
	}
	sort.SliceStable(res.Artifacts, func(i, j int) bool {
		ei, ej := res.Artifacts[i].Status == "ERROR", res.Artifacts[j].Status == "ERROR"
		if ei != ej {
			return ei
		}
		return res.Artifacts[i].Name < res.Artifacts[j].Name
	})
	return res, nil
}

// listing reads the deployed artifacts: the stat, the table and the deployment annotations of one
// refresh (and, unfiltered, the message queries' deployed iFlows) share one listing.
func listing(ctx context.Context, c cpi.Source, query url.Values) ([]Artifact, cpi.ListResult, error) {
	return cpi.List[Artifact](cpi.CacheFor(ctx, cpi.RefreshTTL), c, cpi.ListOptions{Path: "IntegrationRuntimeArtifacts", Query: query, MaxRows: maxArtifacts})
}

// Deployed lists every deployed artifact, unsorted, with the listing's requests: the same listing as an
// unfiltered artifacts query of the same refresh.
func Deployed(ctx context.Context, c cpi.Source) ([]Artifact, cpi.ListResult, error) {
	return listing(ctx, c, url.Values{"$select": {selectFields}})
}

// Fetch is List plus the error text of each artifact in ERROR (bounded by maxErrorTexts).
func Fetch(ctx context.Context, c cpi.Source, q models.ArtifactsQuery) (Result, error) {
	ctx = cpi.CacheFor(ctx, cpi.RefreshTTL) // shared with the other panels of the refresh, error texts included
	res, err := List(ctx, c, q)
	if err != nil {
		return res, err
	}
	addErrorTexts(ctx, c, &res)
	return res, nil
}

// addErrorTexts reads the error text of each artifact in ERROR (bounded by maxErrorTexts).
func addErrorTexts(ctx context.Context, c cpi.Source, res *Result) {
	fetched := 0
	for i := range res.Artifacts {
		a := &res.Artifacts[i]
		if a.Status != "ERROR" {
			continue
		}
		if fetched == maxErrorTexts {
			res.Notices = append(res.Notices, data.Notice{Severity: data.NoticeSeverityInfo,
				Text: fmt.Sprintf("Error texts were read for the first %d artifacts in ERROR only.", maxErrorTexts)})
			break
		}
		fetched++
		// A deployment's error text does not change until the artifact is deployed again; without a
		// deployment time a redeployment cannot be told apart, so the text is read like any answer.
		textCtx := ctx
		if !a.DeployedOn.IsZero() {
			textCtx = cpi.ImmutableWhile(ctx, a.Version+"@"+a.DeployedOn.String())
		}
		text, reqURL, err := errorText(textCtx, c, a.ID)
		if reqURL != "" {
			res.Requests = append(res.Requests, reqURL)
		}
		if err != nil {
			a.ErrorText = "(error text not available: " + err.Error() + ")"
			continue
		}
		a.ErrorText = text
	}
}

func matches(a Artifact, q models.ArtifactsQuery) bool {
	if q.ArtifactType != "" && !strings.EqualFold(a.Type, q.ArtifactType) {
		return false
	}
	if q.ArtifactStatus != "" && !strings.EqualFold(a.Status, q.ArtifactStatus) {
		return false
	}
	if q.ArtifactName != "" {
		needle := strings.ToLower(q.ArtifactName)
		return strings.Contains(strings.ToLower(a.Name), needle) || strings.Contains(strings.ToLower(a.ID), needle)
	}
	return true
}

// errorText reads ErrorInformation/$value: JSON whose "parameter" array carries the message; right after a
// failed deployment SAP may answer 204 until the text exists.
func errorText(ctx context.Context, c cpi.Source, id string) (string, string, error) {
	resp, err := c.Get(ctx, "IntegrationRuntimeArtifacts("+odata.KeyPredicate(id)+")/ErrorInformation/$value", nil)
	if err != nil {
		return "", "", err
	}
	if resp.Status == 204 || len(bytes.TrimSpace(resp.Body)) == 0 {
		return "(no error text yet: SAP provides it shortly after the failed deployment)", resp.URL, nil
	}
	var body struct {
		Message struct {
			Subsystem string `json:"subsytemName"`
			Message   string `json:"messageId"`
		} `json:"message"`
		Parameter []string `json:"parameter"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || len(body.Parameter) == 0 {
		return strings.TrimSpace(string(resp.Body)), resp.URL, nil //nolint:nilerr // a non-JSON body is the text itself
	}
	return strings.Join(body.Parameter, "; "), resp.URL, nil
}

// tableFrame lists the artifacts, errors first.
func tableFrame(r Result, tenant string) *data.Frame {
	n := len(r.Artifacts)
	names, ids, types, versions, statuses, by, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	on := make([]*time.Time, n)
	for i, a := range r.Artifacts {
		names[i], ids[i], types[i], versions[i], statuses[i], by[i], errs[i] = a.Name, a.ID, a.Type, a.Version, a.Status, a.DeployedBy, a.ErrorText
		if !a.DeployedOn.IsZero() {
			t := a.DeployedOn.Time
			on[i] = &t
		}
	}
	return frames.Table("artifacts", tenant, frames.Meta(r.Requests, r.Notices...),
		data.NewField("Name", nil, names),
		data.NewField("Id", nil, ids),
		data.NewField("Type", nil, types),
		data.NewField("Version", nil, versions),
		data.NewField("Status", nil, statuses),
		data.NewField("Deployed by", nil, by),
		data.NewField("Deployed on", nil, on),
		data.NewField("Error", nil, errs),
	)
}

// numericFrames returns one numeric frame per artifact: 1 when STARTED, 0 otherwise. The status is not a
// label, so an alert instance keeps its identity when the status changes.
func numericFrames(r Result, tenant string) data.Frames {
	series := make([]frames.Series, len(r.Artifacts))
	for i, a := range r.Artifacts {
		started := 0.0
		if a.Status == "STARTED" {
			started = 1
		}
		series[i] = frames.Series{Frame: "artifact status", Field: "started", Labels: data.Labels{"artifact": a.ID, "type": a.Type},
			Config: &data.FieldConfig{DisplayNameFromDS: a.Name}, Values: []float64{started}}
	}
	return frames.NumericFrames(tenant, data.FrameTypeNumericMulti, frames.Meta(r.Requests, r.Notices...), series)
}

// Frames is the answer in the query's format: a table, one status value per artifact for alert rules
// (numeric), or deployment events (annotations, from Deployments).
func Frames(r Result, q models.ArtifactsQuery, tenant string) data.Frames {
	switch q.Format {
	case models.FormatAnnotations:
		return data.Frames{annotationsFrame(r, tenant)}
	case models.FormatNumeric:
		return numericFrames(r, tenant)
	}
	return data.Frames{tableFrame(r, tenant)}
}
