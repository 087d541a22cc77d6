package main

import "strings"

// allValue is what a multi-value variable set to All stands for (src/templating.ts ALL_VALUE): the frontend
// drops every option it reaches, so All sends no filter.
const allValue = "__all__"

// interpolate replaces the dashboard variables in the queries, as the frontend does before sending; an
// option a variable set to All (allValue) reached is dropped.
func interpolate(reqs []panelRequest, vars map[string]string) []panelRequest {
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case string:
			for k, val := range vars {
				x = strings.ReplaceAll(x, "${"+k+"}", val)
				x = strings.ReplaceAll(x, "$"+k, val)
			}
			return x
		case []any:
			out := make([]any, len(x))
			for i := range x {
				out[i] = walk(x[i])
			}
			return out
		case map[string]any:
			out := map[string]any{}
			for k, val := range x {
				out[k] = walk(val)
			}
			return out
		}
		return v
	}
	out := make([]panelRequest, len(reqs))
	for i, r := range reqs {
		out[i] = r
		out[i].queries = nil
		for _, q := range r.queries {
			m := walk(q).(map[string]any)
			for k, v := range m {
				if reachedByAll(v) {
					delete(m, k)
				}
			}
			out[i].queries = append(out[i].queries, m)
		}
	}
	return out
}

func reachedByAll(v any) bool {
	switch x := v.(type) {
	case string:
		return x == allValue
	case []any:
		for _, e := range x {
			if e == allValue {
				return true
			}
		}
	}
	return false
}
