import { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';

import { DataSource } from './datasource';
import { CpiDataSourceOptions, CpiQuery } from './types';

// A template service that knows two variables, like Grafana's on a dashboard.
const variables: Record<string, string> = { status: 'ERROR', flow: 'Order' };
const replace = jest.fn((target: string | undefined, scopedVars?: ScopedVars) =>
  (target ?? '').replace(/\$(\w+)/g, (m, name: string) => {
    const scoped = scopedVars?.[name]?.value;
    if (scoped !== undefined) {
      return String(scoped);
    }
    return variables[name] ?? m;
  })
);

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace }),
}));

function makeDataSource(): DataSource {
  const settings = {
    id: 1,
    uid: 'sapcpi',
    type: 'seed-sapcpi-datasource',
    name: 'SAP CPI',
    access: 'proxy',
    jsonData: {},
    meta: {},
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<CpiDataSourceOptions>;
  return new DataSource(settings);
}

describe('DataSource', () => {
  beforeEach(() => replace.mockClear());

  it('interpolates the string options', () => {
    const ds = makeDataSource();
    const query: CpiQuery = {
      refId: 'A',
      queryType: 'artifacts',
      artifactStatus: '$status',
      artifactName: '$flow_$env',
      artifactType: 'INTEGRATION_FLOW',
      format: 'numeric',
    };
    const out = ds.applyTemplateVariables(query, { env: { text: 'prd', value: 'prd' } });
    expect(out).toEqual({
      refId: 'A',
      queryType: 'artifacts',
      artifactStatus: 'ERROR',
      artifactName: '$flow_prd', // "$flow_" is not a variable name: left alone, as Grafana does
      artifactType: 'INTEGRATION_FLOW',
      format: 'numeric',
    });
    // The original query object is not modified.
    expect(query.artifactStatus).toBe('$status');
  });

  it('leaves unset options unset', () => {
    const out = makeDataSource().applyTemplateVariables({ refId: 'A', queryType: 'artifacts' }, {});
    expect(out).toEqual({ refId: 'A', queryType: 'artifacts' });
    expect(replace).not.toHaveBeenCalled();
  });

  it('skips hidden queries only', () => {
    const ds = makeDataSource();
    expect(ds.filterQuery({ refId: 'A', queryType: 'artifacts' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: 'artifacts', hide: false })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: 'artifacts', hide: true })).toBe(false);
  });

  it('defaults to an artifacts table', () => {
    expect(makeDataSource().getDefaultQuery('dashboard' as never)).toEqual({ queryType: 'artifacts', format: 'table' });
  });
});
