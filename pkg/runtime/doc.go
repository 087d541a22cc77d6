// Package runtime groups the runtime, security and inventory query types, one sub-package
// each: endpoints (ServiceEndpoints), certificates (KeystoreEntries), jms (JmsBrokers) and inventory
// (IntegrationPackages and design-time iFlows joined with IntegrationRuntimeArtifacts). The handlers and
// template-variable providers live in pkg/plugin/runtime.go.
package runtime
