import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

import type { ArtifactsOptions } from './queries/artifacts';
import type { CalmOptions } from './queries/calm';
import type { MessagesOptions } from './queries/messages';
import type { LogsOptions } from './queries/logs';
import type { RuntimeOptions } from './queries/runtime';

/*
 * Query and settings model of the SAP Cloud Integration data source.
 * Every name here is shared with the Go backend (pkg/settings, pkg/plugin): rename on both sides or not at all.
 * The settings keys are documented in docs/architecture.md ("Data source settings").
 */

/** Every query type. The editor offers only IMPLEMENTED_QUERY_TYPES (src/queries). */
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

/**
 * Result shape. `table` = rows for panels, `numeric` = one value per item with labels (alert rules), `timeseries`,
 * `logs` (Explore), `annotations` (events: artifact deployments), and Cloud ALM's `tableRaw` / `tableLastSlice`.
 * Each query type accepts its own subset (Go: pkg/models Format).
 */
export type ResultFormat = 'table' | 'numeric' | 'timeseries' | 'logs' | 'annotations' | 'tableRaw' | 'tableLastSlice';

export interface CpiQuery
  extends DataQuery, ArtifactsOptions, MessagesOptions, RuntimeOptions, LogsOptions, CalmOptions {
  queryType: QueryType;
  /** `numeric` = one value per item with labels, for alert rules; `table` = rows for panels. */
  format?: ResultFormat;
}

export const DEFAULT_QUERY: Partial<CpiQuery> = {
  queryType: 'artifacts',
  format: 'table',
};

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
  // Optional secondary connections (pkg/settings: an empty URL means not configured).
  calmApiUrl?: string;
  calmTokenUrl?: string;
  calmClientId?: string;
  auditLogUrl?: string;
  auditLogTokenUrl?: string;
  auditLogClientId?: string;
  /** Each secondary connection's own "skip TLS verification"; the tenant's tlsSkipVerify does not reach them. */
  calmTlsSkipVerify?: boolean;
  auditLogTlsSkipVerify?: boolean;
  /** Send every request through Grafana's Secure SOCKS proxy (read by the SDK in the backend). */
  enableSecureSocksProxy?: boolean;
}

/** secureJsonData: encrypted by Grafana, write-only from the browser (it only sees secureJsonFields.<key>). */
export interface CpiSecureJsonData {
  clientSecret?: string;
  basicPassword?: string;
  clientCertificate?: string;
  clientKey?: string;
  tlsCACert?: string;
  serviceKey?: string;
  calmClientSecret?: string;
  auditLogClientSecret?: string;
  /** Whole service keys of the optional connections, for provisioning (like serviceKey for the tenant). */
  calmServiceKey?: string;
  auditLogServiceKey?: string;
}
