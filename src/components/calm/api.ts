import type { DataSource } from '../../datasource';
import type { CalmFilter, CalmOptions } from './options';
import type { VariableValue } from '../../variables';

/** One entry of the provider's metadata (backend: pkg/calm Filter, from POST /analytics/providers/filters). */
export interface CalmFilterInfo {
  key: string;
  name: string;
  description?: string;
  values: Array<{ key: string; label: string }>;
  isAttribute: boolean;
  isMultiple: boolean;
  /** Choosing a value changes the values of other filters: the editor asks again with the selection. */
  triggerRefresh: boolean;
  group?: string;
  /** attribute, dimension or measure (the measure entry lists the measures in values). */
  type: string;
  /** Cloud ALM refuses the query without a value for this filter. */
  required: boolean;
}

/** What POST calm/filters answers. */
export interface CalmMetadata {
  filters: CalmFilterInfo[];
  required: string[];
}

/** The providers of the Cloud ALM connection: text = description, value = name. */
export function fetchProviders(datasource: DataSource): Promise<VariableValue[]> {
  return datasource.getResource<VariableValue[]>('variables/calmProviders');
}

/**
 * A provider's dimensions, measures and filters, narrowed by the current selection (filters that depend on a
 * triggerRefresh filter come back with fitting values).
 */
export function fetchMetadata(
  datasource: DataSource,
  provider: string,
  selection: CalmFilter[] = []
): Promise<CalmMetadata> {
  const filters = selection.filter((f) => f.key !== '' && f.values.length > 0 && !isVariable(f.key));
  return datasource.postResource<CalmMetadata>(
    'calm/filters',
    filters.length > 0 ? { provider, filters } : { provider }
  );
}

/** A $variable (or ${variable}) cannot be looked up: its value is only known when the query runs. */
export function isVariable(text: string | undefined): boolean {
  return !!text && /^\$|\$\{|\[\[/.test(text);
}

/** The required filters of the provider that have no value in the query. */
export function missingRequired(meta: CalmMetadata | undefined, query: CalmOptions): string[] {
  if (!meta) {
    return [];
  }
  const required = new Set([...meta.required, ...meta.filters.filter((f) => f.required).map((f) => f.key)]);
  return [...required].filter(
    (key) => !(query.filters ?? []).some((f) => f.key === key && f.values.some((v) => v !== ''))
  );
}

/** The error text of a failed resource call (the backend answers {"error": "..."}). */
export function errorText(err: unknown): string {
  const e = err as { data?: { error?: string; message?: string }; message?: string; statusText?: string };
  return e?.data?.error ?? e?.data?.message ?? e?.message ?? e?.statusText ?? String(err);
}
