import React from 'react';
import { InlineField, RadioButtonGroup, Stack } from '@grafana/ui';

import type { JmsMetric } from '../../queries/runtime';
import { FormatPicker, LABEL_WIDTH, useUpdate } from '../common';
import type { JmsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';

type MetricChoice = JmsMetric | 'all';

const METRIC_OPTIONS: Array<{ value: MetricChoice; label: string; description: string }> = [
  {
    value: 'all',
    label: 'All',
    description: 'Capacity %, queues %, and one state per queue (metric label tells them apart)',
  },
  { value: 'capacity', label: 'Capacity %', description: 'Share of the broker storage in use' },
  { value: 'queueCount', label: 'Queues %', description: 'Number of queues versus the maximum' },
  { value: 'queueStates', label: 'Queue states', description: 'One value per queue: 0 OK, 1 warning, 2 critical' },
];

/** Options of the `jms` query: format and, for alert rules, which numbers. */
export function JmsEditor(props: EditorProps<JmsQuery>) {
  const { query } = props;
  const update = useUpdate(props);
  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <FormatPicker
        value={query.format}
        onChange={(format) => update({ format })}
        tableDescription="The broker (capacity, queues, flags) and its queues with their states"
        numericDescription="Numbers for alert rules: capacity %, queues %, state per queue"
      />
      {query.format === 'numeric' && (
        <InlineField
          label="Numbers"
          labelWidth={LABEL_WIDTH}
          tooltip="An alert rule compares one kind of number: pick it here"
        >
          <RadioButtonGroup<MetricChoice>
            data-testid="query-jms-metric"
            options={METRIC_OPTIONS}
            value={query.jmsMetric ?? 'all'}
            onChange={(m) => update({ jmsMetric: m === 'all' ? undefined : m })}
          />
        </InlineField>
      )}
    </Stack>
  );
}
