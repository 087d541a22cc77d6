import { AdHocVariableFilter, CoreApp, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';

import { INTERPOLATED_OPTIONS, INTERPOLATORS } from './queries';
import { queryDisplayText } from './queries/display';
import { defaultQuery, defaultQueryType } from './queries/model';
import { expandTemplateValues, meansAll } from './templating';
import type { CpiDataSourceOptions, CpiQuery } from './types';
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

  /** A new query: Messages as logs in Explore, the deployed artifacts in a panel. */
  getDefaultQuery(app: CoreApp): Partial<CpiQuery> {
    return defaultQuery(defaultQueryType(app), app);
  }

  /** The query as one line in the query history. */
  getQueryDisplayText(query: CpiQuery): string {
    return queryDisplayText(query);
  }

  /**
   * A dashboard query opened in Explore (or copied to another data source) keeps the values its variables had:
   * Explore has no dashboard variables to resolve them later.
   */
  interpolateVariablesInQueries(
    queries: CpiQuery[],
    scopedVars: ScopedVars,
    _filters?: AdHocVariableFilter[]
  ): CpiQuery[] {
    return queries.map((q) => ({ ...this.applyTemplateVariables(q, scopedVars), datasource: this.getRef() }));
  }

  /** Hidden queries are not sent; everything else is, so the backend can explain an incomplete query. */
  filterQuery(query: CpiQuery): boolean {
    return !query.hide;
  }

  applyTemplateVariables<Q extends CpiQuery>(query: Q, scopedVars: ScopedVars): Q {
    const templateSrv = getTemplateSrv();
    const out: Record<string, unknown> = { ...query };
    for (const key of INTERPOLATED_OPTIONS) {
      const value: unknown = out[key];
      if (typeof value === 'string' && value !== '') {
        out[key] = templateSrv.replace(value, scopedVars);
      } else if (Array.isArray(value)) {
        out[key] = expandTemplateValues(templateSrv, value, scopedVars);
      }
      // A variable set to All: no filter (one value being everything makes the whole ORed list everything).
      if (meansAll(out[key])) {
        delete out[key];
      }
    }
    return INTERPOLATORS.reduce(
      (q, interpolate) =>
        interpolate(
          q,
          (text) => templateSrv.replace(text, scopedVars),
          (values) => expandTemplateValues(templateSrv, values, scopedVars)
        ),
      out as unknown as CpiQuery
    ) as Q;
  }
}
