package artifacts

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/frames"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// Deployments lists the artifacts matching q whose current deployment (DeployedOn) lies in [from, to],
// oldest first, with the error text of those in ERROR. SAP keeps only the current deployment of each
// artifact and refuses $filter on DeployedOn, so the range is applied here to the one list request.
func Deployments(ctx context.Context, c cpi.Source, q models.ArtifactsQuery, from, to time.Time) (Result, error) {
	ctx = cpi.CacheFor(ctx, cpi.RefreshTTL) // shared with the other panels of the refresh, error texts included
	res, err := List(ctx, c, q)
	if err != nil {
		return res, err
	}
	res.Artifacts = slices.DeleteFunc(res.Artifacts, func(a Artifact) bool {
		return a.DeployedOn.IsZero() || a.DeployedOn.Before(from) || a.DeployedOn.After(to)
	})
	slices.SortStableFunc(res.Artifacts, func(a, b Artifact) int {
		return cmp.Or(a.DeployedOn.Compare(b.DeployedOn.Time), strings.Compare(a.ID, b.ID))
	})
	addErrorTexts(ctx, c, &res)
	return res, nil
}

// annotationsFrame turns deployments into annotation events: time, title ("Deployed <name> <version>"),
// text (deployer, status and, for a failed deployment, the error), tags (type, status; Grafana splits a
// comma-separated string into tags) and the tenant.
func annotationsFrame(r Result, tenant string) *data.Frame {
	n := len(r.Artifacts)
	times := make([]time.Time, n)
	titles, texts, tags := make([]string, n), make([]string, n), make([]string, n)
	ids := make([]string, n)
	for i, a := range r.Artifacts {
		times[i] = a.DeployedOn.Time
		titles[i] = strings.TrimSpace("Deployed " + cmp.Or(a.Name, a.ID) + " " + a.Version)
		text := "Deployed by " + cmp.Or(a.DeployedBy, "unknown") + " · status " + cmp.Or(a.Status, "unknown")
		if a.ErrorText != "" {
			text += "\n" + a.ErrorText
		}
		texts[i] = text
		tags[i] = strings.Join(slices.DeleteFunc([]string{a.Type, a.Status}, func(s string) bool { return s == "" }), ",")
		ids[i] = a.ID
	}
	frame := data.NewFrame("deployments",
		data.NewField("time", nil, times),
		data.NewField("title", nil, titles),
		data.NewField("text", nil, texts),
		data.NewField("tags", nil, tags),
		data.NewField("artifact", nil, ids),
		frames.TenantColumn(tenant, n),
	)
	frame.Meta = frames.Meta(r.Requests, r.Notices...)
	frame.Meta.Type = data.FrameTypeTable
	return frame
}
