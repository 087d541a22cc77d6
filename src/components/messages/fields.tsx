import React, { ChangeEvent, useEffect, useState } from 'react';
import { CoreApp } from '@grafana/data';
import { InlineField, Input, RadioButtonGroup } from '@grafana/ui';

import type { MessageCountsQuery, MessageDurationsQuery, MessageQuery, ResultFormat } from '../../types';
import { LABEL_WIDTH } from '../common';
import type { EditorProps } from '../QueryEditor';
import { effectiveFormat, FormatChoice } from './options';

/**
 * Writes the defaults into the query when an option is missing or not valid for this query type (a query saved
 * by an older editor may hold a format of another type), so the backend never has to guess. `fix` returns the
 * patch, or undefined when the query is fine.
 */
export function useNormalised<Q extends MessageQuery>(
  { query, onChange }: EditorProps<Q>,
  fix: (q: Q) => Partial<Q> | undefined
) {
  const patch = fix(query);
  const key = patch ? JSON.stringify(patch) : '';
  useEffect(() => {
    if (patch) {
      onChange({ ...query, ...patch });
    }
    // Only when the needed patch changes: `query` and `onChange` change identity on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
}

/**
 * The query's groupBy when the type offers it, else the type's default; like the format, a missing or foreign
 * value is written into the query once (useNormalised).
 */
export function useGroupBy<Q extends MessageCountsQuery | MessageDurationsQuery>(
  props: EditorProps<Q>,
  options: Array<{ value: NonNullable<Q['groupBy']> }>,
  fallback: NonNullable<Q['groupBy']>
): NonNullable<Q['groupBy']> {
  type G = NonNullable<Q['groupBy']>;
  const valid = (v: unknown): v is G => options.some((o) => o.value === v);
  useNormalised(props, (q) => {
    const patch = { ...formatPatch(q), ...(valid(q.groupBy) ? {} : { groupBy: fallback }) } as Partial<Q>;
    return Object.keys(patch).length > 0 ? patch : undefined;
  });
  const current = props.query.groupBy;
  return valid(current) ? current : fallback;
}

/** The format patch a message query needs, if any. */
export function formatPatch<Q extends MessageQuery>(query: Q, app?: CoreApp): Partial<Q> | undefined {
  const format = effectiveFormat(query, app === CoreApp.Explore);
  return query.format === format ? undefined : ({ format } as Partial<Q>);
}

interface FormatFieldProps<F extends ResultFormat> {
  /** The type's formats (options.ts MESSAGE_FORMATS). */
  options: Array<FormatChoice<F>>;
  value: F;
  onChange: (format: F) => void;
}

/** The formats one message query type offers. */
export function FormatField<F extends ResultFormat>({ options, value, onChange }: FormatFieldProps<F>) {
  return (
    <InlineField
      label="Format"
      labelWidth={LABEL_WIDTH}
      tooltip="Time series and numeric give one series per group with labels, what alert rules need"
    >
      <RadioButtonGroup<F> data-testid="query-format" options={options} value={value} onChange={onChange} />
    </InlineField>
  );
}

interface NumberFieldProps {
  id: string;
  label: string;
  tooltip: string;
  value: number | undefined;
  defaultValue: number;
  min: number;
  max: number;
  width?: number;
  /** Unit shown inside the field, e.g. "min". */
  suffix?: string;
  /** Called with a valid whole number, or undefined (= the default) when the field is emptied. */
  onCommit: (value: number | undefined) => void;
}

/**
 * A whole-number option, committed when the field loses focus or on Enter; an invalid entry is marked and not
 * stored, an empty field means the default (shown as placeholder).
 */
export function NumberField({
  id,
  label,
  tooltip,
  value,
  defaultValue,
  min,
  max,
  width = 12,
  suffix,
  onCommit,
}: NumberFieldProps) {
  const shown = value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  // When the query changes from outside (e.g. undo), show its value: React's "adjust state on a prop change".
  const [lastShown, setLastShown] = useState(shown);
  if (shown !== lastShown) {
    setLastShown(shown);
    setText(shown);
  }
  const trimmed = text.trim();
  const parsed = Number(trimmed);
  const valid = trimmed === '' || (/^\d+$/.test(trimmed) && parsed >= min && parsed <= max);

  const commit = () => {
    if (!valid) {
      return;
    }
    const next = trimmed === '' ? undefined : parsed;
    if (next !== value) {
      onCommit(next);
    }
  };

  return (
    <InlineField
      label={label}
      labelWidth={LABEL_WIDTH}
      tooltip={tooltip}
      invalid={!valid}
      error={valid ? undefined : `A whole number from ${min} to ${max}`}
    >
      <Input
        id={`query-${id}`}
        data-testid={`query-${id}`}
        type="number"
        min={min}
        max={max}
        width={width}
        value={text}
        placeholder={String(defaultValue)}
        suffix={suffix}
        onChange={(e: ChangeEvent<HTMLInputElement>) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            commit();
          }
        }}
      />
    </InlineField>
  );
}
