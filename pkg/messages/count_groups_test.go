package messages

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestGroupNamesPerRow: counting rows one by one (addRow) gives every group its counts, labels, columns
// and display name as written out by hand here, for every groupBy: a group takes the first name that is
// better than its id, and keeps it; rows without names count in the same group.
func TestGroupNamesPerRow(t *testing.T) {
	row := func(id, name, pkgID, pkgName, sender, receiver, status string) mplRow {
		return mplRow{IntegrationArtifact: artifactRef{ID: id, Name: name, PackageID: pkgID, PackageName: pkgName}, Sender: sender, Receiver: receiver, Status: status}
	}
	rows := []mplRow{
		row("F1", "", "P1", "", "", "ERP", "RETRY"),
		row("F1", "Flow One", "P1", "Package One", "S4", "", "RETRY"),
		row("F1", "Renamed", "P1", "Other", "S4", "ERP", "FAILED"),
		row("", "", "", "", "", "", ""),
		row("F2", "F2", "P2", "P2", "S4", "ERP", "COMPLETED"),
		row("F2", "Two", "P2", "Package Two", "", "", "COMPLETED"),
		row("F2", "Second", "P2", "", "", "", "COMPLETED"),
	}
	want := map[string][]string{
		// key | display | labels | columns | count
		GroupIFlow: {
			"(none)|(none)|iflow=(none)|(none),(none)|1",
			"F1|Flow One|iflow=F1|Flow One,F1|3",
			"F2|Two|iflow=F2|Two,F2|3",
		},
		GroupPackage: {
			"(none)|(none)|package=(none)|(none),(none)|1",
			"P1|Package One|package=P1|Package One,P1|3",
			"P2|Package Two|package=P2|Package Two,P2|3",
		},
		GroupSender: {
			"(none)|(none)|sender=(none)|(none)|4",
			"S4|S4|sender=S4|S4|3",
		},
		GroupReceiver: {
			"(none)|(none)|receiver=(none)|(none)|4",
			"ERP|ERP|receiver=ERP|ERP|3",
		},
		GroupStatus: {
			"COMPLETED|COMPLETED|status=COMPLETED|COMPLETED|3",
			"FAILED|FAILED|status=FAILED|FAILED|1",
			"RETRY|RETRY|status=RETRY|RETRY|2",
			"||status=||1",
		},
		// The display of an iFlow and status is never its key: the first row names the group.
		GroupIFlowState: {
			"(none)\x00|(none) · |iflow=(none),status=|(none),(none),|1",
			"F1\x00FAILED|Renamed · FAILED|iflow=F1,status=FAILED|Renamed,F1,FAILED|1",
			"F1\x00RETRY|F1 · RETRY|iflow=F1,status=RETRY|F1,F1,RETRY|2",
			"F2\x00COMPLETED|F2 · COMPLETED|iflow=F2,status=COMPLETED|F2,F2,COMPLETED|3",
		},
	}
	for kind, w := range want {
		t.Run(kind, func(t *testing.T) {
			g := newGroupCounts(2)
			for i := range rows {
				g.addRow(kind, &rows[i], i%2, 1)
			}
			var got []string
			for key, gr := range g.groups {
				var labels []string
				for k, v := range gr.labels {
					labels = append(labels, k+"="+v)
				}
				sort.Strings(labels)
				c := g.counts[key]
				got = append(got, fmt.Sprintf("%s|%s|%s|%s|%g", key, gr.display, strings.Join(labels, ","), strings.Join(gr.cols, ","), c[0]+c[1]))
				if gr.key != key {
					t.Errorf("group %q filed under %q", gr.key, key)
				}
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Errorf("groups\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
		})
	}
}
