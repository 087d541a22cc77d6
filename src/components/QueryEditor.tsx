import React, { ChangeEvent } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import { DataSource } from '../datasource';
import {
  ARTIFACT_STATUSES,
  ARTIFACT_TYPES,
  CpiDataSourceOptions,
  CpiQuery,
  DEFAULT_QUERY,
  IMPLEMENTED_QUERY_TYPES,
  QueryType,
  ResultFormat,
} from '../types';

export type QueryEditorComponentProps = QueryEditorProps<DataSource, CpiQuery, CpiDataSourceOptions>;

const QUERY_TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = IMPLEMENTED_QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: t.description,
}));

const ANY = '';
const ARTIFACT_TYPE_OPTIONS: Array<ComboboxOption<string>> = [
  { value: ANY, label: 'Any type' },
  ...ARTIFACT_TYPES.map((t) => ({ value: t, label: t })),
];
const ARTIFACT_STATUS_OPTIONS: Array<ComboboxOption<string>> = [
  { value: ANY, label: 'Any status' },
  ...ARTIFACT_STATUSES.map((s) => ({ value: s, label: s })),
];

const FORMAT_OPTIONS: Array<{ value: ResultFormat; label: string; description: string }> = [
  { value: 'table', label: 'Table', description: 'One row per artifact with status, version, deployer and error' },
  {
    value: 'numeric',
    label: 'Numeric',
    description: 'One status value per artifact (for alert rules: 1 = started, 0 = not started)',
  },
];

/** Options for a custom value, so a template variable or an unlisted value shows as selected. */
function withCurrent(options: Array<ComboboxOption<string>>, value: string | undefined): Array<ComboboxOption<string>> {
  if (!value || options.some((o) => o.value === value)) {
    return options;
  }
  return [...options, { value, label: value }];
}

const LABEL_WIDTH = 14;

/**
 * Query editor. Only query types the backend implements are offered (types.ts IMPLEMENTED_QUERY_TYPES);
 * free-text options take template variables, which the data source interpolates before sending.
 */
export function QueryEditor({ query, onChange, onRunQuery }: QueryEditorComponentProps) {
  const queryType = query.queryType ?? DEFAULT_QUERY.queryType;

  const update = (patch: Partial<CpiQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  return (
    <Stack direction="column" gap={0.5}>
      <InlineField label="Query type" labelWidth={LABEL_WIDTH} tooltip="What to ask the tenant for">
        <Combobox<QueryType>
          id="query-type"
          data-testid="query-type"
          width={40}
          options={QUERY_TYPE_OPTIONS}
          value={queryType}
          onChange={(o) => update({ queryType: o.value })}
        />
      </InlineField>

      {queryType === 'artifacts' && (
        <Stack direction="row" wrap="wrap" gap={0.5}>
          <InlineField
            label="Type"
            labelWidth={LABEL_WIDTH}
            tooltip="Runtime artifact type; type to enter another one or a $variable"
          >
            <Combobox<string>
              id="query-artifact-type"
              data-testid="query-artifact-type"
              width={26}
              createCustomValue
              options={withCurrent(ARTIFACT_TYPE_OPTIONS, query.artifactType)}
              value={query.artifactType ?? ANY}
              onChange={(o) => update({ artifactType: o?.value || undefined })}
            />
          </InlineField>
          <InlineField
            label="Status"
            labelWidth={LABEL_WIDTH}
            tooltip="Runtime status; type to enter another one or a $variable"
          >
            <Combobox<string>
              id="query-artifact-status"
              data-testid="query-artifact-status"
              width={20}
              createCustomValue
              options={withCurrent(ARTIFACT_STATUS_OPTIONS, query.artifactStatus)}
              value={query.artifactStatus ?? ANY}
              onChange={(o) => update({ artifactStatus: o?.value || undefined })}
            />
          </InlineField>
          <InlineField
            label="Name"
            labelWidth={LABEL_WIDTH}
            tooltip="Part of the artifact name or id (case-insensitive); $variables allowed"
          >
            <Input
              id="query-artifact-name"
              data-testid="query-artifact-name"
              width={30}
              value={query.artifactName ?? ''}
              placeholder="any"
              onChange={(e: ChangeEvent<HTMLInputElement>) => update({ artifactName: e.currentTarget.value }, false)}
              onBlur={onRunQuery}
            />
          </InlineField>
          <InlineField
            label="Format"
            labelWidth={LABEL_WIDTH}
            tooltip="Numeric gives one value per artifact, what alert rules need"
          >
            <RadioButtonGroup<ResultFormat>
              data-testid="query-format"
              options={FORMAT_OPTIONS}
              value={query.format ?? 'table'}
              onChange={(format) => update({ format })}
            />
          </InlineField>
        </Stack>
      )}
    </Stack>
  );
}
