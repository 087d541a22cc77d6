package inventory

import (
	"context"
	"slices"
	"strings"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// PackageVariables lists the design-time integration packages for the `designPackages` variable (text =
// name, value = id), sorted by name regardless of case; filter = part of the name or id.
func PackageVariables(ctx context.Context, g cpi.Source, filter string) ([]models.VariableValue, error) {
	pkgs, err := ListPackages(ctx, g)
	if err != nil {
		return nil, err
	}
	filter = strings.ToLower(strings.TrimSpace(filter))
	out := []models.VariableValue{}
	for _, p := range pkgs {
		name := p.Name
		if name == "" {
			name = p.ID
		}
		if filter != "" && !strings.Contains(strings.ToLower(name+"\x00"+p.ID), filter) {
			continue
		}
		out = append(out, models.VariableValue{Text: name, Value: p.ID})
	}
	slices.SortFunc(out, func(a, b models.VariableValue) int {
		return strings.Compare(strings.ToLower(a.Text), strings.ToLower(b.Text))
	})
	return out, nil
}
