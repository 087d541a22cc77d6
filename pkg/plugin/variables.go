package plugin

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// VariableValue is one template-variable option (src/variables.ts VariableValue).
type VariableValue struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// variableProvider lists the values of one variable kind; params carries the editor's optional filter.
type variableProvider func(ctx context.Context, d *Datasource, params url.Values) ([]VariableValue, error)

// variableProviders: one map per family, each in the family's own file; the editor lists the same kinds
// (src/queries/<family>.ts variableKinds).
var variableProviders = mergeProviders(artifactVariables, messageVariables, runtimeVariables, logVariables, calmVariables)

func mergeProviders(families ...map[string]variableProvider) map[string]variableProvider {
	out := map[string]variableProvider{}
	for _, f := range families {
		for k, p := range f {
			if _, dup := out[k]; dup {
				panic("variable kind registered twice: " + k)
			}
			out[k] = p
		}
	}
	return out
}

// registerVariableResources serves GET variables/{kind}.
func registerVariableResources(mux *http.ServeMux, d *Datasource) {
	mux.HandleFunc("GET /variables/{kind}", func(w http.ResponseWriter, r *http.Request) {
		kind := r.PathValue("kind")
		provider, ok := variableProviders[kind]
		if !ok {
			writeJSONError(w, http.StatusNotFound, "unknown variable kind "+jsonQuote(kind)+": choose one of "+strings.Join(slices.Sorted(maps.Keys(variableProviders)), ", "))
			return
		}
		values, err := provider(r.Context(), d, r.URL.Query())
		if err != nil {
			writeJSONError(w, http.StatusBadGateway, err.Error())
			return
		}
		if values == nil {
			values = []VariableValue{}
		}
		writeJSON(w, http.StatusOK, values)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func jsonQuote(s string) string { return jsonString(s) }
