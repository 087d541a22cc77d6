import React from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';

import { LABEL_WIDTH, useUpdate } from '../common';
import type { MessageDurationsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { FormatField, useGroupBy } from './fields';
import { MessageEditorLayout } from './MessageFilters';
import { DURATIONS_GROUP_BY_OPTIONS, effectiveFormat, MESSAGE_FORMATS, MessageDurationsGroupBy } from './options';

/** `messageDurations`: processing time (LogEnd − LogStart) avg, p50, p95 and max in ms. */
export function MessageDurationsEditor(props: EditorProps<MessageDurationsQuery>) {
  const { query } = props;
  const update = useUpdate(props);
  const groupBy = useGroupBy(props, DURATIONS_GROUP_BY_OPTIONS, 'iflow');

  return (
    <MessageEditorLayout {...props}>
      <InlineField label="Group by" labelWidth={LABEL_WIDTH} tooltip="Per iFlow, or one figure over all messages">
        <RadioButtonGroup<MessageDurationsGroupBy>
          data-testid="query-groupBy"
          options={DURATIONS_GROUP_BY_OPTIONS}
          value={groupBy}
          onChange={(v) => update({ groupBy: v })}
        />
      </InlineField>
      <FormatField
        options={MESSAGE_FORMATS.messageDurations}
        value={effectiveFormat(query)}
        onChange={(format) => update({ format })}
      />
    </MessageEditorLayout>
  );
}
