import { CoreApp } from '@grafana/data';

import { makeDataSource } from './test/datasource';
import { setDashboardVariables } from './test/templateSrv';
import type { CpiQuery } from './types';

// A dashboard whose variables a query uses, as when a panel's query is opened in Explore.
setDashboardVariables({ iflow: ['Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba'], status: 'FAILED' });

describe('DataSource in Explore', () => {
  it('starts a new query as messages shown as logs', () => {
    expect(makeDataSource().getDefaultQuery(CoreApp.Explore)).toEqual({ queryType: 'messages', format: 'logs' });
    expect(makeDataSource().getDefaultQuery(CoreApp.Dashboard)).toEqual({ queryType: 'artifacts', format: 'table' });
  });

  it('keeps the values of the dashboard variables when a query is opened in Explore', () => {
    const queries: CpiQuery[] = [
      { refId: 'A', queryType: 'messages', iflows: ['$iflow'], customStatus: '$status', format: 'logs' },
      { refId: 'B', queryType: 'artifacts', artifactStatus: '$status' },
    ];
    const out = makeDataSource().interpolateVariablesInQueries(queries, {});
    expect(out).toEqual([
      {
        refId: 'A',
        queryType: 'messages',
        iflows: ['Invoice_Ariba_to_S4', 'PurchaseOrder_S4_to_Ariba'],
        customStatus: 'FAILED',
        format: 'logs',
        datasource: { type: 'seed-sapcpi-datasource', uid: 'sapcpi' },
      },
      {
        refId: 'B',
        queryType: 'artifacts',
        artifactStatus: 'FAILED',
        datasource: { type: 'seed-sapcpi-datasource', uid: 'sapcpi' },
      },
    ]);
    expect(queries[0]).toMatchObject({ iflows: ['$iflow'] });
  });

  it('shows a query in the history as its type and the options set', () => {
    const ds = makeDataSource();
    expect(
      ds.getQueryDisplayText({
        refId: 'A',
        queryType: 'messages',
        statuses: ['FAILED', 'RETRY'],
        iflows: [],
        messageId: '',
        format: 'logs',
        hide: false,
      })
    ).toBe('Messages · statuses: FAILED, RETRY · format: logs');
    expect(
      ds.getQueryDisplayText({
        refId: 'B',
        queryType: 'calmMetrics',
        provider: 'CPI_MESSAGES',
        measures: [{ name: 'Count', method: 'SUM' }],
        filters: [{ key: 'StatusGroup', values: ['Failed', 'Retry'] }],
      })
    ).toBe('Cloud ALM metrics · provider: CPI_MESSAGES · measures: SUM(Count) · filters: StatusGroup = Failed, Retry');
    expect(ds.getQueryDisplayText({ refId: 'C', queryType: 'jms' })).toBe('JMS queues');
  });
});
