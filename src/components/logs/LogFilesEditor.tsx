import React, { useEffect, useState } from 'react';
import { Alert, ComboboxOption, InlineField, RadioButtonGroup, Stack } from '@grafana/ui';

import type { LogFileType } from './options';
import type { VariableValue } from '../../variables';
import { LABEL_WIDTH, OpenChoiceField, useUpdate } from '../common';
import type { LogFilesQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { LogsFormatPicker, logsFormat, useLogsFormatNormalised } from './common';

type TypeChoice = LogFileType | 'any';

const TYPE_OPTIONS: Array<{ value: TypeChoice; label: string; description: string }> = [
  { value: 'any', label: 'Any', description: 'HTTP access logs and trace logs' },
  { value: 'http', label: 'HTTP access', description: 'One line per HTTP request: method, path, status, duration' },
  { value: 'trace', label: 'Trace', description: 'The runtime trace log: level, category, message' },
];

const LIST = '';

/** What a failed getResource says: the backend's {"error": …} body, or the error's own message. */
export function resourceErrorText(err: unknown): string {
  const e = err as { data?: { error?: string; message?: string }; message?: string } | undefined;
  return e?.data?.error || e?.data?.message || e?.message || String(err);
}

/**
 * `logFiles` (Neo only): without a file, the list of log files that hold lines of the time range; with a file,
 * its lines in the time range (HTTP access log or trace log). The file picker lists the tenant's files
 * (variables/logFiles); on Cloud Foundry that call fails with SAP's Neo-only explanation, shown here.
 */
export function LogFilesEditor(props: EditorProps<LogFilesQuery>) {
  const { query, datasource } = props;
  const update = useUpdate(props);
  useLogsFormatNormalised(props);
  const type: TypeChoice = query.logFileType ?? 'any';
  const [files, setFiles] = useState<Array<ComboboxOption<string>>>([]);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    const params = type === 'any' ? undefined : { filter: type };
    datasource
      .getResource<VariableValue[]>('variables/logFiles', params)
      .then((values) => {
        if (live) {
          setFiles(values.map((v) => ({ value: v.value, label: v.text })));
          setError(undefined);
        }
      })
      .catch((err: unknown) => {
        if (live) {
          setFiles([]);
          setError(resourceErrorText(err));
        }
      });
    return () => {
      live = false;
    };
  }, [datasource, type]);

  const fileOptions: Array<ComboboxOption<string>> = [
    {
      value: LIST,
      label: 'List the files',
      description: 'One row per log file: name, application, type, size, modified',
    },
    ...files,
  ];

  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" wrap="wrap" gap={0.5}>
        <InlineField label="Type" labelWidth={LABEL_WIDTH} tooltip="Which log files to list and pick from">
          <RadioButtonGroup<TypeChoice>
            data-testid="query-logfile-type"
            options={TYPE_OPTIONS}
            value={type}
            onChange={(t) => update({ logFileType: t === 'any' ? undefined : t })}
          />
        </InlineField>
        <OpenChoiceField
          label="File"
          tooltip="A file shows its lines within the time range; type a name or a $variable"
          id="query-logfile-name"
          width={44}
          options={fileOptions}
          value={query.fileName}
          onChange={(fileName) => update({ fileName })}
        />
      </Stack>
      <LogsFormatPicker
        value={logsFormat(query)}
        onChange={(format) => update({ format })}
        tableDescription="Without a file: one row per file. With a file: one row per line (time, method, path, status, duration…)"
        logsDescription="The lines of the chosen file as log lines, for Explore and the logs panel"
      />
      {error && (
        <Alert severity="info" title="Log files are not available" data-testid="query-logfile-error">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
