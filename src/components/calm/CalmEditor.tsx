import React, { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Combobox,
  ComboboxOption,
  IconButton,
  InlineField,
  InlineFieldRow,
  LoadingPlaceholder,
  MultiCombobox,
  RadioButtonGroup,
  Stack,
} from '@grafana/ui';

import {
  CALM_METHODS,
  CalmFilter,
  CalmFormat,
  CalmMeasure,
  CalmMethod,
  CALM_FORMATS,
  CPI_MESSAGES_PRESET,
} from './options';
import type { CalmMetricsQuery } from '../../types';
import { LABEL_WIDTH, withCurrent } from '../common';
import type { EditorProps } from '../QueryEditor';
import {
  CalmFilterInfo,
  CalmMetadata,
  errorText,
  fetchMetadata,
  fetchProviders,
  isVariable,
  missingRequired,
} from './api';

const FORMAT_OPTIONS: Array<{ value: CalmFormat; label: string; description: string }> = [
  {
    value: 'timeseries',
    label: 'Time series',
    description: 'One series per group, bucketed by the panel interval (for alert rules)',
  },
  {
    value: 'numeric',
    label: 'Numeric',
    description: "One value per group over the whole range, folded by the measure's method (for alert rules)",
  },
  { value: 'table', label: 'Table', description: 'One row per time bucket and group' },
  { value: 'tableRaw', label: 'Raw table', description: 'The rows as Cloud ALM stores them' },
  { value: 'tableLastSlice', label: 'Last slice', description: 'Only the most recent time bucket' },
];

const DEFAULT_METHOD = '';
const METHOD_OPTIONS: Array<ComboboxOption<string>> = [
  { value: DEFAULT_METHOD, label: 'Default', description: "The provider's own aggregation" },
  ...CALM_METHODS.map((m) => ({ value: m, label: m })),
];

/** The query's format when it is one of calmMetrics' (a format left from another query type is not). */
function calmFormat(query: CalmMetricsQuery): CalmFormat | undefined {
  const f = query.format as string | undefined;
  return CALM_FORMATS.includes(f as CalmFormat) ? (f as CalmFormat) : undefined;
}

function filterLabel(info: CalmFilterInfo | undefined, key: string): string {
  return info?.name && info.name !== key ? `${info.name} (${key})` : key;
}

/** A name for a picker in a row whose visible label is shared (screen readers and tests use it). */
function HiddenLabel({ id, text }: { id: string; text: string }) {
  return (
    <span id={id} hidden>
      {text}
    </span>
  );
}

interface AddRowProps {
  /** The section's label, shown while the section has no rows (the first row carries it otherwise). */
  label?: string;
  tooltip: string;
  testId: string;
  text: string;
  onClick: () => void;
}

/** The row under a list of measures or filters with the button that adds one. */
function AddRow({ label, tooltip, testId, text, onClick }: AddRowProps) {
  return (
    <InlineFieldRow>
      {label && (
        <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
          <span />
        </InlineField>
      )}
      <Button data-testid={testId} size="sm" variant="secondary" icon="plus" onClick={onClick}>
        {text}
      </Button>
    </InlineFieldRow>
  );
}

/**
 * Editor of the `calmMetrics` query: provider (with the CPI_MESSAGES preset), dimensions, measures with their
 * aggregation, filters and the format. Dimensions, measures and filter values come from the provider's metadata
 * (backend POST calm/filters); filters Cloud ALM requires are flagged, and the query is not run while one has
 * no value.
 */
