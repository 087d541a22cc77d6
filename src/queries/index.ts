import { artifactsFamily } from './artifacts';
import { calmFamily } from './calm';
import type { OptionKey, QueryType } from '../types';
import type { QueryFamily, QueryTypeInfo, VariableKind } from './family';
import { messagesFamily } from './messages';
import { logsFamily } from './logs';
import { runtimeFamily } from './runtime';

export type { QueryFamily, QueryTypeInfo, VariableKind } from './family';

const FAMILIES: QueryFamily[] = [messagesFamily, artifactsFamily, runtimeFamily, logsFamily, calmFamily];

/** The query types the backend answers today; the query editor offers exactly these. */
export const IMPLEMENTED_QUERY_TYPES: QueryTypeInfo[] = FAMILIES.flatMap((f) => f.queryTypes);

export const QUERY_EDITORS: QueryFamily['editors'] = Object.assign({}, ...FAMILIES.map((f) => f.editors));

export const INTERPOLATED_OPTIONS: OptionKey[] = FAMILIES.flatMap((f) => f.interpolated);

export const VARIABLE_KINDS: VariableKind[] = FAMILIES.flatMap((f) => f.variableKinds);

export const INTERPOLATORS: Array<NonNullable<QueryFamily['interpolate']>> = FAMILIES.flatMap((f) =>
  f.interpolate ? [f.interpolate] : []
);

export function isImplemented(queryType: QueryType | undefined): boolean {
  return IMPLEMENTED_QUERY_TYPES.some((t) => t.value === queryType);
}
