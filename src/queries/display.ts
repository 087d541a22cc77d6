import { SHARED_QUERY_KEYS, type CpiQuery } from '../types';
import { IMPLEMENTED_QUERY_TYPES } from './index';

/** One option's value as text: lists joined, Cloud ALM measures and filters in their short form. */
function valueText(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map(valueText).join(', ');
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.name === 'string') {
      return o.method ? `${o.method}(${o.name})` : o.name; // a measure
    }
    if (typeof o.key === 'string') {
      return `${o.key} = ${valueText(o.values)}`; // a filter
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/**
 * The query as one line for the query history and Explore's rich history: the type's label, then each option
 * that is set, e.g. "Messages · statuses: FAILED · format: logs".
 */
export function queryDisplayText(query: CpiQuery): string {
  const label = IMPLEMENTED_QUERY_TYPES.find((t) => t.value === query.queryType)?.label ?? query.queryType;
  const skip = new Set<string>([...SHARED_QUERY_KEYS, 'queryType']);
  const parts = Object.entries(query)
    .filter(([k, v]) => !skip.has(k) && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${valueText(v)}`);
  return [label, ...parts].join(' · ');
}