export function CalmEditor({ query, onChange, onRunQuery, datasource }: EditorProps<CalmMetricsQuery>) {
  // The selection the metadata is asked with: the query's filters when the editor opens, then the filters as
  // they are after a triggerRefresh filter changed (other filters' values depend on it).
  const [lookupSelection, setLookupSelection] = useState<CalmFilter[]>(() => query.filters ?? []);
  const [answer, setAnswer] = useState<{ key: string; provider: string; meta?: CalmMetadata; error?: string }>({
    key: '',
    provider: '',
  });
  // Descriptions of the providers seen, so the chosen one shows as "IM - Cloud Platform Integration".
  const [providerLabels, setProviderLabels] = useState<Record<string, string>>({});

  const provider = query.provider ?? '';
  const format = calmFormat(query);

  // A new query, or one switched from another type, gets the time series format.
  useEffect(() => {
    if (format === undefined) {
      onChange({ ...query, format: 'timeseries' });
    }
    // only when the format is missing or foreign
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [format]);

  const lookupKey = provider === '' || isVariable(provider) ? '' : JSON.stringify([provider, lookupSelection]);
  useEffect(() => {
    if (lookupKey === '') {
      return;
    }
    let current = true;
    fetchMetadata(datasource, provider, lookupSelection).then(
      (meta) => current && setAnswer({ key: lookupKey, provider, meta }),
      (err) => current && setAnswer({ key: lookupKey, provider, error: errorText(err) })
    );
    return () => {
      current = false;
    };
    // provider and lookupSelection are represented by lookupKey
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasource, lookupKey]);
  // While a refresh is on its way, the previous answer for the same provider stays (no flicker).
  const meta = lookupKey !== '' && answer.provider === provider ? answer.meta : undefined;
  const metaError = lookupKey !== '' && answer.key === lookupKey ? answer.error : undefined;
  const loading = lookupKey !== '' && answer.key !== lookupKey;

  const missing = useMemo(() => missingRequired(meta, query), [meta, query]);

  /** Applies a change; runs the query only when Cloud ALM would accept it (no required filter left empty). */
  const update = (patch: Partial<CalmMetricsQuery>, run = true) => {
    const next: CalmMetricsQuery = { ...query, ...patch };
    onChange(next);
    if (run && next.provider && (next.measures ?? []).some((m) => m.name) && missingRequired(meta, next).length === 0) {
      onRunQuery();
    }
  };

  const infos = useMemo(() => new Map((meta?.filters ?? []).map((f) => [f.key, f])), [meta]);
  const dimensionOptions = useMemo(
    () =>
      (meta?.filters ?? [])
        .filter((f) => f.type === 'dimension')
        .map((f) => ({ value: f.key, label: filterLabel(f, f.key), description: f.description })),
    [meta]
  );
  const filterKeyOptions = useMemo(
    () =>
      (meta?.filters ?? [])
        .filter((f) => f.type !== 'measure')
        .map((f) => ({
          value: f.key,
          label: filterLabel(f, f.key),
          description: f.required ? 'required' : f.description,
        })),
    [meta]
  );
  const measureOptions = useMemo(
    () =>
      (meta?.filters ?? [])
        .filter((f) => f.type === 'measure')
        .flatMap((f) => f.values)
        .map((v) => ({ value: v.key, label: v.label && v.label !== v.key ? `${v.label} (${v.key})` : v.key })),
    [meta]
  );

  // The chosen provider shows its description: the list is asked once when a provider is set.
  const knowsProvider = provider === '' || isVariable(provider) || provider in providerLabels;
  useEffect(() => {
    if (knowsProvider) {
      return;
    }
    let current = true;
    fetchProviders(datasource).then(
      (list) => current && setProviderLabels(Object.fromEntries(list.map((p) => [p.value, p.text]))),
      () => undefined // the name is shown instead; opening the picker asks again
    );
    return () => {
      current = false;
    };
  }, [datasource, knowsProvider]);

  const loadProviders = useCallback(
    async (search: string): Promise<Array<ComboboxOption<string>>> => {
      const list = await fetchProviders(datasource);
      setProviderLabels(Object.fromEntries(list.map((p) => [p.value, p.text])));
      const s = search.toLowerCase();
      return list
        .map((p) => ({ value: p.value, label: p.text || p.value, description: p.value }))
        .filter((o) => s === '' || o.label.toLowerCase().includes(s) || o.value.toLowerCase().includes(s));
    },
    [datasource]
  );

  const chooseProvider = (name: string) => {
    if (name === provider) {
      return;
    }
    // A new provider has other dimensions and filters; CPI_MESSAGES starts from the preset.
    setLookupSelection([]);
    if (name === CPI_MESSAGES_PRESET.provider) {
      update({ ...CPI_MESSAGES_PRESET });
    } else {
      update({ provider: name || undefined, dimensions: [], measures: [], filters: [] }, false);
    }
  };

  const measures = query.measures ?? [];
  const setMeasures = (next: CalmMeasure[], run = true) => update({ measures: next }, run);

  // Rows: the query's filters plus required filters it does not have yet (shown empty and flagged).
  const filters = query.filters ?? [];
  const rows: CalmFilter[] = [
    ...filters,
    ...missing.filter((k) => !filters.some((f) => f.key === k)).map((key) => ({ key, values: [] })),
  ];
  const setFilter = (index: number, next: CalmFilter | undefined) => {
    const before = rows[index];
    const list = [...rows];
    if (next === undefined) {
      list.splice(index, 1);
    } else {
      list[index] = next;
    }
    // Empty rows stay in the query while the editor shows them; the backend ignores filters without values.
    update({ filters: list });
    const changedKey = next?.key || before?.key;
    if (changedKey && infos.get(changedKey)?.triggerRefresh) {
      setLookupSelection(list.filter((f) => f.key !== '' && f.values.length > 0));
    }
  };

  return (
    <Stack direction="column" gap={0.5}>
      <InlineFieldRow>
        <InlineField
          label="Provider"
          labelWidth={LABEL_WIDTH}
          tooltip="Cloud ALM analytics data provider; CPI_MESSAGES holds the messages of Cloud Integration"
        >
          <Combobox<string>
            id="calm-provider"
            data-testid="calm-provider"
            width={40}
            createCustomValue
            placeholder="Choose a provider"
            options={loadProviders}
            value={provider ? { value: provider, label: providerLabels[provider] ?? provider } : null}
            onChange={(o) => chooseProvider(o?.value ?? '')}
          />
        </InlineField>
        <Button
          data-testid="calm-preset"
          variant="secondary"
          icon="apps"
          tooltip="CPI_MESSAGES: Count by IntegrationArtifactName and StatusGroup"
          onClick={() => {
            setLookupSelection([]);
            update({ ...CPI_MESSAGES_PRESET });
          }}
        >
          CPI messages per iFlow and status
        </Button>
      </InlineFieldRow>

      {loading && !meta && <LoadingPlaceholder text="Reading the provider's dimensions, measures and filters…" />}
      {metaError && (
        <Alert severity="error" title="Cloud ALM metadata not available" data-testid="calm-metadata-error">
          {metaError}
        </Alert>
      )}

      <InlineField label="Dimensions" labelWidth={LABEL_WIDTH} tooltip="Split the result into one series per value">
        <MultiCombobox<string>
          id="calm-dimensions"
          data-testid="calm-dimensions"
          // "auto": a number would be taken as pixels when @grafana/ui decides how many values fit
          width="auto"
          minWidth={60}
          maxWidth={100}
          createCustomValue
          placeholder="none: one series in total"
          options={withCurrent(dimensionOptions, undefined)}
          value={query.dimensions ?? []}
          onChange={(chosen) => update({ dimensions: chosen.map((o) => o.value) })}
        />
      </InlineField>

      {measures.map((m, i) => (
        <InlineFieldRow key={`measure-${i}`}>
          <HiddenLabel id={`calm-measure-${i}-name`} text={`Measure ${i + 1}`} />
          <HiddenLabel id={`calm-method-${i}-name`} text={`Method ${i + 1}`} />
          <InlineField label={i === 0 ? 'Measures' : ''} labelWidth={LABEL_WIDTH} tooltip="What is counted or measured">
            <div>
              <Combobox<string>
                id={`calm-measure-${i}`}
                data-testid={`calm-measure-${i}`}
                aria-labelledby={`calm-measure-${i}-name`}
                width={30}
                createCustomValue
                options={withCurrent(measureOptions, m.name)}
                value={m.name || null}
                onChange={(o) => setMeasures(measures.map((x, j) => (j === i ? { ...x, name: o?.value ?? '' } : x)))}
              />
            </div>
          </InlineField>
          <InlineField label="Method" tooltip="How the values of a bucket are aggregated">
            <div>
              <Combobox<string>
                id={`calm-method-${i}`}
                aria-labelledby={`calm-method-${i}-name`}
                data-testid={`calm-method-${i}`}
                width={14}
                options={METHOD_OPTIONS}
                value={m.method ?? DEFAULT_METHOD}
                onChange={(o) =>
                  setMeasures(
                    measures.map((x, j) =>
                      j === i ? { ...x, method: (o?.value || undefined) as CalmMethod | undefined } : x
                    )
                  )
                }
              />
            </div>
          </InlineField>
          <IconButton
            name="trash-alt"
            aria-label={`Remove measure ${i + 1}`}
            tooltip={`Remove measure ${i + 1}`}
            onClick={() => setMeasures(measures.filter((_, j) => j !== i))}
          />
        </InlineFieldRow>
      ))}
      <AddRow
        label={measures.length === 0 ? 'Measures' : undefined}
        tooltip="What is counted or measured"
        testId="calm-add-measure"
        text="Add measure"
        onClick={() => setMeasures([...measures, { name: measureOptions[0]?.value ?? '' }], false)}
      />

      {rows.map((f, i) => {
        const info = infos.get(f.key);
        const required = missing.includes(f.key) || Boolean(info?.required);
        const empty = f.values.length === 0;
        return (
          <InlineFieldRow key={`filter-${i}`} data-testid={`calm-filter-row-${f.key || i}`}>
            <HiddenLabel id={`calm-filter-key-${i}-name`} text={`Filter ${i + 1} key`} />
            <HiddenLabel id={`calm-filter-values-${i}-name`} text={`Filter ${i + 1} values`} />
            <InlineField
              label={i === 0 ? 'Filters' : ''}
              labelWidth={LABEL_WIDTH}
              tooltip="Values of one key are ORed, keys are ANDed"
            >
              <div>
                <Combobox<string>
                  id={`calm-filter-key-${i}`}
                  data-testid={`calm-filter-key-${i}`}
                  aria-labelledby={`calm-filter-key-${i}-name`}
                  width={30}
                  createCustomValue
                  options={withCurrent(filterKeyOptions, f.key)}
                  value={f.key || null}
                  onChange={(o) => setFilter(i, { key: o?.value ?? '', values: [] })}
                />
              </div>
            </InlineField>
            <InlineField
              label={required ? 'required' : '='}
              invalid={required && empty}
              error={required && empty ? 'Cloud ALM needs a value' : undefined}
              tooltip={required ? 'Cloud ALM refuses the query without a value for this filter' : undefined}
            >
              <div>
                <MultiCombobox<string>
                  id={`calm-filter-values-${i}`}
                  data-testid={`calm-filter-values-${i}`}
                  aria-labelledby={`calm-filter-values-${i}-name`}
                  width="auto"
                  minWidth={40}
                  maxWidth={90}
                  createCustomValue
                  invalid={required && empty}
                  placeholder={required ? 'choose a value (required)' : 'any'}
                  options={(info?.values ?? []).map((v) => ({ value: v.key, label: v.label || v.key }))}
                  value={f.values}
                  onChange={(chosen) => setFilter(i, { key: f.key, values: chosen.map((o) => o.value) })}
                />
              </div>
            </InlineField>
            {!required && (
              <IconButton
                name="trash-alt"
                aria-label={`Remove filter ${i + 1}`}
                tooltip={`Remove filter ${i + 1}`}
                onClick={() => setFilter(i, undefined)}
              />
            )}
          </InlineFieldRow>
        );
      })}
      <AddRow
        label={rows.length === 0 ? 'Filters' : undefined}
        tooltip="Values of one key are ORed, keys are ANDed"
        testId="calm-add-filter"
        text="Add filter"
        onClick={() => update({ filters: [...filters, { key: '', values: [] }] }, false)}
      />

      {missing.length > 0 && (
        <Alert severity="warning" title="A required filter has no value" data-testid="calm-required-missing">
          {`Cloud ALM refuses ${provider} without a value for ${missing.join(', ')}: choose one. The query is not sent until then.`}
        </Alert>
      )}

      <InlineField
        label="Format"
        labelWidth={LABEL_WIDTH}
        tooltip="Time series for graphs and alert rules, tables for lists"
      >
        <RadioButtonGroup<CalmFormat>
          data-testid="calm-format"
          options={FORMAT_OPTIONS}
          value={format ?? 'timeseries'}
          onChange={(f) => update({ format: f })}
        />
      </InlineField>
    </Stack>
  );
}
