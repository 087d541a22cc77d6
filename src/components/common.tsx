import React, { ChangeEvent } from 'react';
import { Combobox, ComboboxOption, InlineField, InlineSwitch, Input, RadioButtonGroup } from '@grafana/ui';

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

/** An "any" option (the empty value: no filter) followed by the known values, each its own label. */
export function anyOf(anyLabel: string, values: string[]): Array<ComboboxOption<string>> {
  return [{ value: '', label: anyLabel }, ...values.map((v) => ({ value: v, label: v }))];
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

interface FieldProps {
  label: string;
  tooltip: string;
  /** The input's id, also its test id. */
  id: string;
  width: number;
}

interface TextFieldProps extends FieldProps {
  value: string | undefined;
  placeholder?: string;
  onChange: (value: string) => void;
  onBlur?: () => void;
}

/** A labelled text input; editors run the query on blur rather than on every key. */
function TextField({ label, tooltip, id, width, value, placeholder, onChange, onBlur }: TextFieldProps) {
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
      <Input
        id={id}
        data-testid={id}
        width={width}
        value={value ?? ''}
        placeholder={placeholder}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.currentTarget.value)}
        onBlur={onBlur}
      />
    </InlineField>
  );
}

interface OpenChoiceFieldProps extends FieldProps {
  options: Array<ComboboxOption<string>>;
  value: string | undefined;
  /** undefined when the choice is cleared or the empty option ("any") is chosen. */
  onChange: (value: string | undefined) => void;
}

/** A labelled choice among known values that also accepts another value or a $variable. */
export function OpenChoiceField({ label, tooltip, id, width, options, value, onChange }: OpenChoiceFieldProps) {
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip}>
      <Combobox<string>
        id={id}
        data-testid={id}
        width={width}
        createCustomValue
        options={withCurrent(options, value)}
        value={value ?? ''}
        onChange={(o) => onChange(o?.value || undefined)}
      />
    </InlineField>
  );
}

/** The options of query Q that hold a string. */
type StringOption<Q> = { [K in keyof Q]-?: Q[K] extends string | undefined ? K : never }[keyof Q] & string;

/**
 * One filter of an editor's filter row, bound to the query option `option`: with `options` a choice among known
 * values (another value or a $variable allowed), without them a text the results contain.
 */
export interface Filter<Q> extends FieldProps {
  option: StringOption<Q>;
  options?: Array<ComboboxOption<string>>;
}

interface FilterFieldsProps<Q extends CpiQuery> {
  editor: EditorProps<Q>;
  filters: Array<Filter<Q>>;
}

/**
 * The filters of a query. A choice runs the query at once; a text runs it when the field loses focus, not on every
 * key. An emptied filter (the "any" choice, an empty text) removes the option from the query.
 */
export function FilterFields<Q extends CpiQuery>({ editor, filters }: FilterFieldsProps<Q>) {
  const update = useUpdate(editor);
  const set = (option: StringOption<Q>, value: string | undefined, run: boolean) =>
    update({ [option]: value || undefined } as Partial<Q>, run);
  return (
    <>
      {filters.map(({ option, options, ...field }) => {
        const value = editor.query[option] as string | undefined;
        return options ? (
          <OpenChoiceField
            key={option}
            {...field}
            options={options}
            value={value}
            onChange={(v) => set(option, v, true)}
          />
        ) : (
          <TextField
            key={option}
            {...field}
            value={value}
            placeholder="any"
            onChange={(v) => set(option, v, false)}
            onBlur={editor.onRunQuery}
          />
        );
      })}
    </>
  );
}

interface SwitchFieldProps extends Omit<FieldProps, 'width'> {
  value: boolean;
  onChange: (checked: boolean) => void;
  labelWidth?: number;
}

/** A labelled on/off switch. */
export function SwitchField({ label, tooltip, id, value, onChange, labelWidth = LABEL_WIDTH }: SwitchFieldProps) {
  return (
    <InlineField label={label} labelWidth={labelWidth} tooltip={tooltip}>
      <InlineSwitch
        id={id}
        data-testid={id}
        value={value}
        onChange={(e: React.FormEvent<HTMLInputElement>) => onChange(e.currentTarget.checked)}
      />
    </InlineField>
  );
}
