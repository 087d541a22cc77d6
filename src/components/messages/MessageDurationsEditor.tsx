import React from 'react';
import { InlineField, RadioButtonGroup, Stack } from '@grafana/ui';

import { LABEL_WIDTH, useUpdate } from '../common';
import type { QueryEditorComponentProps } from '../QueryEditor';
import { FormatField, formatPatch, useNormalised } from './fields';
import { MessageFilters } from './MessageFilters';
import { DURATIONS_GROUP_BY_OPTIONS, effectiveFormat, MessageDurationsGroupBy } from './options';

const DEFAULT_GROUP_BY: MessageDurationsGroupBy = 'iflow';

function validGroupBy(v: unknown): v is MessageDurationsGroupBy {
  return DURATIONS_GROUP_BY_OPTIONS.some((o) => o.value === v);
}

/** `messageDurations`: processing time (LogEnd − LogStart) avg, p50, p95 and max in ms. */
export function MessageDurationsEditor(props: QueryEditorComponentProps) {
  const { query } = props;
  const update = useUpdate(props);
  useNormalised(props, (q) => {
    const patch = {
      ...formatPatch(q, 'messageDurations'),
      ...(validGroupBy(q.groupBy) ? {} : { groupBy: DEFAULT_GROUP_BY }),
    };
    return Object.keys(patch).length > 0 ? patch : undefined;
  });
  const groupBy = validGroupBy(query.groupBy) ? query.groupBy : DEFAULT_GROUP_BY;

  return (
    <Stack direction="column" gap={0}>
      <MessageFilters {...props} />
      <Stack direction="row" wrap="wrap" gap={0.5}>
        <InlineField label="Group by" labelWidth={LABEL_WIDTH} tooltip="Per iFlow, or one figure over all messages">
          <RadioButtonGroup<MessageDurationsGroupBy>
            data-testid="query-groupBy"
            options={DURATIONS_GROUP_BY_OPTIONS}
            value={groupBy}
            onChange={(v) => update({ groupBy: v })}
          />
        </InlineField>
        <FormatField
          type="messageDurations"
          value={effectiveFormat(query, 'messageDurations')}
          onChange={(format) => update({ format })}
        />
      </Stack>
    </Stack>
  );
}
