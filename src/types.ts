import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/*
 * Query and settings model of the SAP Cloud Integration data source.
 * Every name here is shared with the Go backend (pkg/settings, pkg/plugin): rename on both sides or not at all.
 * The settings keys are documented in docs/architecture.md ("Data source settings").
 */

/** Every query type of the design. The editor offers only IMPLEMENTED_QUERY_TYPES. */
export type QueryType =
  | 'messages'
  | 'messageCounts'
  | 'messageDurations'
  | 'errorGroups'
  | 'stuckMessages'
  | 'artifacts'
  | 'endpoints'
  | 'certificates'
  | 'jms'
  | 'inventory'
  | 'auditLogs'
  | 'logFiles'
  | 'calmMetrics';

/** Result shape: `table` = one row per item, `numeric` = one value per item (what alert rules need). */
export type ResultFormat = 'table' | 'numeric';

export interface CpiQuery extends DataQuery {
  queryType: QueryType;

  // artifacts
  /** Runtime artifact type, e.g. INTEGRATION_FLOW, VALUE_MAPPING, SCRIPT_COLLECTION, MESSAGE_MAPPING; empty = all. */
  artifactType?: string;
  /** Runtime status: STARTED, ERROR, STARTING, STOPPING; empty = all. */
  artifactStatus?: string;
  /** Case-insensitive substring of the artifact name or id; empty = all. */
  artifactName?: string;
  /** `numeric` = one status value per artifact, for alert rules. */
  format?: ResultFormat;
}

export interface QueryTypeInfo {
  value: QueryType;
  label: string;
  description: string;
}

/** The query types the backend answers today; the query editor offers exactly these. */
export const IMPLEMENTED_QUERY_TYPES: QueryTypeInfo[] = [
  {
    value: 'artifacts',
    label: 'Deployed artifacts',
    description: 'Runtime artifacts (iFlows, value mappings, …) with status, version, deployer and error text',
  },
];

export const DEFAULT_QUERY: Partial<CpiQuery> = {
  queryType: 'artifacts',
  format: 'table',
};

/** Known runtime artifact types (IntegrationRuntimeArtifacts.Type); the editor also accepts others. */
export const ARTIFACT_TYPES = [
  'INTEGRATION_FLOW',
  'VALUE_MAPPING',
  'MESSAGE_MAPPING',
  'SCRIPT_COLLECTION',
  'REST_API',
  'SOAP_API',
  'ODATA_SERVICE',
  'INTEGRATION_ADAPTER',
];

/** Runtime artifact states (IntegrationRuntimeArtifacts.Status). */
export const ARTIFACT_STATUSES = ['STARTED', 'ERROR', 'STARTING', 'STOPPING'];

export type AuthType = 'oauth2ClientCredentials' | 'oauth2Certificate' | 'basic' | 'clientCertificate';

export type Environment = 'cloudFoundry' | 'neo';

export const DEFAULT_TIMEOUT_SECONDS = 30;
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 8;

/** jsonData: stored in clear text and sent to the browser. Never put a secret here. */
export interface CpiDataSourceOptions extends DataSourceJsonData {
  apiUrl?: string;
  environment?: Environment;
  tenantLabel?: string;
  authType?: AuthType;
  tokenUrl?: string;
  clientId?: string;
  basicUser?: string;
  tlsSkipVerify?: boolean;
  tlsAuthWithCACert?: boolean;
  timeoutSeconds?: number;
  maxConcurrentRequests?: number;
}

/** secureJsonData: encrypted by Grafana, write-only from the browser (it only sees secureJsonFields.<key>). */
export interface CpiSecureJsonData {
  clientSecret?: string;
  basicPassword?: string;
  clientCertificate?: string;
  clientKey?: string;
  tlsCACert?: string;
  serviceKey?: string;
}
