package calm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// ProviderVariables lists the data providers for the `calmProviders` variable: text = description (e.g.
// "IM - Cloud Platform Integration"), value = name (CPI_MESSAGES), sorted by text regardless of case.
func ProviderVariables(ctx context.Context, c cpi.Source) ([]models.VariableValue, error) {
	providers, err := Providers(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make([]models.VariableValue, 0, len(providers))
	for _, p := range providers {
		out = append(out, models.VariableValue{Text: p.Label(), Value: p.Name})
	}
	slices.SortFunc(out, func(a, b models.VariableValue) int {
		return strings.Compare(strings.ToLower(a.Text), strings.ToLower(b.Text))
	})
	return out, nil
}

// DimensionValueVariables lists the values of one dimension of one provider for the
// `calmDimensionValues` variable; filter = "<provider>:<dimension>", e.g.
// "CPI_MESSAGES:IntegrationArtifactName" (the iFlows Cloud ALM knows).
func DimensionValueVariables(ctx context.Context, c cpi.Source, reg *Registry, filter string) ([]models.VariableValue, error) {
	provider, dimension, ok := strings.Cut(filter, ":")
	provider, dimension = strings.TrimSpace(provider), strings.TrimSpace(dimension)
	if !ok || provider == "" || dimension == "" {
		return nil, errors.New("the filter of calmDimensionValues must be <provider>:<dimension>, e.g. CPI_MESSAGES:IntegrationArtifactName")
	}
	filters, err := Filters(ctx, c, reg, provider, dimension, nil)
	if err != nil {
		return nil, err
	}
	for _, f := range filters {
		if f.Key != dimension {
			continue
		}
		out := make([]models.VariableValue, 0, len(f.Values))
		for _, v := range f.Values {
			text := v.Label
			if text == "" {
				text = v.Key
			}
			out = append(out, models.VariableValue{Text: text, Value: v.Key})
		}
		return out, nil
	}
	return nil, fmt.Errorf("the Cloud ALM provider %s has no dimension %s", provider, dimension)
}
