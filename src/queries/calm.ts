import { CalmEditor } from '../components/calm/CalmEditor';
import { interpolateCalm } from '../components/calm/options';
import type { QueryFamily } from './family';

export type { CalmFilter, CalmFormat, CalmMeasure, CalmMethod, CalmOptions } from '../components/calm/options';
export { CALM_FORMATS, CALM_METHODS, CPI_MESSAGES_PRESET, interpolateCalm } from '../components/calm/options';

export const calmFamily: QueryFamily = {
  queryTypes: [
    {
      value: 'calmMetrics',
      label: 'Cloud ALM metrics',
      description:
        'SAP Cloud ALM analytics providers (CPI_MESSAGES: messages per iFlow and status), as time series or table',
    },
  ],
  editors: { calmMetrics: CalmEditor },
  // provider is a string, dimensions a list of strings: the data source replaces and expands their variables.
  interpolated: ['provider', 'dimensions'],
  // filter keys and values and measure names sit inside objects: interpolated by the family itself.
  interpolate: (query, replace, expand) =>
    query.queryType === 'calmMetrics' ? interpolateCalm(query, replace, expand) : query,
  variableKinds: [
    {
      value: 'calmProviders',
      label: 'Cloud ALM providers',
      description: 'Analytics providers of the Cloud ALM connection (text = description, value = name)',
    },
    {
      value: 'calmDimensionValues',
      label: 'Cloud ALM dimension values',
      description:
        'Values of one dimension; filter = <provider>:<dimension>, e.g. CPI_MESSAGES:IntegrationArtifactName',
    },
  ],
};
