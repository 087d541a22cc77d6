import React from 'react';
import { Combobox, InlineField } from '@grafana/ui';

import { LABEL_WIDTH, useUpdate } from '../common';
import type { MessageCountsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { FormatField, useGroupBy } from './fields';
import { MessageEditorLayout } from './MessageFilters';
import { COUNTS_GROUP_BY_OPTIONS, effectiveFormat, MESSAGE_FORMATS, MessageCountsGroupBy } from './options';

/** `messageCounts`: message counts per status, iFlow, package, sender, receiver or iFlow × status. */
export function MessageCountsEditor(props: EditorProps<MessageCountsQuery>) {
  const { query } = props;
  const update = useUpdate(props);
  const groupBy = useGroupBy(props, COUNTS_GROUP_BY_OPTIONS, 'status');

  return (
    <MessageEditorLayout {...props}>
      <InlineField
        label="Group by"
        labelWidth={LABEL_WIDTH}
        tooltip="One series per group; every known status and deployed iFlow is present, 0 when silent"
      >
        <Combobox<MessageCountsGroupBy>
          id="query-groupBy"
          data-testid="query-groupBy"
          width={20}
          options={COUNTS_GROUP_BY_OPTIONS}
          value={groupBy}
          onChange={(o) => update({ groupBy: o.value })}
        />
      </InlineField>
      <FormatField
        options={MESSAGE_FORMATS.messageCounts}
        value={effectiveFormat(query)}
        onChange={(format) => update({ format })}
      />
    </MessageEditorLayout>
  );
}
