// Package harness holds the host-harness tests: they build the real plugin binary (or take the one the
// release build put into dist/, via SAPCPI_PLUGIN_BINARY), start it the way Grafana does (hashicorp
// go-plugin handshake, gRPC, Grafana's environment variables) and call CheckHealth and QueryData with
// pluginv2 requests against simulated SAP Cloud Integration tenants (pkg/simulator).
//
// Only the _test.go files contain code; this file exists so the directory is a regular package for
// `go vet` and `go build ./...`.
//
// Run: go test ./tests/harness/ -count=1 -v
package harness
