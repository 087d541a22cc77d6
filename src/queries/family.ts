import type { ComponentType } from 'react';

import type { EditorProps } from '../components/QueryEditor';
import type { CpiQuery, OptionKey, QueryOf, QueryType } from '../types';

export interface QueryTypeInfo {
  value: QueryType;
  label: string;
  description: string;
}

/** A template-variable kind answered by the backend resource /variables/<kind>. */
export interface VariableKind {
  value: string;
  label: string;
  description: string;
}

/**
 * What one family of query types (artifacts, messages, security, Cloud ALM) contributes to the frontend.
 * Each family lives in its own file under src/queries/ and is listed once in src/queries/index.ts, so
 * families can grow without touching each other.
 */
export interface QueryFamily {
  queryTypes: QueryTypeInfo[];
  /** Editor per query type of the family. */
  editors: { [T in QueryType]?: ComponentType<EditorProps<QueryOf<T>>> };
  /** String options that may hold template variables; interpolated before the query is sent. */
  interpolated: OptionKey[];
  /** Variable kinds for the template-variable editor. */
  variableKinds: VariableKind[];
  /**
   * Replaces template variables in options the generic interpolation cannot reach (values nested in objects).
   * `replace` interpolates one string; `expand` turns a list into plain values, multi-value variables expanded.
   */
  interpolate?: (
    query: CpiQuery,
    replace: (text: string) => string,
    expand: (values: string[]) => string[]
  ) => CpiQuery;
}
