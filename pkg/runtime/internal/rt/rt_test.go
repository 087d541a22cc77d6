package rt

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
	"github.com/seed/sapcpi-datasource/pkg/settings"
)

// pager serves pages of one row each linked by relative __next links, as SAP does (no __count: the
// runtime collections are read by following the links); page fail answers 500; bad replaces the body.
type pager struct {
	pages, fail int
	bad         string
}

func (p *pager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := 1
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		i, _ = strconv.Atoi(tok)
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case p.bad != "":
		_, _ = w.Write([]byte(p.bad))
		return
	case i == p.fail:
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	next := ""
	if i < p.pages {
		next = fmt.Sprintf(`,"__next":"X?$skiptoken=%d"`, i+1)
	}
	_, _ = fmt.Fprintf(w, `{"d":{"results":[{"N":%d}]%s}}`, i, next)
}

func client(t *testing.T, h http.Handler) *cpi.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := cpi.New(settings.Settings{APIBaseURL: srv.URL, AuthType: settings.AuthBasic, BasicUser: "u",
		Timeout: 5 * time.Second, MaxConcurrent: 2, Secrets: settings.Secrets{BasicPassword: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type row struct{ N int }

func TestGetAll(t *testing.T) {
	tests := []struct {
		name              string
		pages, max, fail  int
		rows, requests    int
		capped, wantError bool
	}{
		{"one page", 1, 5, 0, 1, 1, false, false},
		{"follows __next", 3, 5, 0, 3, 3, false, false},
		{"stops at the cap", 9, 4, 0, 4, 4, true, false},
		{"exactly the cap", 4, 4, 0, 4, 4, false, false},
		{"a failing page fails the read", 3, 5, 2, 0, 2, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := client(t, &pager{pages: tc.pages, fail: tc.fail})
			var log Log
			rows, capped, err := GetAll[row](context.Background(), c, &log, "rows", cpi.ListOptions{Path: "X", MaxRows: tc.max, NextOnly: true})
			if (err != nil) != tc.wantError || capped != tc.capped || len(rows) != tc.rows || len(log.Requests) != tc.requests {
				t.Fatalf("rows %d capped %v err %v requests %v", len(rows), capped, err, log.Requests)
			}
			for i, r := range rows {
				if r.N != i+1 {
					t.Fatalf("row %d is %d", i, r.N)
				}
			}
			// A cut result says so on the frame.
			if hasNotice := len(log.Notices) == 1 && strings.Contains(log.Notices[0].Text, "Only the first 4 rows were read"); hasNotice != tc.capped {
				t.Fatalf("notices %v", log.Notices)
			}
		})
	}
}

// A body that does not decode is the tenant's fault: a 502-kind client error, not a refused option.
func TestGetAllBadBody(t *testing.T) {
	c := client(t, &pager{bad: `{"d":{"results":[{"N":"x"}]}}`})
	var log Log
	_, _, err := GetAll[row](context.Background(), c, &log, "the rows", cpi.ListOptions{Path: "X", MaxRows: 1})
	if !cpi.IsKind(err, cpi.KindMalformedResponse) || !strings.Contains(err.Error(), "to X") || len(log.Requests) != 1 {
		t.Fatalf("err %v, requests %v", err, log.Requests)
	}
}

func TestNumber(t *testing.T) {
	tests := []struct {
		in    string
		want  float64
		valid bool
	}{
		{`"794616135"`, 794616135, true},
		{`9751756800`, 9751756800, true},
		{`" 16 "`, 16, true},
		{`0`, 0, true},
		{`true`, 1, true},
		{`false`, 0, true},
		{`null`, 0, false},
		{`""`, 0, false},
		{`"n/a"`, 0, false},
		{`{"x":1}`, 0, false},
		{`"1e3"`, 1000, true},
	}
	for _, tc := range tests {
		var n Number
		if err := json.Unmarshal([]byte(tc.in), &n); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if n.Valid != tc.valid || n.Value != tc.want {
			t.Errorf("%s: %+v, want %v valid %v", tc.in, n, tc.want, tc.valid)
		}
		if (n.Ptr() != nil) != tc.valid {
			t.Errorf("%s: Ptr %v", tc.in, n.Ptr())
		}
	}
}

func TestContainsFold(t *testing.T) {
	if !ContainsFold("ORDER", "x", "PurchaseOrder") || ContainsFold("zz", "a", "b") || !ContainsFold("", "a") {
		t.Fatal("ContainsFold")
	}
}
