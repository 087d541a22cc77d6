import React from 'react';
import { ComboboxOption, InlineField, RadioButtonGroup } from '@grafana/ui';

import type { CpiQuery } from '../types';
import type { EditorProps } from './QueryEditor';

export const LABEL_WIDTH = 14;

/** Returns a function that applies a change to the query and, unless told otherwise, runs it. */
export function useUpdate<Q extends CpiQuery>({ query, onChange, onRunQuery }: EditorProps<Q>) {
  return (patch: Partial<Q>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };
}

/** Options plus the current custom value, so a template variable or an unlisted value shows as selected. */
export function withCurrent(
  options: Array<ComboboxOption<string>>,
  value: string | undefined
): Array<ComboboxOption<string>> {
  if (!value || options.some((o) => o.value === value)) {
    return options;
  }
  return [...options, { value, label: value }];
}

type TableOrNumeric = 'table' | 'numeric';

interface FormatPickerProps {
  value: TableOrNumeric | undefined;
  onChange: (format: TableOrNumeric) => void;
  tableDescription: string;
  numericDescription: string;
}

/** Table for panels, numeric (one value per item, with labels) for alert rules. */
export function FormatPicker({ value, onChange, tableDescription, numericDescription }: FormatPickerProps) {
  return (
    <InlineField
      label="Format"
      labelWidth={LABEL_WIDTH}
      tooltip="Numeric gives one value per item, what alert rules need"
    >
      <RadioButtonGroup<TableOrNumeric>
        data-testid="query-format"
        options={[
          { value: 'table', label: 'Table', description: tableDescription },
          { value: 'numeric', label: 'Numeric', description: numericDescription },
        ]}
        value={value ?? 'table'}
        onChange={onChange}
      />
    </InlineField>
  );
}
