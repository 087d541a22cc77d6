import { meansAll } from '../../templating';

/*
 * Model of the calmMetrics query, shared by the editor and src/queries/calm.ts (kept here so the editor does not
 * import the family module that imports it).
 */
/** Aggregation methods of a measure (Cloud ALM analytics API); none = the provider's default. */
export type CalmMethod = 'AVG' | 'MIN' | 'MAX' | 'SUM' | 'LAST';

export const CALM_METHODS: CalmMethod[] = ['SUM', 'AVG', 'MIN', 'MAX', 'LAST'];

export interface CalmMeasure {
  name: string;
  method?: CalmMethod;
}

/** One filter: the values of one key are ORed, different keys ANDed (Cloud ALM's semantics). */
export interface CalmFilter {
  key: string;
  values: string[];
}

/**
 * Formats of calmMetrics (the query's `format`): time series, numeric (one value per series over the range, for
 * alert rules), table (one row per bucket and group), the raw table (rows as Cloud ALM stores them) and the last
 * time slice only.
 */
export type CalmFormat = 'timeseries' | 'numeric' | 'table' | 'tableRaw' | 'tableLastSlice';

export const CALM_FORMATS: CalmFormat[] = ['timeseries', 'numeric', 'table', 'tableRaw', 'tableLastSlice'];

/** Options of the `calmMetrics` query (Go: pkg/models/calm.go CalmMetricsQuery, same JSON names). */
export interface CalmOptions {
  /** Analytics provider name (GET /analytics/providers "name"), e.g. CPI_MESSAGES. */
  provider?: string;
  /** Dimensions that split the result into series (e.g. IntegrationArtifactName, StatusGroup). */
  dimensions?: string[];
  measures?: CalmMeasure[];
  filters?: CalmFilter[];
}

/** The CPI_MESSAGES preset: message counts per iFlow and status group. */
export const CPI_MESSAGES_PRESET: Required<Pick<CalmOptions, 'provider' | 'dimensions' | 'measures' | 'filters'>> = {
  provider: 'CPI_MESSAGES',
  dimensions: ['IntegrationArtifactName', 'StatusGroup'],
  measures: [{ name: 'Count', method: 'SUM' }],
  filters: [],
};

/**
 * Replaces template variables inside the options the generic interpolation cannot reach (filter values and
 * measure names live inside objects). `expand` turns one list of values into plain values, multi-value
 * variables expanded (datasource.ts expandTemplateValues); `replace` interpolates one string. For a data
 * source hook that interpolates per family (see the calm report).
 */
export function interpolateCalm<T extends CalmOptions>(
  query: T,
  replace: (text: string) => string,
  expand: (values: string[]) => string[]
): T {
  if (!query.filters && !query.measures) {
    return query;
  }
  return {
    ...query,
    // A filter whose values hold a variable set to All (ALL_VALUE) filters nothing: it is dropped.
    filters: query.filters
      ?.map((f) => ({ key: replace(f.key), values: expand(f.values) }))
      .filter((f) => !meansAll(f.values)),
    measures: query.measures?.map((m) => ({ ...m, name: replace(m.name) })),
  };
}
