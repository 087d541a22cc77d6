import React from 'react';

import type { StuckMessagesQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { useUpdate } from '../common';
import { FormatField, formatPatch, NumberField, useNormalised } from './fields';
import { MessageEditorLayout } from './MessageFilters';
import { DEFAULT_STUCK_MINUTES, effectiveFormat, MESSAGE_FORMATS } from './options';

/** Longest "stuck for" threshold offered: the tenant keeps message logs for 30 days by default. */
export const MAX_STUCK_MINUTES = 30 * 24 * 60;

/** `stuckMessages`: messages in PROCESSING or RETRY whose LogStart is older than N minutes. */
export function StuckMessagesEditor(props: EditorProps<StuckMessagesQuery>) {
  const { query } = props;
  const update = useUpdate(props);
  useNormalised(props, (q) => formatPatch(q));

  return (
    <MessageEditorLayout {...props}>
      <NumberField
        id="stuckMinutes"
        label="Stuck for"
        tooltip={`Messages still in PROCESSING or RETRY that started more than this many minutes ago. Default ${DEFAULT_STUCK_MINUTES}.`}
        value={query.stuckMinutes}
        defaultValue={DEFAULT_STUCK_MINUTES}
        min={1}
        max={MAX_STUCK_MINUTES}
        width={14}
        suffix="min"
        onCommit={(stuckMinutes) => update({ stuckMinutes })}
      />
      <FormatField
        options={MESSAGE_FORMATS.stuckMessages}
        value={effectiveFormat(query)}
        onChange={(format) => update({ format })}
      />
    </MessageEditorLayout>
  );
}
