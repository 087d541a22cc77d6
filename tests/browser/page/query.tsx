/*
 * The `?view=query&query=<url-encoded JSON>` page: the REAL QueryEditor with a stub data source whose
 * getResource answers from window.sapcpiResources (set by the test before the page loads, see
 * tests/browser/lib.mjs mountQueryEditor) and a stub template service listing window.sapcpiVariables.
 */
import React, { useState } from 'react';
import { getDefaultTimeRange, TypedVariableModel } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';

import { QueryEditor } from '../../../src/components/QueryEditor';
import type { DataSource } from '../../../src/datasource';
import { defaultQuery, defaultQueryType } from '../../../src/queries/model';
import type { CpiQuery } from '../../../src/types';

/** One getResource call the editor made. */
export interface ResourceCall {
  path: string;
  params?: Record<string, unknown>;
}

declare global {
  interface Window {
    /** Canned answers of getResource: `path` or `path?k=v&…` (params sorted by key) → JSON value. */
    sapcpiResources?: Record<string, unknown>;
    /** Every getResource call, in order. */
    sapcpiResourceCalls?: ResourceCall[];
    /** Dashboard template variables the template service lists (names only are required). */
    sapcpiVariables?: Array<{ name: string; label?: string }>;
    /** The last query the editor reported through onChange. */
    sapcpiQuery?: CpiQuery;
    /** How many times the editor asked to run the query. */
    sapcpiRunCount?: number;
  }
}

/** `path?a=1&b=x`, the params sorted by key, so a test can give a specific answer for specific params. */
function keyWithParams(path: string, params?: Record<string, unknown>): string {
  const entries = Object.entries(params ?? {})
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    return path;
  }
  return `${path}?${entries.map(([k, v]) => `${k}=${String(v)}`).join('&')}`;
}

function getResource<T>(path: string, params?: Record<string, unknown>): Promise<T> {
  window.sapcpiResourceCalls = [...(window.sapcpiResourceCalls ?? []), { path, params }];
  const resources = window.sapcpiResources ?? {};
  const exact = keyWithParams(path, params);
  const key = exact in resources ? exact : path in resources ? path : undefined;
  if (key === undefined) {
    const known = Object.keys(resources).join(', ') || 'none';
    return Promise.reject(
      new Error(`browser test page: no canned answer for getResource('${exact}'); the test provides: ${known}`)
    );
  }
  // A copy, so an editor mutating the answer cannot change the next one.
  return Promise.resolve(structuredClone(resources[key]) as T);
}

// Only what the editors use; the rest of DataSource is never reached in this page.
const datasource = {
  uid: 'sapcpi-browser-test',
  name: 'SAP Cloud Integration',
  type: 'seed-sapcpi-datasource',
  getResource,
  postResource: getResource,
} as unknown as DataSource;

function variables(): TypedVariableModel[] {
  return (window.sapcpiVariables ?? []).map(
    (v) =>
      ({
        name: v.name,
        label: v.label ?? v.name,
        type: 'custom',
        current: { text: v.name, value: v.name },
        options: [],
      }) as unknown as TypedVariableModel
  );
}

setTemplateSrv({
  getVariables: variables,
  replace: (target?: string) => target ?? '',
  containsTemplate: (target?: string) => !!target && target.includes('$'),
  updateTimeRange: () => undefined,
} as TemplateSrv);

function initialQuery(): CpiQuery {
  const raw = new URLSearchParams(window.location.search).get('query');
  const query = raw ? (JSON.parse(raw) as Partial<CpiQuery>) : {};
  return { refId: 'A', ...defaultQuery(defaultQueryType()), ...query } as CpiQuery;
}

const range = getDefaultTimeRange();

export function QueryView() {
  const [query, setQuery] = useState(initialQuery);
  return (
    <div data-testid="sapcpi-query-editor" style={{ padding: 16 }}>
      <QueryEditor
        datasource={datasource}
        query={query}
        range={range}
        onChange={(next) => {
          window.sapcpiQuery = next;
          setQuery(next);
        }}
        onRunQuery={() => {
          window.sapcpiRunCount = (window.sapcpiRunCount ?? 0) + 1;
        }}
      />
    </div>
  );
}
