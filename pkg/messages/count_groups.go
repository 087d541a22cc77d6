package messages

import (
	"context"
	"slices"
	"sort"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// none is the label value for a message without a package, sender or receiver.
const none = "(none)"

// group identifies one series.
type group struct {
	key     string
	labels  data.Labels
	display string
	cols    []string // table columns (see groupColumns)
}

func groupColumns(kind string) []string {
	switch kind {
	case GroupIFlow:
		return []string{"iFlow", "iFlow id"}
	case GroupPackage:
		return []string{"package", "package id"}
	case GroupSender:
		return []string{"sender"}
	case GroupReceiver:
		return []string{"receiver"}
	case GroupIFlowState:
		return []string{"iFlow", "iFlow id", "status"}
	}
	return []string{"status"}
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func iflowGroup(id, name string) group {
	return group{key: id, labels: data.Labels{"iflow": id}, display: nameOr(name, id), cols: []string{nameOr(name, id), id}}
}

func statusGroup(s string) group {
	return group{key: s, labels: data.Labels{"status": s}, display: s, cols: []string{s}}
}

func iflowStatusGroup(id, name, status string) group {
	return group{key: id + "\x00" + status, labels: data.Labels{"iflow": id, "status": status},
		display: nameOr(name, id) + " · " + status, cols: []string{nameOr(name, id), id, status}}
}

// groupOf is the group of a message row.
func groupOf(kind string, m *mplRow) group {
	a := m.IntegrationArtifact
	switch kind {
	case GroupIFlow:
		return iflowGroup(orNone(a.ID), a.Name)
	case GroupPackage:
		id := orNone(a.PackageID)
		return group{key: id, labels: data.Labels{"package": id}, display: nameOr(a.PackageName, id), cols: []string{nameOr(a.PackageName, id), id}}
	case GroupSender:
		s := orNone(m.Sender)
		return group{key: s, labels: data.Labels{"sender": s}, display: s, cols: []string{s}}
	case GroupReceiver:
		s := orNone(m.Receiver)
		return group{key: s, labels: data.Labels{"receiver": s}, display: s, cols: []string{s}}
	case GroupIFlowState:
		return iflowStatusGroup(orNone(a.ID), a.Name, m.Status)
	}
	return statusGroup(m.Status)
}

// groupKey is the key and display name of a message row's group: what groupOf returns without building
// its labels and columns, which a count only needs once per group.
func groupKey(kind string, m *mplRow) (key, display string) {
	a := &m.IntegrationArtifact
	switch kind {
	case GroupIFlow:
		id := orNone(a.ID)
		return id, nameOr(a.Name, id)
	case GroupPackage:
		id := orNone(a.PackageID)
		return id, nameOr(a.PackageName, id)
	case GroupSender:
		s := orNone(m.Sender)
		return s, s
	case GroupReceiver:
		s := orNone(m.Receiver)
		return s, s
	case GroupIFlowState:
		id := orNone(a.ID)
		return id + "\x00" + m.Status, nameOr(a.Name, id) + " · " + m.Status
	}
	return m.Status, m.Status
}

// fieldsFor are the $select fields a grouping needs besides LogEnd/LogStart.
func fieldsFor(kind string) []string {
	switch kind {
	case GroupIFlow, GroupPackage:
		return []string{"IntegrationArtifact"}
	case GroupSender:
		return []string{"Sender"}
	case GroupReceiver:
		return []string{"Receiver"}
	case GroupIFlowState:
		return []string{"IntegrationArtifact", "Status"}
	}
	return []string{"Status"}
}

// groupCounts is the result: per group key, counts per bucket (or one count).
type groupCounts struct {
	groups map[string]group
	counts map[string][]float64
	nb     int
}

func newGroupCounts(nb int) *groupCounts {
	return &groupCounts{groups: map[string]group{}, counts: map[string][]float64{}, nb: nb}
}

func (g *groupCounts) add(gr group, bucket int, n float64) {
	c, ok := g.counts[gr.key]
	if !ok {
		c = make([]float64, g.nb)
		g.counts[gr.key] = c
		g.groups[gr.key] = gr
	}
	if gr.display != "" && g.groups[gr.key].display == gr.key {
		g.groups[gr.key] = gr // a better name than the id
	}
	c[bucket] += n
}

// addRow counts a message row in its group (see add); the group is built only for a new key or a
// better name.
func (g *groupCounts) addRow(kind string, m *mplRow, bucket int, n float64) {
	key, display := groupKey(kind, m)
	if c, ok := g.counts[key]; ok && (display == key || g.groups[key].display != key) {
		c[bucket] += n
		return
	}
	g.add(groupOf(kind, m), bucket, n)
}

// sorted returns the groups: known ones in their order first, then the others by display name.
func (g *groupCounts) sorted(known []group) []group {
	var out []group
	seen := map[string]bool{}
	for _, k := range known {
		if gr, ok := g.groups[k.key]; ok && !seen[k.key] {
			out = append(out, gr)
			seen[k.key] = true
		}
	}
	var rest []group
	for key, gr := range g.groups {
		if !seen[key] {
			rest = append(rest, gr)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		if rest[i].display != rest[j].display {
			return rest[i].display < rest[j].display
		}
		return rest[i].key < rest[j].key
	})
	return append(out, rest...)
}

func keysOf(groups []group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.key
	}
	return out
}

// knownGroups are the groups zero-filled for a grouping: every status (or those filtered on), the
// deployed iFlows (or those filtered on), and the filtered values of the other groupings.
func (r *run) knownGroups(ctx context.Context, fs *filterSet, groupBy string) ([]group, bool, error) {
	statuses := fs.statuses
	if len(statuses) == 0 {
		statuses = Statuses
	}
	switch groupBy {
	case GroupStatus:
		out := make([]group, len(statuses))
		for i, s := range statuses {
			out[i] = statusGroup(s)
		}
		return out, true, nil
	case GroupIFlow, GroupIFlowState:
		flows, err := r.knownIFlows(ctx, fs)
		if err != nil {
			return nil, false, err
		}
		if groupBy == GroupIFlow {
			out := make([]group, len(flows))
			for i, f := range flows {
				out[i] = iflowGroup(f.ID, f.Name)
			}
			return out, true, nil
		}
		if len(fs.statuses) == 0 {
			// Every iFlow × every status would be mostly empty series; the statuses that occur in the
			// range are added to every known iFlow after counting (zeroFillIFlowStatus).
			out := make([]group, 0, len(flows))
			for _, f := range flows {
				out = append(out, iflowStatusGroup(f.ID, f.Name, ""))
			}
			return out, false, nil
		}
		var out []group
		for _, f := range flows {
			for _, s := range fs.statuses {
				out = append(out, iflowStatusGroup(f.ID, f.Name, s))
			}
		}
		return out, false, nil
	case GroupPackage:
		var out []group
		for _, p := range fs.packages {
			out = append(out, group{key: p, labels: data.Labels{"package": p}, display: p, cols: []string{p, p}})
		}
		return out, false, nil
	case GroupSender, GroupReceiver:
		values := fs.senders
		label := "sender"
		if groupBy == GroupReceiver {
			values, label = fs.receivs, "receiver"
		}
		var out []group
		for _, v := range values {
			out = append(out, group{key: v, labels: data.Labels{label: v}, display: v, cols: []string{v}})
		}
		return out, false, nil
	}
	return nil, false, groupByError(groupBy, GroupStatus, GroupIFlow, GroupPackage, GroupSender, GroupReceiver, GroupIFlowState)
}

// knownIFlows are the iFlows that should show up (as 0 when silent): the iFlows filtered on, else the
// deployed ones; with a package, sender or receiver filter, only those the landscape associates with it.
func (r *run) knownIFlows(ctx context.Context, fs *filterSet) ([]IFlow, error) {
	deployed, err := r.deployedIFlows(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, f := range deployed {
		names[f.ID] = f.Name
	}
	flows := deployed
	if len(fs.iflows) > 0 {
		flows = nil
		for _, id := range fs.iflows {
			flows = append(flows, IFlow{ID: id, Name: names[id]})
		}
	}
	if len(fs.packages)+len(fs.senders)+len(fs.receivs) == 0 {
		return flows, nil
	}
	land, err := r.discover(ctx)
	if err != nil {
		return nil, err
	}
	var out []IFlow
	for _, f := range flows {
		info := land[f.ID]
		if info == nil {
			continue
		}
		if len(fs.packages) > 0 && !slices.Contains(fs.packages, info.PackageID) {
			continue
		}
		if len(fs.senders) > 0 && !intersects(fs.senders, info.Senders) {
			continue
		}
		if len(fs.receivs) > 0 && !intersects(fs.receivs, info.Receivers) {
			continue
		}
		out = append(out, f)
	}
	return out, nil
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// zeroFillIFlowStatus adds, for iFlow × status without a status filter, a zero series for every known
// iFlow and every status that occurs in the result.
func zeroFillIFlowStatus(out *groupCounts, known []group) []group {
	statuses := map[string]bool{}
	for _, g := range out.groups {
		if s := g.labels["status"]; s != "" {
			statuses[s] = true
		}
	}
	var filled []group
	for _, k := range known { // placeholders of knownGroups: iFlow with status ""
		for s := range statuses {
			g := iflowStatusGroup(k.labels["iflow"], k.cols[0], s)
			out.add(g, 0, 0)
			filled = append(filled, g)
		}
	}
	sort.Slice(filled, func(i, j int) bool { return filled[i].display < filled[j].display })
	return filled
}
