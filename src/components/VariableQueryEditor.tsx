import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, Input, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { VARIABLE_KINDS } from '../queries';
import type { CpiDataSourceOptions, CpiQuery } from '../types';
import type { CpiVariableQuery } from '../variables';
import { LABEL_WIDTH } from './common';

type Props = QueryEditorProps<DataSource, CpiQuery, CpiDataSourceOptions, CpiVariableQuery>;

/** Chooses what a template variable lists; values come from the tenant through the backend. */
export function VariableQueryEditor({ query, onChange }: Props) {
  return (
    <Stack direction="row" gap={0.5}>
      <InlineField label="Values" labelWidth={LABEL_WIDTH} tooltip="What the variable lists">
        <Combobox<string>
          id="variable-kind"
          data-testid="variable-kind"
          width={36}
          options={VARIABLE_KINDS.map((k) => ({ value: k.value, label: k.label, description: k.description }))}
          value={query.kind ?? null}
          onChange={(o) => onChange({ ...query, kind: o.value })}
        />
      </InlineField>
      <InlineField
        label="Filter"
        labelWidth={LABEL_WIDTH}
        tooltip="Optional narrowing, e.g. a package id; $variables allowed"
      >
        <Input
          id="variable-filter"
          data-testid="variable-filter"
          width={30}
          value={query.filter ?? ''}
          placeholder="none"
          onChange={(e) => onChange({ ...query, filter: e.currentTarget.value })}
        />
      </InlineField>
    </Stack>
  );
}
