package messages

// The tenant's landscape: deployed iFlows (for zero-filling: "no traffic" must be 0, not "no data") and
// which packages, senders and receivers the iFlows have (for template variables and pickers).
//
// Deployed iFlows come from IntegrationRuntimeArtifacts: the listing of every deployed artifact that the
// artifacts panels, their annotations and alert rules of a refresh share (one request per refresh). Packages, senders and receivers exist only on message logs, so they are discovered from
// the last 24 full hours: a sample of the newest 1000 messages of each 4-hour slice, then one $top=1 request
// for each deployed iFlow the sample missed (bounded). The window ends at the last full hour, so it is
// closed and the answers are reused for 10 minutes.

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/artifacts"
	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/odata"
)

const (
	discoveryTTL      = 10 * time.Minute
	discoveryWindow   = 24 * time.Hour
	discoverySlices   = 6
	maxDiscoveryProbe = 300 // per-iFlow look-ups for iFlows the sample missed
)

// IFlow is a deployed integration flow.
type IFlow struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

// deployedIFlows lists the deployed integration flows, sorted by id, from the listing of every deployed
// artifact that the artifacts panels and alert rules of a refresh read too (one request for all).
func (r *run) deployedIFlows(ctx context.Context) ([]IFlow, error) {
	all, lr, err := artifacts.Deployed(ctx, r.c)
	r.recordList(lr)
	if err != nil {
		return nil, err
	}
	var rows []IFlow
	for _, a := range all {
		if a.Type == "INTEGRATION_FLOW" {
			rows = append(rows, IFlow{ID: a.ID, Name: a.Name})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	return slices.CompactFunc(rows, func(a, b IFlow) bool { return a.ID == b.ID }), nil
}

// FlowInfo is what discovery knows about one iFlow.
type FlowInfo struct {
	ID, Name, PackageID, PackageName string
	Deployed                         bool
	Senders, Receivers               []string
}

// Landscape is the discovered iFlows, by id.
type Landscape map[string]*FlowInfo

// discover builds the landscape from the deployed iFlows and the message logs of the last 24 full hours.
func (r *run) discover(ctx context.Context) (Landscape, error) {
	deployed, err := r.deployedIFlows(ctx)
	if err != nil {
		return nil, err
	}
	land := Landscape{}
	for _, f := range deployed {
		land[f.ID] = &FlowInfo{ID: f.ID, Name: f.Name, Deployed: true}
	}
	end := r.now.UTC().Truncate(time.Hour)
	w := window{from: end.Add(-discoveryWindow), to: end}
	ctx = cpi.CacheFor(ctx, discoveryTTL)
	var mu sync.Mutex
	add := func(rows []mplRow) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range rows {
			a := m.IntegrationArtifact
			if a.ID == "" {
				continue
			}
			f := land[a.ID]
			if f == nil {
				f = &FlowInfo{ID: a.ID, Name: a.Name}
				land[a.ID] = f
			}
			if f.Name == "" {
				f.Name = a.Name
			}
			if a.PackageID != "" {
				f.PackageID, f.PackageName = a.PackageID, a.PackageName
			}
			if m.Sender != "" && !slices.Contains(f.Senders, m.Sender) {
				f.Senders = append(f.Senders, m.Sender)
			}
			if m.Receiver != "" && !slices.Contains(f.Receivers, m.Receiver) {
				f.Receivers = append(f.Receivers, m.Receiver)
			}
		}
	}
	sample := func(ctx context.Context, w window, extra string, top string) error {
		terms := []string{timeTerms("LogEnd", w)}
		if extra != "" {
			terms = append(terms, extra)
		}
		q := url.Values{"$filter": {odata.And(terms...)}, "$select": {"IntegrationArtifact,Receiver,Sender"},
			"$orderby": {"LogEnd desc"}, "$top": {top}}
		col, resp, err := cpi.GetCollection[mplRow](ctx, r.c, mplPath, q)
		r.record(resp)
		if err != nil {
			return err
		}
		add(col.Results)
		return nil
	}
	parts := splitWindow(w, discoverySlices, time.Hour)
	if err := forEachLimit(ctx, len(parts), parallelSlices, func(ctx context.Context, i int) error {
		return sample(ctx, parts[i], "", "1000")
	}); err != nil {
		return nil, err
	}
	var missing []string
	for id, f := range land {
		if f.Deployed && f.PackageID == "" {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > maxDiscoveryProbe {
		missing = missing[:maxDiscoveryProbe]
	}
	if err := forEachLimit(ctx, len(missing), 8, func(ctx context.Context, i int) error {
		return sample(ctx, w, odata.Eq("IntegrationArtifact/Id", missing[i]), "1")
	}); err != nil {
		return nil, err
	}
	for _, f := range land {
		sort.Strings(f.Senders)
		sort.Strings(f.Receivers)
	}
	return land, nil
}

// Option is one template-variable value.
type Option struct {
	Text  string
	Value string
}

// Variables lists the values of a variable kind: iflows (text = name, value = id; filter = a package id),
// packages, statuses, senders, receivers (filter = part of the text, any case).
func Variables(ctx context.Context, st *Store, kind, filter string, now time.Time) ([]Option, error) {
	if err := odata.CheckValue("filter", filter); err != nil {
		return nil, err
	}
	r := newRun(st, now)
	contains := func(s string) bool {
		return filter == "" || strings.Contains(strings.ToLower(s), strings.ToLower(filter))
	}
	var out []Option
	switch kind {
	case "statuses":
		for _, s := range Statuses {
			if contains(s) {
				out = append(out, Option{s, s})
			}
		}
		return out, nil
	case "iflows":
		if filter == "" {
			deployed, err := r.deployedIFlows(ctx)
			if err != nil {
				return nil, err
			}
			for _, f := range deployed {
				out = append(out, Option{Text: nameOr(f.Name, f.ID), Value: f.ID})
			}
			break
		}
		land, err := r.discover(ctx)
		if err != nil {
			return nil, err
		}
		for _, f := range land {
			if f.Deployed && f.PackageID == filter {
				out = append(out, Option{Text: nameOr(f.Name, f.ID), Value: f.ID})
			}
		}
	case "packages", "senders", "receivers":
		land, err := r.discover(ctx)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, f := range land {
			var values []Option
			switch kind {
			case "packages":
				if f.PackageID != "" {
					values = []Option{{Text: nameOr(f.PackageName, f.PackageID), Value: f.PackageID}}
				}
			case "senders":
				for _, s := range f.Senders {
					values = append(values, Option{s, s})
				}
			default:
				for _, s := range f.Receivers {
					values = append(values, Option{s, s})
				}
			}
			for _, v := range values {
				if !seen[v.Value] && (contains(v.Text) || contains(v.Value)) {
					seen[v.Value] = true
					out = append(out, v)
				}
			}
		}
	default:
		return nil, errUnknownKind(kind)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Text != out[j].Text {
			return out[i].Text < out[j].Text
		}
		return out[i].Value < out[j].Value
	})
	return out, nil
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

type errUnknownKind string

func (e errUnknownKind) Error() string {
	return "unknown variable kind " + string(e) + ": choose one of iflows, packages, statuses, senders, receivers"
}
