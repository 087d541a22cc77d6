package rt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/seed/sapcpi-datasource/pkg/cpi"
)

// pager serves n pages of one row each, linking them with relative __next links as SAP does.
type pager struct {
	pages int
	calls []string
	fail  int // page number that fails (0 = none)
}

func (p *pager) page(i int) (*cpi.Response, error) {
	p.calls = append(p.calls, fmt.Sprint(i))
	if i == p.fail {
		return &cpi.Response{URL: fmt.Sprintf("https://t/api/v1/X?$skiptoken=%d", i)}, errors.New("boom")
	}
	next := ""
	if i < p.pages {
		next = fmt.Sprintf(`,"__next":"X?$skiptoken=%d"`, i)
	}
	return &cpi.Response{Status: 200, URL: fmt.Sprintf("https://t/api/v1/X?page=%d", i),
		Body: []byte(fmt.Sprintf(`{"d":{"results":[{"N":%d}]%s}}`, i, next))}, nil
}

func (p *pager) Get(_ context.Context, _ string, _ url.Values) (*cpi.Response, error) {
	return p.page(1)
}

func (p *pager) GetURL(_ context.Context, raw string) (*cpi.Response, error) {
	var i int
	if _, err := fmt.Sscanf(raw, "X?$skiptoken=%d", &i); err != nil {
		return nil, err
	}
	return p.page(i + 1)
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
		{"a failing page fails the read", 3, 5, 2, 1, 2, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &pager{pages: tc.pages, fail: tc.fail}
			var log Log
			rows, capped, err := GetAll[row](context.Background(), p, &log, "rows", "X", nil, tc.max)
			if (err != nil) != tc.wantError || capped != tc.capped || len(rows) != tc.rows || len(log.Requests) != tc.requests {
				t.Fatalf("rows %d capped %v err %v requests %v", len(rows), capped, err, log.Requests)
			}
			for i, r := range rows {
				if r.N != i+1 {
					t.Fatalf("row %d is %d", i, r.N)
				}
			}
		})
	}
}

func TestGetAllBadBody(t *testing.T) {
	g := &fixed{body: `<html>login</html>`}
	var log Log
	if _, _, err := GetAll[row](context.Background(), g, &log, "the rows", "X", nil, 1); err == nil || len(log.Requests) != 1 {
		t.Fatalf("err %v, requests %v", err, log.Requests)
	}
}

type fixed struct{ body string }

func (f *fixed) Get(context.Context, string, url.Values) (*cpi.Response, error) {
	return &cpi.Response{Status: 200, URL: "u", Body: []byte(f.body)}, nil
}
func (f *fixed) GetURL(context.Context, string) (*cpi.Response, error) { return nil, errors.New("no") }

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
