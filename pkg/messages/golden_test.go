package messages

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func intp(n int) *int { return &n }

// TestGoldenFrames pins the frames of every query type and format against the simulated tenant (seed 7,
// fixed now). The request log (ExecutedQueryString) and the request count (Stats) are part of each
// golden file, so a change in what is asked of the tenant shows up as a diff.
func TestGoldenFrames(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(tn *tenant) (data.Frames, error)
	}{
		{"messages_table", func(tn *tenant) (data.Frames, error) {
			return List(ctx, tn.st, rangeOf(10*time.Minute, time.Minute), models.MessagesQuery{MaxRows: intp(12)}, "SIM")
		}},
		{"messages_failed_logs", func(tn *tenant) (data.Frames, error) {
			return List(ctx, tn.st, rangeOf(2*time.Hour, time.Minute), models.MessagesQuery{Format: models.FormatLogs,
				MessageFilters: models.MessageFilters{Statuses: []string{"FAILED"}}, MaxRows: intp(6)}, "SIM")
		}},
		{"counts_status_timeseries", func(tn *tenant) (data.Frames, error) {
			return Counts(ctx, tn.st, rangeOf(time.Hour, 15*time.Minute), models.MessageCountsQuery{}, "SIM")
		}},
		{"counts_iflow_numeric", func(tn *tenant) (data.Frames, error) {
			return Counts(ctx, tn.st, rangeOf(5*time.Minute, time.Minute), models.MessageCountsQuery{GroupBy: GroupIFlow, Format: models.FormatNumeric,
				MessageFilters: models.MessageFilters{Packages: []string{"ZBankCommunication", "ZSalesforceCRM"}}}, "SIM")
		}},
		{"counts_package_table", func(tn *tenant) (data.Frames, error) {
			return Counts(ctx, tn.st, rangeOf(30*time.Minute, time.Minute), models.MessageCountsQuery{GroupBy: GroupPackage, Format: models.FormatTable}, "SIM")
		}},
		{"durations_table", func(tn *tenant) (data.Frames, error) {
			return Durations(ctx, tn.st, rangeOf(20*time.Minute, time.Minute), models.MessageDurationsQuery{Format: models.FormatTable,
				MessageFilters: models.MessageFilters{Packages: []string{"ZMasterData"}}}, "SIM")
		}},
		{"durations_timeseries_all", func(tn *tenant) (data.Frames, error) {
			return Durations(ctx, tn.st, rangeOf(30*time.Minute, 10*time.Minute), models.MessageDurationsQuery{GroupBy: GroupNone}, "SIM")
		}},
		{"errorgroups_table", func(tn *tenant) (data.Frames, error) {
			return ErrorGroups(ctx, tn.st, rangeOf(30*time.Minute, time.Minute), models.ErrorGroupsQuery{IncludeRetry: true}, "SIM")
		}},
		{"errorgroups_numeric", func(tn *tenant) (data.Frames, error) {
			return ErrorGroups(ctx, tn.st, rangeOf(30*time.Minute, time.Minute), models.ErrorGroupsQuery{Format: models.FormatNumeric}, "SIM")
		}},
		{"errorgroups_annotations", func(tn *tenant) (data.Frames, error) {
			return ErrorGroups(ctx, tn.st, rangeOf(30*time.Minute, time.Minute), models.ErrorGroupsQuery{Format: models.FormatAnnotations}, "SIM")
		}},
		{"stuck_table", func(tn *tenant) (data.Frames, error) {
			return Stuck(ctx, tn.st, rangeOf(6*time.Hour, time.Minute), models.StuckMessagesQuery{StuckMinutes: intp(120)}, "SIM")
		}},
		{"stuck_numeric", func(tn *tenant) (data.Frames, error) {
			return Stuck(ctx, tn.st, rangeOf(6*time.Hour, time.Minute), models.StuckMessagesQuery{Format: models.FormatNumeric,
				MessageFilters: models.MessageFilters{Packages: []string{"ZSalesforceCRM", "ZBankCommunication"}}}, "SIM")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { goldenCase(t, tc.name, tc.run) })
	}
}

// goldenCase runs one query on a fresh tenant and compares its frames with testdata/<name>.jsonc.
func goldenCase(t *testing.T, name string, run func(tn *tenant) (data.Frames, error)) {
	t.Helper()
	tn := newTestTenant(t, tenantOpts{perDay: 20_000})
	frames, err := run(tn)
	if err != nil {
		t.Fatal(err)
	}
	resp := backend.DataResponse{Frames: maskFrames(frames, tn.srv.URL)}
	experimental.CheckGoldenJSONResponse(t, "testdata", name, &resp, *update)
}
