package messages

// One call per query type, fetch then frames, as the plugin runs them (pkg/plugin/query.go dispatches the
// two steps itself); the benchmark and the tests answer queries through these.

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/models"
)

// answer runs one query end to end as the plugin does: the type's fetch step, then its frames.
func answer[Q, R any](ctx context.Context, st *Store, rg Range, q Q, tenant string,
	fetch func(context.Context, *Store, Range, Q) (R, error), frames func(R, Q, string) data.Frames) (data.Frames, error) {
	res, err := fetch(ctx, st, rg, q)
	if err != nil {
		return nil, err
	}
	return frames(res, q, tenant), nil
}

// Counts answers a messageCounts query: FetchCounts, then CountsFrames.
func Counts(ctx context.Context, st *Store, rg Range, q models.MessageCountsQuery, tenant string) (data.Frames, error) {
	return answer(ctx, st, rg, q, tenant, FetchCounts, CountsFrames)
}

// Durations answers a messageDurations query: FetchDurations, then DurationsFrames.
func Durations(ctx context.Context, st *Store, rg Range, q models.MessageDurationsQuery, tenant string) (data.Frames, error) {
	return answer(ctx, st, rg, q, tenant, FetchDurations, DurationsFrames)
}

// ErrorGroups answers an errorGroups query: FetchErrorGroups, then ErrorGroupsFrames.
func ErrorGroups(ctx context.Context, st *Store, rg Range, q models.ErrorGroupsQuery, tenant string) (data.Frames, error) {
	return answer(ctx, st, rg, q, tenant, FetchErrorGroups, ErrorGroupsFrames)
}

// List answers a messages query: FetchList, then ListFrames.
func List(ctx context.Context, st *Store, rg Range, q models.MessagesQuery, tenant string) (data.Frames, error) {
	return answer(ctx, st, rg, q, tenant, FetchList, ListFrames)
}

// Stuck answers a stuckMessages query: FetchStuck, then StuckFrames.
func Stuck(ctx context.Context, st *Store, rg Range, q models.StuckMessagesQuery, tenant string) (data.Frames, error) {
	return answer(ctx, st, rg, q, tenant, FetchStuck, StuckFrames)
}
