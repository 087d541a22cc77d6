package models

// VariableValue is one template-variable option (src/variables.ts VariableValue): what the editors' pickers
// and Grafana's variable queries list.
type VariableValue struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}
