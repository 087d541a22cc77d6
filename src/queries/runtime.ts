import { CertificatesEditor } from '../components/runtime/CertificatesEditor';
import { EndpointsEditor } from '../components/runtime/EndpointsEditor';
import { InventoryEditor } from '../components/runtime/InventoryEditor';
import { JmsEditor } from '../components/runtime/JmsEditor';
import type { QueryFamily } from './family';

/** Keystores the certificates query reads (KeystoreEntries?keystoreName=…). */
export type Keystore = 'system' | 'backup_admin_system' | 'KeyRenewal';

/** Which numbers the numeric jms query returns; none = all of them. */
export type JmsMetric = 'capacity' | 'queueCount' | 'queueStates';

/** Inventory states: what is designed versus what is deployed. */
export type InventoryDrift = 'all' | 'notDeployed' | 'sameVersion' | 'versionDrift' | 'notInPackage';

/* Options of the runtime, security and inventory query types (Go: pkg/models/runtime.go, same JSON names). */

export interface EndpointsOptions {
  /** Case-insensitive part of the iFlow id, endpoint title or entry point name. */
  endpointName?: string;
  /** SOAP, ODATAV2, REST, AS2, AS4 … (filtered by the tenant). */
  protocol?: string;
}

export interface CertificatesOptions {
  /** Keystore, default system. */
  keystoreName?: Keystore;
  /** Case-insensitive part of the alias. */
  aliasContains?: string;
  /** Also read each entry's chain certificates (one request per entry, at most 25). */
  withChain?: boolean;
}

export interface JmsOptions {
  /** Numeric format: only capacity %, only queues used %, or only the queue states; empty = all. */
  jmsMetric?: JmsMetric;
}

export interface InventoryOptions {
  /** One integration package (id); empty = all packages. */
  packageId?: string;
  /** Only rows in this state; empty or `all` = every row. */
  drift?: InventoryDrift;
}

export const runtimeFamily: QueryFamily = {
  queryTypes: [
    {
      value: 'endpoints',
      label: 'Service endpoints',
      description: 'Callable entry points of the deployed iFlows: URL, protocol, WSDL / OpenAPI / EDMX links',
    },
    {
      value: 'certificates',
      label: 'Certificates',
      description: 'Keystore entries with validity, issuer, fingerprint and days until expiry (alertable)',
    },
    {
      value: 'jms',
      label: 'JMS queues',
      description: 'JMS broker capacity, number of queues and queue states (alertable)',
    },
    {
      value: 'inventory',
      label: 'Inventory',
      description: 'Designed versus deployed iFlows: not deployed, same version, version drift, not in a package',
    },
  ],
  editors: {
    endpoints: EndpointsEditor,
    certificates: CertificatesEditor,
    jms: JmsEditor,
    inventory: InventoryEditor,
  },
  interpolated: ['endpointName', 'protocol', 'aliasContains', 'packageId'],
  variableKinds: [
    {
      value: 'designPackages',
      label: 'Integration packages (design time)',
      description: 'Ids of the integration packages in the workspace (needs WorkspacePackagesRead)',
    },
    {
      value: 'certificateAliases',
      label: 'Certificate aliases',
      description: 'Aliases of a keystore; filter = keystore name (system, backup_admin_system, KeyRenewal)',
    },
  ],
};
