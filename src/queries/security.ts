import type { QueryFamily } from './family';

/** Options of the security query types (Go: pkg/models). */
export interface SecurityOptions {}

export const securityFamily: QueryFamily = {
  queryTypes: [],
  editors: {},
  interpolated: [],
  variableKinds: [],
};
