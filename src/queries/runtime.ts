import type { QueryFamily } from './family';

/** Options of the runtime, security and inventory query types (endpoints, certificates, jms, inventory) (Go: pkg/models). */
export interface RuntimeOptions {}

export const runtimeFamily: QueryFamily = {
  queryTypes: [],
  editors: {},
  interpolated: [],
  variableKinds: [],
};
