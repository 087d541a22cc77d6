import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

/*
 * Template-variable expansion of list options. A module of its own: the data source and the editors (which show
 * the package filter's values) both use it, and the data source imports the editors.
 */

/**
 * The allValue of the bundled dashboards' multi-value variables (iFlow, package): "All" then means no filter at
 * all, not an OR of every value the variable lists (which would also miss iFlows deployed since the dashboard
 * loaded, and make one huge request). Grafana substitutes a custom allValue as it is.
 */
export const ALL_VALUE = '__all__';

/** Whether an interpolated option stands for "All": a list holding ALL_VALUE, or ALL_VALUE itself. */
export function meansAll(value: unknown): boolean {
  return Array.isArray(value) ? value.includes(ALL_VALUE) : value === ALL_VALUE;
}

/** More values than this from one list option is a mistake (a huge cross product); the rest are dropped. */
export const MAX_EXPANDED_VALUES = 10000;

// Marks where a variable's values go while the values of one element are expanded; cannot occur in a value
// the user typed into a picker.
const MARK = '\u0000';

/**
 * Expands a list option (e.g. iflows: ['$iflow', 'Heartbeat_Monitor']) into plain values for the backend: an
 * element holding a multi-value variable (or one set to "All") becomes one element per value; an element mixing
 * text and variables (`Order_$region`) becomes every combination. Empty results are dropped, duplicates removed,
 * order kept. A variable set to a custom "All" value (e.g. `.*`) yields that value, as Grafana does.
 */
export function expandTemplateValues(templateSrv: TemplateSrv, values: unknown[], scopedVars?: ScopedVars): string[] {
  const out = new Set<string>();
  for (const element of values) {
    if (typeof element !== 'string' || element === '') {
      continue;
    }
    // Each variable occurrence is replaced by a marker holding its index in `slots`, so the values of a
    // multi-value variable never get joined into one string (Grafana's default would give `{a,b}`).
    const slots: string[][] = [];
    const marked = templateSrv.replace(element, scopedVars, (value: unknown) => {
      const list = Array.isArray(value) ? value : [value];
      slots.push(list.filter((v) => v !== undefined && v !== null).map(String));
      return `${MARK}${slots.length - 1}${MARK}`;
    });
    let combos = [''];
    marked.split(MARK).forEach((part, i) => {
      if (i % 2 === 0) {
        combos = combos.map((c) => c + part);
      } else {
        const slot = slots[Number(part)] ?? [];
        combos = combos.flatMap((c) => slot.map((v) => c + v)).slice(0, MAX_EXPANDED_VALUES);
      }
    });
    for (const v of combos) {
      if (v !== '' && out.size < MAX_EXPANDED_VALUES) {
        out.add(v);
      }
    }
  }
  return [...out];
}
