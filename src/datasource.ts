import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { INTERPOLATED_OPTIONS } from './queries';
import { CpiDataSourceOptions, CpiQuery, DEFAULT_QUERY } from './types';
import { CpiVariableSupport } from './variables';

/**
 * Every query runs in the Go backend (also for alert rules, which have no browser); the frontend only
 * fills in defaults and template variables.
 */
export class DataSource extends DataSourceWithBackend<CpiQuery, CpiDataSourceOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<CpiDataSourceOptions>) {
    super(instanceSettings);
    this.variables = new CpiVariableSupport(this);
    // Annotations use the query editor; the query types that mark events return time + text frames.
    this.annotations = {};
  }

  getDefaultQuery(_: CoreApp): Partial<CpiQuery> {
    return DEFAULT_QUERY;
  }

  /** Hidden queries are not sent; everything else is, so the backend can explain an incomplete query. */
  filterQuery(query: CpiQuery): boolean {
    return !query.hide;
  }

  applyTemplateVariables(query: CpiQuery, scopedVars: ScopedVars): CpiQuery {
    const templateSrv = getTemplateSrv();
    const out: Record<string, unknown> = { ...query };
    for (const key of INTERPOLATED_OPTIONS) {
      const value = query[key];
      if (typeof value === 'string' && value !== '') {
        out[key] = templateSrv.replace(value, scopedVars);
      }
    }
    return out as unknown as CpiQuery;
  }
}
