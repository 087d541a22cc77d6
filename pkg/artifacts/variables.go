package artifacts

import (
	"context"
	"slices"
	"strings"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// Variables lists the deployed artifacts for the `artifacts` variable (text = name, value = id), sorted by
// name; filter = part of the name or id, as in the query.
func Variables(ctx context.Context, c cpi.Source, filter string) ([]models.VariableValue, error) {
	res, err := List(ctx, c, models.ArtifactsQuery{ArtifactName: filter})
	if err != nil {
		return nil, err
	}
	out := make([]models.VariableValue, len(res.Artifacts))
	for i, a := range res.Artifacts {
		out[i] = models.VariableValue{Text: a.Name, Value: a.ID}
	}
	slices.SortFunc(out, func(a, b models.VariableValue) int { return strings.Compare(a.Text, b.Text) })
	return out, nil
}
