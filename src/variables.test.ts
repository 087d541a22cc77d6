import { DataQueryRequest, DataQueryResponse, ScopedVars } from '@grafana/data';
import { firstValueFrom, Observable } from 'rxjs';

import { VARIABLE_KINDS } from './queries';
import { makeDataSource } from './test/datasource';
import { setDashboardVariables } from './test/templateSrv';
import { CpiVariableQuery, CpiVariableSupport } from './variables';

// A dashboard without variables of its own: the filter takes the scoped ones of each request.
setDashboardVariables({});

function request(target: CpiVariableQuery, scopedVars: ScopedVars = {}): DataQueryRequest<CpiVariableQuery> {
  return { targets: [target], scopedVars } as unknown as DataQueryRequest<CpiVariableQuery>;
}

describe('CpiVariableSupport', () => {
  it('is installed on the data source with its editor', () => {
    const ds = makeDataSource();
    expect(ds.variables).toBeInstanceOf(CpiVariableSupport);
    expect(ds.annotations).toBeDefined();
  });

  it('asks the backend for the kind, with the interpolated filter, and returns text/value fields', async () => {
    const ds = makeDataSource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue([
      { text: 'Order to Cash', value: 'Order_to_Cash' },
      { text: 'Payments', value: 'Payments_Flow' },
    ]);
    const support = ds.variables as CpiVariableSupport;
    const response = await firstValueFrom(
      support.query(
        request({ refId: 'V', kind: 'artifacts', filter: '$pkg' }, { pkg: { text: 'FIN', value: 'FIN' } })
      ) as Observable<DataQueryResponse>
    );
    expect(getResource).toHaveBeenCalledWith('variables/artifacts', { filter: 'FIN' });
    const frame = response.data[0];
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual(['text', 'value']);
    expect(frame.fields[0].values).toEqual(['Order to Cash', 'Payments']);
    expect(frame.fields[1].values).toEqual(['Order_to_Cash', 'Payments_Flow']);
  });

  it('sends no filter when none is set and nothing when no kind is chosen', async () => {
    const ds = makeDataSource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue([]);
    const support = ds.variables as CpiVariableSupport;
    await firstValueFrom(support.query(request({ refId: 'V', kind: 'artifacts' })) as Observable<DataQueryResponse>);
    expect(getResource).toHaveBeenCalledWith('variables/artifacts', {});
    getResource.mockClear();
    const empty = await firstValueFrom(
      support.query(request({ refId: 'V', kind: '' })) as Observable<DataQueryResponse>
    );
    expect(getResource).not.toHaveBeenCalled();
    expect(empty.data).toEqual([]);
  });

  it('offers the kinds the backend serves', () => {
    expect(VARIABLE_KINDS.map((k) => k.value)).toContain('artifacts');
  });
});
