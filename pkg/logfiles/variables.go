package logfiles

import (
	"context"
	"slices"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// FileVariables lists the log files for the `logFiles` variable and the file picker of the logFiles
// editor; fileType = http | trace. Newest first, as listed: the file of today is what one usually wants.
func FileVariables(ctx context.Context, c cpi.Source, fileType string) ([]models.VariableValue, error) {
	res, err := List(ctx, c, Options{Query: models.LogFilesQuery{LogFileType: fileType}})
	if err != nil {
		return nil, err
	}
	out := make([]models.VariableValue, 0, len(res.Files))
	for _, f := range res.Files {
		if !slices.ContainsFunc(out, func(v models.VariableValue) bool { return v.Value == f.Name }) {
			out = append(out, models.VariableValue{Text: f.Name, Value: f.Name})
		}
	}
	return out, nil
}
