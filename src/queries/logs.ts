import type { QueryFamily } from './family';

/** Options of the log query types (auditLogs, logFiles) (Go: pkg/models). */
export interface LogsOptions {}

export const logsFamily: QueryFamily = {
  queryTypes: [],
  editors: {},
  interpolated: [],
  variableKinds: [],
};
