import React from 'react';

import { SwitchField, useUpdate } from '../common';
import type { ErrorGroupsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { FormatField, formatPatch, useNormalised } from './fields';
import { MessageEditorLayout } from './MessageFilters';
import { effectiveFormat, MESSAGE_FORMATS } from './options';

/** `errorGroups`: failed messages grouped by a normalised error signature. */
export function ErrorGroupsEditor(props: EditorProps<ErrorGroupsQuery>) {
  const { query } = props;
  const update = useUpdate(props);
  useNormalised(props, (q) => formatPatch(q));

  return (
    <MessageEditorLayout {...props}>
      <SwitchField
        label="Retries too"
        tooltip="Also group messages in RETRY and ESCALATED (failing now, may still succeed), not only FAILED"
        id="query-includeRetry"
        value={query.includeRetry ?? false}
        onChange={(checked) => update({ includeRetry: checked })}
      />
      <FormatField
        options={MESSAGE_FORMATS.errorGroups}
        value={effectiveFormat(query)}
        onChange={(format) => update({ format })}
      />
    </MessageEditorLayout>
  );
}
