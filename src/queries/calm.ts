import type { QueryFamily } from './family';

/** Options of the calm query types (Go: pkg/models). */
export interface CalmOptions {}

export const calmFamily: QueryFamily = {
  queryTypes: [],
  editors: {},
  interpolated: [],
  variableKinds: [],
};
