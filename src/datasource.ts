import { CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { CpiDataSourceOptions, CpiQuery, DEFAULT_QUERY } from './types';

/** The string options of a query that may hold template variables ($tenant_flow, ${status:csv}, …). */
const INTERPOLATED_OPTIONS = ['artifactType', 'artifactStatus', 'artifactName'] as const;

/**
 * Every query runs in the Go backend (also for alert rules, which have no browser); the frontend only
 * fills in defaults and template variables.
 */
export class DataSource extends DataSourceWithBackend<CpiQuery, CpiDataSourceOptions> {
  constructor(instanceSettings: DataSourceInstanceSettings<CpiDataSourceOptions>) {
    super(instanceSettings);
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
    const out: CpiQuery = { ...query };
    for (const key of INTERPOLATED_OPTIONS) {
      const value = query[key];
      if (typeof value === 'string' && value !== '') {
        out[key] = templateSrv.replace(value, scopedVars);
      }
    }
    return out;
  }
}
