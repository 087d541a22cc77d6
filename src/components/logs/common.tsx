import React, { useEffect } from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';

import type { LogsFormat } from './options';
import type { CpiQuery } from '../../types';
import { LABEL_WIDTH } from '../common';
import type { QueryEditorComponentProps } from '../QueryEditor';

/** The format of a log query; anything else (left over from another query type) counts as a table. */
export function logsFormat(query: CpiQuery): LogsFormat {
  return query.format === 'logs' ? 'logs' : 'table';
}

/**
 * A query switched here from another type keeps that type's format (numeric, timeseries), which the log query
 * types refuse: store `table` instead, without running the query.
 */
export function useLogsFormatNormalised({ query, onChange }: QueryEditorComponentProps) {
  const stale = query.format !== undefined && query.format !== 'table' && query.format !== 'logs';
  useEffect(() => {
    if (stale) {
      onChange({ ...query, format: 'table' });
    }
  }, [stale, query, onChange]);
}

interface FormatProps {
  value: LogsFormat;
  onChange: (format: LogsFormat) => void;
  tableDescription: string;
  logsDescription: string;
}

/** Table for panels, Logs for Explore and the logs panel. */
export function LogsFormatPicker({ value, onChange, tableDescription, logsDescription }: FormatProps) {
  return (
    <InlineField label="Format" labelWidth={LABEL_WIDTH} tooltip="Logs shows the lines in Explore and the logs panel">
      <RadioButtonGroup<LogsFormat>
        data-testid="query-format"
        options={[
          { value: 'table', label: 'Table', description: tableDescription },
          { value: 'logs', label: 'Logs', description: logsDescription },
        ]}
        value={value}
        onChange={onChange}
      />
    </InlineField>
  );
}
