import React from 'react';
import { CoreApp } from '@grafana/data';

import { SwitchField, useUpdate } from '../common';
import type { MessagesQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { FormatField, formatPatch, NumberField, useNormalised } from './fields';
import { MessageEditorLayout } from './MessageFilters';
import { DEFAULT_MAX_ROWS, effectiveFormat, MESSAGE_FORMATS } from './options';

/** Upper bound of the row cap offered in the editor; the backend pages in parallel up to it. */
export const MAX_ROWS_LIMIT = 1000000;

/** `messages`: message processing logs in the range, as a table or (Explore) as logs. */
export function MessagesEditor(props: EditorProps<MessagesQuery>) {
  const { query, app } = props;
  const update = useUpdate(props);
  useNormalised(props, (q) => formatPatch(q, app));

  return (
    <MessageEditorLayout {...props}>
      <NumberField
        id="maxRows"
        label="Max rows"
        tooltip={`At most this many messages (newest first); a notice says when the cap was hit. Default ${DEFAULT_MAX_ROWS}.`}
        value={query.maxRows}
        defaultValue={DEFAULT_MAX_ROWS}
        min={1}
        max={MAX_ROWS_LIMIT}
        onCommit={(maxRows) => update({ maxRows })}
      />
      <SwitchField
        label="Error text"
        tooltip="Fetch the error text of failed messages (at most 100 per query, cached by message id)"
        id="query-withErrorText"
        value={query.withErrorText ?? true}
        onChange={(checked) => update({ withErrorText: checked })}
      />
      <FormatField
        options={MESSAGE_FORMATS.messages}
        value={effectiveFormat(query, app === CoreApp.Explore)}
        onChange={(format) => update({ format })}
      />
    </MessageEditorLayout>
  );
}
