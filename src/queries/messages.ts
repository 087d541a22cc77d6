import type { QueryFamily } from './family';

/** Options of the messages query types (Go: pkg/models). */
export interface MessagesOptions {}

export const messagesFamily: QueryFamily = {
  queryTypes: [],
  editors: {},
  interpolated: [],
  variableKinds: [],
};
