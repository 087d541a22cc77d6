import { DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { firstValueFrom, Observable } from 'rxjs';

import { makeDataSource } from './test/datasource';
import { ALL, setDashboardVariables } from './test/templateSrv';
import type { CpiVariableQuery, CpiVariableSupport } from './variables';

// The bundled dashboards' multi-value variables: All gives their allValue, '__all__' (src/templating.ts).
setDashboardVariables({
  iflow: { current: [ALL], options: ['Order_to_Cash', 'Payments_Flow'], allValue: '__all__' },
  package: { current: ALL, options: ['FIN', 'SALES'], allValue: '__all__' },
  chosen: {
    current: ['Order_to_Cash', 'Payments_Flow'],
    options: ['Order_to_Cash', 'Payments_Flow', 'X'],
    allValue: '__all__',
  },
});

describe('a variable set to All sends no filter', () => {
  it('drops the list and text options it reaches, and keeps the others', () => {
    const out = makeDataSource().applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'messageCounts',
        iflows: ['$iflow', 'Heartbeat_Monitor'],
        packages: ['${package}'],
        statuses: ['FAILED'],
        groupBy: 'iflow',
        format: 'numeric',
      },
      {}
    );
    expect(out).toEqual({
      refId: 'A',
      queryType: 'messageCounts',
      statuses: ['FAILED'],
      groupBy: 'iflow',
      format: 'numeric',
    });
    const artifacts = makeDataSource().applyTemplateVariables(
      { refId: 'B', queryType: 'artifacts', artifactName: '$iflow', artifactStatus: 'ERROR' },
      {}
    );
    expect(artifacts).toEqual({ refId: 'B', queryType: 'artifacts', artifactStatus: 'ERROR' });
  });

  it('still sends the chosen values of a variable not set to All', () => {
    const out = makeDataSource().applyTemplateVariables({ refId: 'A', queryType: 'messages', iflows: ['$chosen'] }, {});
    expect(out.iflows).toEqual(['Order_to_Cash', 'Payments_Flow']);
  });

  it('drops a Cloud ALM filter whose values are All', () => {
    const out = makeDataSource().applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'calmMetrics',
        provider: 'CPI_MESSAGES',
        filters: [
          { key: 'IntegrationArtifactName', values: ['$iflow'] },
          { key: 'StatusGroup', values: ['Failed'] },
        ],
      },
      {}
    );
    expect(out.filters).toEqual([{ key: 'StatusGroup', values: ['Failed'] }]);
  });

  it('does not narrow a variable query by a filter variable set to All', async () => {
    const ds = makeDataSource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue([]);
    const support = ds.variables as CpiVariableSupport;
    const request = (filter: string) =>
      ({
        targets: [{ refId: 'V', kind: 'iflows', filter }],
        scopedVars: {},
      }) as unknown as DataQueryRequest<CpiVariableQuery>;
    await firstValueFrom(support.query(request('$package')) as Observable<DataQueryResponse>);
    expect(getResource).toHaveBeenLastCalledWith('variables/iflows', {});
    await firstValueFrom(support.query(request('FIN')) as Observable<DataQueryResponse>);
    expect(getResource).toHaveBeenLastCalledWith('variables/iflows', { filter: 'FIN' });
  });
});
