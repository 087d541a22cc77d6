import type { QueryType } from '../types';
import type { NewQuery } from './model';

/** One worked example of a query type: what it answers, and the query (without refId). */
export interface QueryExample<T extends QueryType = QueryType> {
  title: string;
  query: NewQuery<T>;
}

/**
 * An example per query type for the query help (cheat sheet). Each is a complete query the backend accepts
 * (src/queries/model.test.ts holds them to pkg/models); clicking one in the help puts it into the editor.
 */
export const QUERY_EXAMPLES: { [T in QueryType]: QueryExample<T> } = {
  messages: {
    title: 'Failed messages of the range as log lines, with their error text',
    query: { queryType: 'messages', statuses: ['FAILED'], format: 'logs' },
  },
  messageCounts: {
    title: 'Failed messages per iFlow, one number each (alert rule: fire when above 0)',
    query: { queryType: 'messageCounts', statuses: ['FAILED'], groupBy: 'iflow', format: 'numeric' },
  },
  messageDurations: {
    title: 'Processing time per iFlow over time: average, median, 95th percentile, maximum',
    query: { queryType: 'messageDurations', groupBy: 'iflow', format: 'timeseries' },
  },
  errorGroups: {
    title: 'Failures grouped by similar error text, with a sample message',
    query: { queryType: 'errorGroups', format: 'table' },
  },
  stuckMessages: {
    title: 'Messages processing or retrying for more than 2 hours',
    query: { queryType: 'stuckMessages', stuckMinutes: 120, format: 'table' },
  },
  artifacts: {
    title: 'Artifacts that did not start, with their error text',
    query: { queryType: 'artifacts', artifactStatus: 'ERROR', format: 'table' },
  },
  endpoints: {
    title: 'SOAP endpoints of the deployed iFlows, with their WSDL links',
    query: { queryType: 'endpoints', protocol: 'SOAP' },
  },
  certificates: {
    title: 'Days until each certificate of the tenant keystore expires (alert rule: below 30)',
    query: { queryType: 'certificates', keystoreName: 'system', format: 'numeric' },
  },
  jms: {
    title: 'JMS broker capacity used, in percent (alert rule: above 80)',
    query: { queryType: 'jms', jmsMetric: 'capacity', format: 'numeric' },
  },
  inventory: {
    title: 'iFlows deployed in another version than designed',
    query: { queryType: 'inventory', drift: 'versionDrift' },
  },
  auditLogs: {
    title: 'Who changed what in Cloud Integration, as log lines',
    query: { queryType: 'auditLogs', category: 'audit.configuration', format: 'logs' },
  },
  logFiles: {
    title: 'The HTTP access logs of a Neo tenant, newest first',
    query: { queryType: 'logFiles', logFileType: 'http', format: 'table' },
  },
  calmMetrics: {
    title: 'Cloud ALM: messages per iFlow and status group over time',
    query: {
      queryType: 'calmMetrics',
      provider: 'CPI_MESSAGES',
      dimensions: ['IntegrationArtifactName', 'StatusGroup'],
      measures: [{ name: 'Count', method: 'SUM' }],
      format: 'timeseries',
    },
  },
};
