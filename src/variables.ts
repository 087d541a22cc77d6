import { CustomVariableSupport, DataQueryRequest, DataQueryResponse, createDataFrame, FieldType } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { from, Observable } from 'rxjs';
import { map } from 'rxjs/operators';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import { meansAll } from './templating';
import type { DataSource } from './datasource';

/** A template-variable query: one kind of value the backend lists (resource /variables/<kind>). */
export interface CpiVariableQuery {
  refId: string;
  kind: string;
  /** Optional narrowing passed to the backend as ?filter=…; template variables allowed (e.g. a package). */
  filter?: string;
}

/** One value as the backend returns it. */
export interface VariableValue {
  text: string;
  value: string;
}

/**
 * Template variables from the tenant (iFlows, packages, artifacts, …). The backend does the look-up, so the
 * same credentials and caches serve panels, alert rules and variables.
 */
export class CpiVariableSupport extends CustomVariableSupport<DataSource, CpiVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<CpiVariableQuery>): Observable<DataQueryResponse> {
    const q = request.targets[0];
    if (!q?.kind) {
      return from(Promise.resolve({ data: [] }));
    }
    const params: Record<string, string> = {};
    if (q.filter) {
      const filter = getTemplateSrv().replace(q.filter, request.scopedVars);
      // A filter variable set to All (e.g. every package) does not narrow the list.
      if (!meansAll(filter)) {
        params.filter = filter;
      }
    }
    return from(this.datasource.getResource<VariableValue[]>(`variables/${encodeURIComponent(q.kind)}`, params)).pipe(
      map((values) => ({
        data: [
          createDataFrame({
            fields: [
              { name: 'text', type: FieldType.string, values: values.map((v) => v.text) },
              { name: 'value', type: FieldType.string, values: values.map((v) => v.value) },
            ],
          }),
        ],
      }))
    );
  }
}
