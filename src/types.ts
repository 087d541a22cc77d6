import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

import type { ArtifactsFormat, ArtifactsOptions } from './queries/artifacts';
import type { CalmFormat, CalmOptions } from './queries/calm';
import type { LogsFormat, AuditLogsOptions, LogFilesOptions } from './queries/logs';
import type {
  ErrorGroupsOptions,
  MessageCountsOptions,
  MessageDurationsOptions,
  MessageFilterOptions,
  MessagesListOptions,
  StuckMessagesOptions,
} from './queries/messages';
import type { CertificatesOptions, EndpointsOptions, InventoryOptions, JmsOptions } from './queries/runtime';

/*
 * Query and settings model of the SAP Cloud Integration data source.
 * Every name here is shared with the Go backend (pkg/models, pkg/settings): rename on both sides or not at all.
 * tests/vectors/query-options.json (written from pkg/models) lists the options and formats each query type
 * accepts; src/queries/model.test.ts holds this model to it. The settings keys are documented in
 * docs/architecture.md ("Data source settings").
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
 * Each query type accepts its own subset (Go: pkg/models Spec).
 */
export type ResultFormat = 'table' | 'numeric' | 'timeseries' | 'logs' | 'annotations' | 'tableRaw' | 'tableLastSlice';

/** What every query shares, whatever its type: Grafana's keys (refId, datasource, hide, …) and the type. */
interface QueryOfType<T extends QueryType, F extends ResultFormat | never = never> extends DataQuery {
  queryType: T;
  /** The result shape; each type has its own (the first of its list in pkg/models is the default). */
  format?: F;
}

export interface MessagesQuery
  extends QueryOfType<'messages', 'table' | 'logs'>, MessageFilterOptions, MessagesListOptions {}
export interface MessageCountsQuery
  extends
    QueryOfType<'messageCounts', 'timeseries' | 'numeric' | 'table'>,
    MessageFilterOptions,
    MessageCountsOptions {}
export interface MessageDurationsQuery
  extends QueryOfType<'messageDurations', 'timeseries' | 'table'>, MessageFilterOptions, MessageDurationsOptions {}
export interface ErrorGroupsQuery
  extends QueryOfType<'errorGroups', 'table' | 'numeric' | 'annotations'>, MessageFilterOptions, ErrorGroupsOptions {}
export interface StuckMessagesQuery
  extends QueryOfType<'stuckMessages', 'table' | 'numeric'>, MessageFilterOptions, StuckMessagesOptions {}
export interface ArtifactsQuery extends QueryOfType<'artifacts', ArtifactsFormat>, ArtifactsOptions {}
export interface EndpointsQuery extends QueryOfType<'endpoints'>, EndpointsOptions {}
export interface CertificatesQuery extends QueryOfType<'certificates', 'table' | 'numeric'>, CertificatesOptions {}
export interface JmsQuery extends QueryOfType<'jms', 'table' | 'numeric'>, JmsOptions {}
export interface InventoryQuery extends QueryOfType<'inventory'>, InventoryOptions {}
export interface AuditLogsQuery extends QueryOfType<'auditLogs', LogsFormat>, AuditLogsOptions {}
export interface LogFilesQuery extends QueryOfType<'logFiles', LogsFormat>, LogFilesOptions {}
export interface CalmMetricsQuery extends QueryOfType<'calmMetrics', CalmFormat>, CalmOptions {}

/** A query of the data source: one member per query type, told apart by `queryType`. */
export type CpiQuery =
  | MessagesQuery
  | MessageCountsQuery
  | MessageDurationsQuery
  | ErrorGroupsQuery
  | StuckMessagesQuery
  | ArtifactsQuery
  | EndpointsQuery
  | CertificatesQuery
  | JmsQuery
  | InventoryQuery
  | AuditLogsQuery
  | LogFilesQuery
  | CalmMetricsQuery;

/** The query of one type (or of a union of types, e.g. the five message types). */
export type QueryOf<T extends QueryType> = Extract<CpiQuery, { queryType: T }>;

/** The five message query types, which share the message filters. */
export type MessageQueryType = 'messages' | 'messageCounts' | 'messageDurations' | 'errorGroups' | 'stuckMessages';
export type MessageQuery = QueryOf<MessageQueryType>;

/** Every option name of any query type. */
export type OptionKey = CpiQuery extends infer Q ? (Q extends CpiQuery ? keyof Q : never) : never;

/**
 * The keys a query keeps when its type changes: what Grafana puts into every query, not options of a type.
 * Everything else is the old type's and is dropped (the backend would refuse it, or apply it by surprise).
 */
export const SHARED_QUERY_KEYS = ['refId', 'hide', 'key', 'datasource', 'queryCaching'] as const;

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
