/*
 * A template service that behaves like Grafana's for what the plugin uses (only tests import this file).
 */
import type { ScopedVars, TypedVariableModel } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';

/** Grafana's value of a variable set to "All". */
export const ALL = '$__all';

/**
 * A dashboard variable: its current value (an array for a multi-value one), its options (what "All" means unless
 * `allValue`, the variable's custom all value, is set). A bare string or array is the current value.
 */
export interface FakeVariable {
  current: string | string[];
  options?: string[];
  allValue?: string;
}
export type FakeVariables = Record<string, FakeVariable | string | string[]>;

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?::([^}]+))?}/g;

function currentValue(v: FakeVariable): string | string[] {
  const isAll = v.current === ALL || (Array.isArray(v.current) && v.current.includes(ALL));
  if (!isAll) {
    return v.current;
  }
  return v.allValue ?? v.options ?? [];
}

function formatValue(value: string | string[], format: string | Function | undefined, name: string): string {
  if (typeof format === 'function') {
    return format(value, { name });
  }
  const list = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'csv':
      return list.join(',');
    case 'pipe':
      return list.join('|');
    default:
      return Array.isArray(value) ? (value.length === 1 ? value[0] : `{${value.join(',')}}`) : value;
  }
}

/**
 * The template service of a dashboard with `variables`: `$name`, `${name}`, `${name:format}` and `[[name]]`;
 * scoped variables win over dashboard ones; a multi-value variable's value is an array, "All" (`$__all`) means
 * every option unless the variable has a custom all value; a format function gets the raw value (string or
 * array), a named format (`csv`, `pipe`) or the default (`{a,b}`) otherwise. Unknown variables stay as they are.
 * `replace` is a jest.fn, for tests that count the calls; getVariables lists the variables by name.
 */
export function fakeTemplateSrv(variables: FakeVariables = {}) {
  const lookup = (name: string): FakeVariable | undefined => {
    const v = variables[name];
    return typeof v === 'string' || Array.isArray(v) ? { current: v } : v;
  };
  const replace = jest.fn((target?: string, scopedVars?: ScopedVars, format?: string | Function): string =>
    (target ?? '').replace(VARIABLE, (match, n1, n2, f2, n3, f3) => {
      const name: string = n1 ?? n2 ?? n3;
      const fmt: string | Function | undefined = f2 ?? f3 ?? format;
      const scoped = scopedVars?.[name];
      if (scoped !== undefined) {
        return formatValue(scoped.value, fmt, name);
      }
      const v = lookup(name);
      return v ? formatValue(currentValue(v), fmt, name) : match;
    })
  );
  const templateSrv = {
    getVariables: () =>
      Object.keys(variables).map((name) => ({ name, type: 'custom' }) as unknown as TypedVariableModel),
    replace,
    containsTemplate: (t?: string) => !!t && t.includes('$'),
    updateTimeRange: () => undefined,
  } as unknown as TemplateSrv;
  return { templateSrv, replace };
}

/** Installs the template service of a dashboard with `variables` (getTemplateSrv() returns it). */
export function setDashboardVariables(variables: FakeVariables) {
  const fake = fakeTemplateSrv(variables);
  setTemplateSrv(fake.templateSrv);
  return fake;
}

/** No dashboard: getTemplateSrv() throws, as outside Grafana. */
export function noDashboard() {
  setTemplateSrv(undefined as unknown as TemplateSrv);
}
