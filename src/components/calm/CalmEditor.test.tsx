import { act, screen, waitFor, within } from '@testing-library/react';

import type { DataSource } from '../../datasource';
import { calmFamily } from '../../queries/calm';
import {
  fakeDataSource as fakeResources,
  renderEditor as renderWith,
  giveElementsASize,
  savedQuery,
} from '../../test/editors';
import type { CalmMetricsQuery } from '../../types';
import { CPI_MESSAGES_PRESET, interpolateCalm } from './options';
import type { CalmFilterInfo, CalmMetadata } from './api';
import { CalmEditor } from './CalmEditor';

giveElementsASize();

const dim = (key: string, values: string[], extra: Partial<CalmFilterInfo> = {}): CalmFilterInfo => ({
  key,
  name: key,
  values: values.map((v) => ({ key: v, label: v })),
  isAttribute: false,
  isMultiple: true,
  triggerRefresh: false,
  type: 'dimension',
  required: false,
  ...extra,
});
const measures = (...names: string[]): CalmFilterInfo => ({
  ...dim('measures', names),
  name: 'Measures',
  type: 'measure',
});

/** Metadata as the simulated Cloud ALM answers it (pkg/simulator/calm.go) through POST calm/filters. */
const METADATA: Record<string, CalmMetadata> = {
  CPI_MESSAGES: {
    filters: [
      dim('ServiceName', ['Tenant PRD'], { triggerRefresh: true }),
      dim('IntegrationArtifactName', ['PurchaseOrder_S4_to_Ariba', 'Invoice_Ariba_to_S4']),
      dim('StatusGroup', ['Failed', 'In Process', 'Other', 'Successful']),
      measures('Count'),
    ],
    required: [],
  },
  KPI_HISTORY_TOTALS: {
    filters: [dim('kpiId', ['KPI_1', 'KPI_2'], { required: true }), dim('kpiName', []), measures('value')],
    required: ['kpiId'],
  },
};

/** getResource lists the providers (variables/calmProviders); postResource answers calm/filters from METADATA. */
function fakeDataSource() {
  const { getResource } = fakeResources({
    'variables/calmProviders': [
      { text: 'IM - Cloud Platform Integration', value: 'CPI_MESSAGES' },
      { text: 'Exception Monitoring', value: 'EXM_DATAPROVIDER' },
      { text: 'KPI History Totals', value: 'KPI_HISTORY_TOTALS' },
    ],
  });
  const postResource = jest.fn((path: string, body: { provider: string }) => {
    const meta = path === 'calm/filters' ? METADATA[body.provider] : undefined;
    return meta ? Promise.resolve(meta) : Promise.reject({ data: { error: `Unknown provider : ${body.provider}` } });
  });
  return { datasource: { getResource, postResource } as unknown as DataSource, getResource, postResource };
}

function renderEditor(initial: CalmMetricsQuery) {
  const fake = fakeDataSource();
  return { ...renderWith(CalmEditor, initial, { datasource: fake.datasource }), ...fake };
}

const base: CalmMetricsQuery = { refId: 'A', queryType: 'calmMetrics' };

/**
 * The option of the open menu with this text. By text, not by role name: @grafana/ui puts the value into an id
 * that aria-labelledby refers to, so a value with a space ("Tenant PRD") has no accessible name.
 */
async function option(text: string): Promise<HTMLElement> {
  const found = (await screen.findAllByRole('option')).find((o) => o.textContent === text);
  if (!found) {
    throw new Error(`no option ${text}`);
  }
  return found;
}

