package plugin

import (
	"context"
	"net/url"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/seed/sapcpi-datasource/pkg/messages"
	"github.com/seed/sapcpi-datasource/pkg/models"
)

// messagesNow is the clock of the message queries (tests fix it to the simulated tenant's "now"); a
// Datasource built with NewDatasourceAt has its own.
var messagesNow = time.Now

// clock is the data source's clock for the message queries.
func (d *Datasource) clock() time.Time {
	if d.now != nil {
		return d.now()
	}
	return messagesNow()
}

// messageHandlers: the five message query types (pkg/messages).
var messageHandlers = map[models.QueryType]queryHandler{
	models.QueryMessages:         messageHandler(models.QueryMessages, messages.List),
	models.QueryMessageCounts:    messageHandler(models.QueryMessageCounts, messages.Counts),
	models.QueryMessageDurations: messageHandler(models.QueryMessageDurations, messages.Durations),
	models.QueryErrorGroups:      messageHandler(models.QueryErrorGroups, messages.ErrorGroups),
	models.QueryStuckMessages:    messageHandler(models.QueryStuckMessages, messages.Stuck),
}

// messageHandler decodes the query's options (refusing unknown ones) and runs it with the query's time
// range, which is applied in the backend so alert rules get the same answer as panels.
func messageHandler[Q any](qt models.QueryType, answer func(context.Context, *messages.Store, messages.Range, Q, string) (data.Frames, error)) queryHandler {
	return func(ctx context.Context, d *Datasource, q backend.DataQuery) backend.DataResponse {
		var opts Q
		if err := models.Parse(qt, q.JSON, &opts); err != nil {
			return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
		}
		rg := messages.Range{From: q.TimeRange.From, To: q.TimeRange.To, Interval: q.Interval,
			MaxDataPoints: q.MaxDataPoints, Now: d.clock()}
		frames, err := answer(ctx, d.messages, rg, opts, d.settings.TenantLabel)
		if err != nil {
			return errorResponse(err)
		}
		return backend.DataResponse{Frames: frames}
	}
}

// messageVariables: the template-variable kinds of the message filters. iflows: deployed iFlows (text =
// name, value = id; filter = a package id); packages, senders, receivers: seen in the message logs of the
// last 24 hours (filter = part of the name); statuses: the status values.
var messageVariables = map[string]variableProvider{
	"iflows":    messageVariable("iflows"),
	"packages":  messageVariable("packages"),
	"statuses":  messageVariable("statuses"),
	"senders":   messageVariable("senders"),
	"receivers": messageVariable("receivers"),
}

func messageVariable(kind string) variableProvider {
	return func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error) {
		opts, err := messages.Variables(ctx, d.messages, kind, params.Get("filter"), d.clock())
		if err != nil {
			return nil, err
		}
		out := make([]VariableValue, len(opts))
		for i, o := range opts {
			out[i] = VariableValue{Text: o.Text, Value: o.Value}
		}
		return out, nil
	}
}
