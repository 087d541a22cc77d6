import { CoreApp } from '@grafana/data';

import { type CpiQuery, type QueryOf, type QueryType, SHARED_QUERY_KEYS } from '../types';

/*
 * What a query of each type starts with, and what is left of a query when its type changes. No editor is
 * imported here: the data source and the query-type picker both use this module.
 */

/** A query of type T without refId (Grafana's query row gives it). */
export type NewQuery<T extends QueryType> = T extends QueryType ? Omit<QueryOf<T>, 'refId'> : never;

/**
 * The options a new query of each type starts with: its default format written out (the first of its formats in
 * pkg/models, so a saved query never depends on the backend's default) and the defaults its editor shows.
 */
const DEFAULTS: { [T in QueryType]: NewQuery<T> } = {
  messages: { queryType: 'messages', format: 'table' },
  messageCounts: { queryType: 'messageCounts', format: 'timeseries', groupBy: 'status' },
  messageDurations: { queryType: 'messageDurations', format: 'timeseries', groupBy: 'iflow' },
  errorGroups: { queryType: 'errorGroups', format: 'table' },
  stuckMessages: { queryType: 'stuckMessages', format: 'table' },
  artifacts: { queryType: 'artifacts', format: 'table' },
  endpoints: { queryType: 'endpoints' },
  certificates: { queryType: 'certificates', format: 'table' },
  jms: { queryType: 'jms', format: 'table' },
  inventory: { queryType: 'inventory' },
  auditLogs: { queryType: 'auditLogs', format: 'table' },
  logFiles: { queryType: 'logFiles', format: 'table' },
  calmMetrics: { queryType: 'calmMetrics', format: 'timeseries' },
};

/** In Explore the types that can answer log lines do: Explore's logs view is where one reads them. */
const EXPLORE_DEFAULTS: { [T in QueryType]?: Partial<NewQuery<T>> } = {
  messages: { format: 'logs' },
  auditLogs: { format: 'logs' },
};

/** The type a new query gets: Messages as logs in Explore, the deployed artifacts elsewhere. */
export function defaultQueryType(app?: CoreApp): QueryType {
  return app === CoreApp.Explore ? 'messages' : 'artifacts';
}

/** A new query of `queryType` with its defaults (those of Explore when `app` is Explore). */
export function defaultQuery<T extends QueryType>(queryType: T, app?: CoreApp): NewQuery<T> {
  const explore = app === CoreApp.Explore ? EXPLORE_DEFAULTS[queryType] : undefined;
  return { ...DEFAULTS[queryType], ...explore };
}

/**
 * The query with its type changed: it keeps what every query shares (refId, datasource, hide, …) and gets the
 * new type's defaults; the old type's options are dropped, so the backend never receives an option the new type
 * does not have (nor applies a filter the editor no longer shows).
 */
export function switchQueryType(query: CpiQuery, queryType: QueryType, app?: CoreApp): CpiQuery {
  const kept: Record<string, unknown> = {};
  for (const key of SHARED_QUERY_KEYS) {
    if (key in query) {
      kept[key] = (query as unknown as Record<string, unknown>)[key];
    }
  }
  return { ...kept, refId: query.refId, ...defaultQuery(queryType, app) } as CpiQuery;
}
