import { readFileSync } from 'fs';
import { join } from 'path';
import { CoreApp } from '@grafana/data';

import { CALM_FORMATS } from '../components/calm/options';
import { MESSAGE_FORMATS } from '../components/messages/options';
import type { CpiQuery, QueryType } from '../types';
import { QUERY_EXAMPLES } from './examples';
import { IMPLEMENTED_QUERY_TYPES, INTERPOLATED_OPTIONS } from './index';
import { defaultQuery, defaultQueryType, switchQueryType } from './model';

/*
 * The frontend's query model held to the backend's: tests/vectors/query-options.json is written by a Go test
 * from pkg/models (the options and formats each query type accepts), so these checks do not trust the
 * TypeScript side to describe itself.
 */
interface Spec {
  options: string[];
  formats: string[];
}
const vectors: { grafanaKeys: string[]; queryTypes: Record<string, Spec> } = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'tests', 'vectors', 'query-options.json'), 'utf8')
);
const GO_TYPES = Object.keys(vectors.queryTypes).sort() as QueryType[];
const APPS: Array<CoreApp | undefined> = [undefined, CoreApp.Dashboard, CoreApp.Explore, CoreApp.UnifiedAlerting];

/** The keys of a query the backend would refuse, or that belong to another type. */
function foreignKeys(query: CpiQuery, type: QueryType): string[] {
  const allowed = new Set([...vectors.grafanaKeys, ...vectors.queryTypes[type].options]);
  return Object.keys(query).filter((k) => !allowed.has(k));
}

describe('query model against pkg/models', () => {
  it('has the same query types as the backend', () => {
    expect(GO_TYPES.length).toBe(13);
    expect(IMPLEMENTED_QUERY_TYPES.map((t) => t.value).sort()).toEqual(GO_TYPES);
  });

  it.each(GO_TYPES)('a new %s query holds only its own options and its default format', (type) => {
    for (const app of APPS) {
      const q = { refId: 'A', ...defaultQuery(type, app) } as CpiQuery;
      expect(q.queryType).toBe(type);
      expect(foreignKeys(q, type)).toEqual([]);
      const spec = vectors.queryTypes[type];
      if (spec.options.includes('format')) {
        // The first format is the backend's default. Explore asks for log lines where they are the answer (a log
        // files query without a file lists the files).
        const logs = app === CoreApp.Explore && (type === 'messages' || type === 'auditLogs');
        const want = logs ? 'logs' : spec.formats[0];
        expect(spec.formats).toContain(want);
        expect(q.format).toBe(want);
      } else {
        expect(q.format).toBeUndefined();
      }
    }
  });

  // Every ordered pair: the query of A (its defaults, then every option A has filled in) switched to B.
  const pairs = GO_TYPES.flatMap((a) => GO_TYPES.filter((b) => b !== a).map((b) => [a, b] as const));
  it.each(pairs)('%s switched to %s keeps only the shared keys and gets the defaults', (a, b) => {
    expect(pairs.length).toBe(13 * 12);
    for (const app of APPS) {
      const shared = { refId: 'B', hide: false, datasource: { type: 'seed-sapcpi-datasource', uid: 'prd' }, key: 'k' };
      const filled: Record<string, unknown> = { ...shared, ...defaultQuery(a, app) };
      for (const option of vectors.queryTypes[a].options) {
        filled[option] ??= `value of ${option}`;
      }
      for (const start of [{ ...shared, ...defaultQuery(a, app) }, filled]) {
        const out = switchQueryType(start as unknown as CpiQuery, b, app);
        expect(out.queryType).toBe(b);
        expect(foreignKeys(out, b)).toEqual([]);
        expect(out).toMatchObject(shared);
        // Nothing of A survives but what B has as its own default.
        const defaults = defaultQuery(b, app) as Record<string, unknown>;
        for (const [k, v] of Object.entries(out)) {
          if (!(k in shared) && k !== 'queryType') {
            expect([k, v]).toEqual([k, defaults[k]]);
          }
        }
        if (out.format !== undefined) {
          expect(vectors.queryTypes[b].formats).toContain(out.format);
        }
      }
    }
  });

  it('switches a jms query to message counts without jmsMetric', () => {
    const jms: CpiQuery = { refId: 'A', queryType: 'jms', format: 'numeric', jmsMetric: 'capacity' };
    expect(switchQueryType(jms, 'messageCounts')).toEqual({
      refId: 'A',
      queryType: 'messageCounts',
      format: 'timeseries',
      groupBy: 'status',
    });
  });

  it('starts Explore on messages as logs and panels on the deployed artifacts', () => {
    expect(defaultQueryType(CoreApp.Explore)).toBe('messages');
    expect(defaultQuery(defaultQueryType(CoreApp.Explore), CoreApp.Explore)).toEqual({
      queryType: 'messages',
      format: 'logs',
    });
    expect(defaultQuery(defaultQueryType(CoreApp.Dashboard), CoreApp.Dashboard)).toEqual({
      queryType: 'artifacts',
      format: 'table',
    });
  });

  it('offers in the editors exactly the formats the backend accepts, in its order', () => {
    for (const [type, choices] of Object.entries(MESSAGE_FORMATS)) {
      expect([type, choices.map((c) => c.value)]).toEqual([type, vectors.queryTypes[type].formats]);
    }
    expect(CALM_FORMATS).toEqual(vectors.queryTypes.calmMetrics.formats);
  });

  it('interpolates only options some query type has', () => {
    const every = new Set(Object.values(vectors.queryTypes).flatMap((s) => s.options));
    expect(INTERPOLATED_OPTIONS.filter((o) => !every.has(o))).toEqual([]);
  });

  it.each(GO_TYPES)('the help example of %s is a query the backend accepts', (type) => {
    const q = { refId: 'A', ...QUERY_EXAMPLES[type].query } as CpiQuery;
    expect(q.queryType).toBe(type);
    expect(foreignKeys(q, type)).toEqual([]);
    if (q.format !== undefined) {
      expect(vectors.queryTypes[type].formats).toContain(q.format);
    }
  });
});
