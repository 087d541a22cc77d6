package calm

import (
	"slices"
	"sort"
	"sync"
)

// knownRequired lists filters that Cloud ALM providers refuse to run without (HTTP 428
// PRECONDITION_REQUIRED), from public sources: KPI_HISTORY_TOTALS needs kpiId (SAP/alm-plug-in-for-grafana
// issue #109). SAP's documented filters answer has no "required" flag, so this list, a flag the API may
// send after all, and what Cloud ALM said before (Registry.learn) are the ways to know.
var knownRequired = map[string][]string{
	"KPI_HISTORY_TOTALS": {"kpiId"},
}

// Registry remembers, per data source instance, which filters each provider requires, so that a query
// missing one is refused before a request is sent. It is safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	learned map[string][]string // provider → filter keys
}

// NewRegistry returns an empty registry (the known filters are always included).
func NewRegistry() *Registry { return &Registry{learned: map[string][]string{}} }

// Required returns the required filter keys of a provider, sorted.
func (r *Registry) Required(provider string) []string {
	out := slices.Clone(knownRequired[provider])
	if r != nil {
		r.mu.Lock()
		for _, k := range r.learned[provider] {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		r.mu.Unlock()
	}
	sort.Strings(out)
	return out
}

func (r *Registry) learn(provider, key string) {
	if r == nil || provider == "" || key == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.learned[provider], key) {
		r.learned[provider] = append(r.learned[provider], key)
	}
}

// fromMetadata records the filters a filters answer flags as required.
func (r *Registry) fromMetadata(provider string, filters []Filter) {
	for _, f := range filters {
		if f.Required {
			r.learn(provider, f.Key)
		}
	}
}

// Missing returns the required filters of provider that have no value in selection.
func (r *Registry) Missing(provider string, selection []FilterSelection) []string {
	var out []string
	for _, key := range r.Required(provider) {
		ok := slices.ContainsFunc(selection, func(s FilterSelection) bool {
			return s.Key == key && slices.ContainsFunc(s.Values, func(v string) bool { return v != "" })
		})
		if !ok {
			out = append(out, key)
		}
	}
	return out
}