describe('CalmEditor', () => {
  it('gives a new query the time series format and applies the CPI_MESSAGES preset', async () => {
    const { user, last, onRunQuery, postResource } = renderEditor(base);
    expect(last()).toEqual({ ...base, format: 'timeseries' });
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(postResource).not.toHaveBeenCalled(); // no provider, nothing to look up

    await user.click(screen.getByRole('button', { name: /CPI messages per iFlow and status/ }));
    expect(last()).toEqual({ ...base, format: 'timeseries', ...CPI_MESSAGES_PRESET });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(postResource).toHaveBeenCalledWith('calm/filters', { provider: 'CPI_MESSAGES' }));
  });

  it('lists providers by description and starts CPI_MESSAGES from the preset', async () => {
    const { user, last, getResource } = renderEditor({ ...base, format: 'timeseries' });
    await user.click(screen.getByRole('combobox', { name: /Provider/ }));
    const option = await screen.findByRole('option', { name: /IM - Cloud Platform Integration/ });
    expect(getResource).toHaveBeenCalledWith('variables/calmProviders');
    await user.click(option);
    expect(last()).toMatchObject({ provider: 'CPI_MESSAGES', dimensions: ['IntegrationArtifactName', 'StatusGroup'] });
    expect(last().measures).toEqual([{ name: 'Count', method: 'SUM' }]);
  });

  it('flags a required filter and does not run the query until it has a value', async () => {
    const { user, last, onRunQuery } = renderEditor({
      ...base,
      format: 'timeseries',
      provider: 'KPI_HISTORY_TOTALS',
      measures: [{ name: 'value' }],
    });
    const warning = await screen.findByTestId('calm-required-missing');
    expect(warning).toHaveTextContent('Cloud ALM refuses KPI_HISTORY_TOTALS without a value for kpiId');
    const row = screen.getByTestId('calm-filter-row-kpiId');
    expect(within(row).getByText('required')).toBeInTheDocument();
    expect(within(row).getByText('Cloud ALM needs a value')).toBeInTheDocument();
    // The required row cannot be removed.
    expect(within(row).queryByRole('button', { name: /Remove filter/ })).not.toBeInTheDocument();

    // Any change while incomplete is kept but not run.
    await user.click(screen.getByRole('radio', { name: 'Table' }));
    expect(last().format).toBe('table');
    expect(onRunQuery).not.toHaveBeenCalled();

    await user.click(screen.getByRole('combobox', { name: /Filter 1 values/ }));
    await user.click(await screen.findByRole('option', { name: 'KPI_1' }));
    expect(last().filters).toEqual([{ key: 'kpiId', values: ['KPI_1'] }]);
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('calm-required-missing')).not.toBeInTheDocument();
  });

  it('asks for the metadata again with the selection when a triggerRefresh filter changes', async () => {
    const { user, postResource, last } = renderEditor({
      ...base,
      format: 'timeseries',
      ...CPI_MESSAGES_PRESET,
      filters: [{ key: 'ServiceName', values: [] }],
    });
    await waitFor(() => expect(postResource).toHaveBeenCalledTimes(1));
    await act(() => Promise.resolve()); // the metadata answer is applied
    await user.click(screen.getByRole('combobox', { name: /Filter 1 values/ }));
    await user.click(await option('Tenant PRD'));
    expect(last().filters).toEqual([{ key: 'ServiceName', values: ['Tenant PRD'] }]);
    await waitFor(() =>
      expect(postResource).toHaveBeenLastCalledWith('calm/filters', {
        provider: 'CPI_MESSAGES',
        filters: [{ key: 'ServiceName', values: ['Tenant PRD'] }],
      })
    );

    // A filter without triggerRefresh changes nothing in the metadata.
    const calls = postResource.mock.calls.length;
    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.click(screen.getByRole('combobox', { name: /Filter 2 key/ }));
    await user.click(await screen.findByRole('option', { name: 'StatusGroup' }));
    await user.click(screen.getByRole('combobox', { name: /Filter 2 values/ }));
    await user.click(await screen.findByRole('option', { name: 'Failed' }));
    expect(last().filters).toEqual([
      { key: 'ServiceName', values: ['Tenant PRD'] },
      { key: 'StatusGroup', values: ['Failed'] },
    ]);
    expect(postResource).toHaveBeenCalledTimes(calls);
  });

  it('adds a measure with a method and removes one', async () => {
    const { user, last } = renderEditor({ ...base, format: 'timeseries', ...CPI_MESSAGES_PRESET });
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Measure 1' })).toHaveValue('Count'));
    await user.click(screen.getByRole('button', { name: 'Add measure' }));
    expect(last().measures).toEqual([{ name: 'Count', method: 'SUM' }, { name: 'Count' }]);
    await user.click(screen.getByRole('combobox', { name: 'Method 2' }));
    await user.click(await screen.findByRole('option', { name: 'MAX' }));
    expect(last().measures).toEqual([
      { name: 'Count', method: 'SUM' },
      { name: 'Count', method: 'MAX' },
    ]);
    await user.click(screen.getByRole('button', { name: 'Remove measure 1' }));
    expect(last().measures).toEqual([{ name: 'Count', method: 'MAX' }]);
  });

  it('shows why the metadata is not available', async () => {
    renderEditor({ ...base, format: 'timeseries', provider: 'NOPE', measures: [{ name: 'x' }] });
    expect(await screen.findByTestId('calm-metadata-error')).toHaveTextContent('Unknown provider : NOPE');
  });

  it('offers the five formats and replaces a format left from another query type', async () => {
    const { last, user } = renderEditor(savedQuery(base, { format: 'logs' }));
    expect(last().format).toBe('timeseries');
    const radios = screen.getAllByRole('radio').map((r) => r.parentElement?.textContent?.trim());
    expect(radios).toEqual(['Time series', 'Numeric', 'Table', 'Raw table', 'Last slice']);
    await user.click(screen.getByRole('radio', { name: 'Last slice' }));
    expect(last().format).toBe('tableLastSlice');
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last().format).toBe('numeric');
  });
});

describe('calm family', () => {
  it('registers the query type, its variable kinds and the options the data source interpolates', () => {
    expect(calmFamily.queryTypes.map((t) => t.value)).toEqual(['calmMetrics']);
    expect(calmFamily.variableKinds.map((k) => k.value)).toEqual(['calmProviders', 'calmDimensionValues']);
    // Only strings and lists of strings: the generic expansion would empty a list of objects.
    expect(calmFamily.interpolated).toEqual(['provider', 'dimensions']);
  });

  it('interpolates filter values and measure names', () => {
    const vars: Record<string, string[]> = { iflow: ['A', 'B'], m: ['Count'] };
    const replace = (t: string) => t.replace(/\$(\w+)/g, (_, n) => (vars[n] ?? [`$${n}`]).join(','));
    const expand = (values: string[]) => values.flatMap((v) => (v.startsWith('$') ? (vars[v.slice(1)] ?? [v]) : [v]));
    const out = interpolateCalm(
      {
        provider: 'CPI_MESSAGES',
        measures: [{ name: '$m', method: 'SUM' }],
        filters: [{ key: 'IntegrationArtifactName', values: ['$iflow', 'C'] }],
      },
      replace,
      expand
    );
    expect(out.filters).toEqual([{ key: 'IntegrationArtifactName', values: ['A', 'B', 'C'] }]);
    expect(out.measures).toEqual([{ name: 'Count', method: 'SUM' }]);
  });
});
