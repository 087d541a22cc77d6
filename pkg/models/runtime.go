package models

// The runtime family: endpoints, certificates, jms, inventory, plus the annotations format of
// the artifacts query. JSON names are shared with src/queries/runtime.ts and src/queries/artifacts.ts.

// EndpointsQuery is the `endpoints` query: service endpoints of deployed iFlows, one row per entry point.
type EndpointsQuery struct {
	// EndpointName is a case-insensitive substring of the iFlow id, endpoint title or entry point name.
	EndpointName string `json:"endpointName,omitempty"`
	// Protocol is SOAP, ODATAV2, REST, AS2, AS4 …; filtered on the server.
	Protocol string `json:"protocol,omitempty"`
}

// Keystore names accepted by KeystoreEntries?keystoreName=….
const (
	KeystoreSystem      = "system"
	KeystoreBackupAdmin = "backup_admin_system"
	KeystoreKeyRenewal  = "KeyRenewal"
)

// Keystores lists the keystore names a certificates query may ask for.
var Keystores = []string{KeystoreSystem, KeystoreBackupAdmin, KeystoreKeyRenewal}

// CertificatesQuery is the `certificates` query: keystore entries with days until expiry.
type CertificatesQuery struct {
	KeystoreName  string `json:"keystoreName,omitempty"`  // default system
	AliasContains string `json:"aliasContains,omitempty"` // case-insensitive substring of the alias
	WithChain     bool   `json:"withChain,omitempty"`     // also read each entry's chain certificates
	Format        Format `json:"format,omitempty"`        // table | numeric (days until expiry per alias)
}

// JMS metric selection for the numeric format: alert rules compare one kind of number at a time.
const (
	JMSMetricAll         = ""
	JMSMetricCapacity    = "capacity"
	JMSMetricQueueCount  = "queueCount"
	JMSMetricQueueStates = "queueStates"
)

// JMSQuery is the `jms` query: the JMS broker's capacity, queue count and queue states.
type JMSQuery struct {
	Format Format `json:"format,omitempty"`
	// JMSMetric narrows the numeric frames to one kind (capacity, queueCount, queueStates); empty = all.
	JMSMetric string `json:"jmsMetric,omitempty"`
}

// Inventory states (the `drift` option and the State column's codes).
const (
	DriftAll          = "all"
	DriftNotDeployed  = "notDeployed"
	DriftSameVersion  = "sameVersion"
	DriftVersionDrift = "versionDrift"
	DriftNotInPackage = "notInPackage"
)

// InventoryQuery is the `inventory` query: design-time iFlows joined with the deployed artifacts.
type InventoryQuery struct {
	PackageID string `json:"packageId,omitempty"` // one integration package; empty = all packages
	Drift     string `json:"drift,omitempty"`     // all (default) | notDeployed | sameVersion | versionDrift | notInPackage
}
