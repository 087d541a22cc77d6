import { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import { expandTemplateValues, MAX_EXPANDED_VALUES } from './templating';
import { makeDataSource } from './test/datasource';
import { ALL, setDashboardVariables } from './test/templateSrv';
import type { CpiQuery, MessageCountsQuery } from './types';

// The dashboard of these tests, with a template service that behaves like Grafana's (src/test/templateSrv.ts).
const { templateSrv, replace } = setDashboardVariables({
  status: 'ERROR',
  flow: 'Order',
  iflow: ['Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba'],
  iflowAll: {
    current: [ALL],
    options: ['Heartbeat_Monitor', 'Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba'],
  },
  statusAll: { current: ALL, options: ['COMPLETED', 'FAILED'], allValue: '.*' },
  region: ['EU', 'US'],
  none: [],
  package: 'ZAribaProcurement',
});

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

describe('DataSource: message filters with template variables', () => {
  beforeEach(() => replace.mockClear());

  it('expands multi-value and "All" variables in every list filter and interpolates the text filters', () => {
    const query: MessageCountsQuery = {
      refId: 'A',
      queryType: 'messageCounts',
      iflows: ['$iflow', 'Heartbeat_Monitor'],
      packages: ['$package'],
      statuses: ['FAILED', 'RETRY'],
      senders: ['${region}'],
      receivers: ['[[iflowAll]]'],
      customStatus: '$status',
      customHeaderName: 'PurchaseOrder',
      groupBy: 'iflow',
      format: 'timeseries',
    };
    const out = makeDataSource().applyTemplateVariables(query, {});
    expect(out).toEqual({
      refId: 'A',
      queryType: 'messageCounts',
      iflows: ['Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba', 'Heartbeat_Monitor'],
      packages: ['ZAribaProcurement'],
      statuses: ['FAILED', 'RETRY'],
      senders: ['EU', 'US'],
      receivers: ['Heartbeat_Monitor', 'Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba'],
      customStatus: 'ERROR',
      customHeaderName: 'PurchaseOrder',
      groupBy: 'iflow',
      format: 'timeseries',
    });
    // The saved query keeps its variables.
    expect(query.iflows).toEqual(['$iflow', 'Heartbeat_Monitor']);
  });

  it('removes duplicates, keeping the first position of each value', () => {
    const out = makeDataSource().applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'messages',
        iflows: ['PurchaseOrder_S4_to_Ariba', '$iflow', '$iflowAll', 'PurchaseOrder_S4_to_Ariba'],
      },
      {}
    );
    expect(out.iflows).toEqual(['PurchaseOrder_S4_to_Ariba', 'Invoice_Ariba_to_S4', 'Heartbeat_Monitor']);
  });

  it('uses the scoped value of a repeated panel', () => {
    const out = makeDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'messages', iflows: ['$iflow'] },
      { iflow: { text: 'Heartbeat Monitor', value: 'Heartbeat_Monitor' } }
    );
    expect(out.iflows).toEqual(['Heartbeat_Monitor']);
  });

  it('gives every combination when text and a multi-value variable share an element', () => {
    const out = makeDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'messages', iflows: ['Order_$region', 'X_$region_$flow'] },
      {}
    );
    // "$region_" is not a variable (Grafana reads the longest name): that element is left as typed but for $flow.
    expect(out.iflows).toEqual(['Order_EU', 'Order_US', 'X_$region_Order']);
  });

  it('drops a variable with nothing selected, keeps an unknown one and a custom "All" value as they are', () => {
    const out = makeDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'messages', iflows: ['$none'], statuses: ['$statusAll'], senders: ['$unknown', ''] },
      {}
    );
    expect(out.iflows).toEqual([]);
    expect(out.statuses).toEqual(['.*']);
    expect(out.senders).toEqual(['$unknown']);
  });

  it('honours an explicit format in the element', () => {
    const out = makeDataSource().applyTemplateVariables(
      { refId: 'A', queryType: 'messages', iflows: ['${iflow:csv}'] },
      {}
    );
    expect(out.iflows).toEqual(['Invoice_Ariba_to_S4,PurchaseOrder_S4_to_Ariba']);
  });

  it('keeps values with quotes and unicode intact (escaping is the backend’s job)', () => {
    const hostile = ["' or '1' eq '1", 'Bestellung_Übermittlung', 'a,b{c}'];
    const out = makeDataSource().applyTemplateVariables({ refId: 'A', queryType: 'messages', iflows: hostile }, {});
    expect(out.iflows).toEqual(hostile);
  });
});

describe('expandTemplateValues', () => {
  it('caps a runaway expansion', () => {
    const many = Array.from({ length: 150 }, (_, i) => `F${i}`);
    const srv = {
      replace: (target: string, _s: ScopedVars, format: Function) =>
        target.replace(/\$(\w+)/g, () => format(many, { name: 'x' })),
    } as unknown as TemplateSrv;
    // 150 × 150 combinations, more than the cap.
    const out = expandTemplateValues(srv, ['$a-$b', 'Z'], {});
    expect(out).toHaveLength(MAX_EXPANDED_VALUES);
    expect(out[0]).toBe('F0-F0');
    expect(new Set(out).size).toBe(out.length);
  });

  it('ignores elements that are not strings', () => {
    expect(expandTemplateValues(templateSrv, ['$flow', 3, null, undefined, {}], {})).toEqual(['Order']);
  });
});

describe('DataSource: Cloud ALM options nested in objects', () => {
  it('interpolates filter keys, expands filter values and replaces measure names', () => {
    const query: CpiQuery = {
      refId: 'A',
      queryType: 'calmMetrics',
      provider: 'CPI_MESSAGES',
      dimensions: ['IntegrationArtifactName'],
      filters: [
        { key: 'IntegrationArtifactName', values: ['$iflow', 'Heartbeat_Monitor'] },
        { key: 'StatusGroup', values: ['$status'] },
      ],
      measures: [{ name: 'Count', method: 'SUM' }],
      format: 'timeseries',
    };
    const out = makeDataSource().applyTemplateVariables(query, {});
    expect(out.filters).toEqual([
      {
        key: 'IntegrationArtifactName',
        values: ['Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba', 'Heartbeat_Monitor'],
      },
      { key: 'StatusGroup', values: ['ERROR'] },
    ]);
    expect(out.measures).toEqual([{ name: 'Count', method: 'SUM' }]);
    expect(query.filters?.[0].values).toEqual(['$iflow', 'Heartbeat_Monitor']);
  });

  it('adds no Cloud ALM keys to other query types', () => {
    const out = makeDataSource().applyTemplateVariables({ refId: 'A', queryType: 'artifacts' }, {});
    expect(Object.keys(out)).toEqual(['refId', 'queryType']);
  });
});
