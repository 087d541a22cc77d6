package certificates

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// AliasVariables lists the certificate aliases of a keystore for the `certificateAliases` variable,
// sorted; keystore = system, backup_admin_system or KeyRenewal (empty: system).
func AliasVariables(ctx context.Context, g cpi.Source, keystore string) ([]models.VariableValue, error) {
	res, err := Fetch(ctx, g, models.CertificatesQuery{KeystoreName: keystore}, time.Now())
	if err != nil {
		return nil, err
	}
	out := make([]models.VariableValue, 0, len(res.Entries))
	for _, e := range res.Entries {
		out = append(out, models.VariableValue{Text: e.Alias, Value: e.Alias})
	}
	slices.SortFunc(out, func(a, b models.VariableValue) int { return strings.Compare(a.Text, b.Text) })
	return out, nil
}
