import type { ComboboxOption } from '@grafana/ui';

import type { CpiQuery, MessageQuery, MessageQueryType, QueryOf, ResultFormat } from '../../types';

/**
 * Constants shared by the message editors. They live here rather than in src/queries/messages.ts because that
 * module imports the editors (no import cycle).
 */

/** MessageProcessingLogs.Status values (SAP API reference); the status picker also lists what the tenant reports. */
export const MESSAGE_STATUSES = [
  'COMPLETED',
  'PROCESSING',
  'RETRY',
  'ESCALATED',
  'FAILED',
  'CANCELLED',
  'DISCARDED',
  'ABANDONED',
] as const;

/** The multi-value filters shared by the five message query types, with their variable kind. */
export type ListFilterKey = 'iflows' | 'packages' | 'statuses' | 'senders' | 'receivers';

/** The free-text filters ("More filters"). */
export type TextFilterKey =
  | 'messageId'
  | 'correlationId'
  | 'applicationMessageId'
  | 'applicationMessageType'
  | 'customStatus'
  | 'customHeaderName'
  | 'customHeaderValue';

export const LIST_FILTER_KEYS: ListFilterKey[] = ['iflows', 'packages', 'statuses', 'senders', 'receivers'];

export const TEXT_FILTER_KEYS: TextFilterKey[] = [
  'messageId',
  'correlationId',
  'applicationMessageId',
  'applicationMessageType',
  'customStatus',
  'customHeaderName',
  'customHeaderValue',
];

export const DEFAULT_MAX_ROWS = 10000;
export const DEFAULT_STUCK_MINUTES = 60;

export type MessageCountsGroupBy = 'status' | 'iflow' | 'package' | 'sender' | 'receiver' | 'iflowStatus';
export type MessageDurationsGroupBy = 'iflow' | 'none';

export const COUNTS_GROUP_BY_OPTIONS: Array<ComboboxOption<MessageCountsGroupBy>> = [
  { value: 'status', label: 'Status', description: 'One series per message status' },
  { value: 'iflow', label: 'iFlow', description: 'One series per iFlow (every deployed iFlow, 0 when silent)' },
  { value: 'package', label: 'Package', description: 'One series per integration package' },
  { value: 'sender', label: 'Sender', description: 'One series per sender system' },
  { value: 'receiver', label: 'Receiver', description: 'One series per receiver system' },
  { value: 'iflowStatus', label: 'iFlow × status', description: 'One series per iFlow and status' },
];

export const DURATIONS_GROUP_BY_OPTIONS: Array<{ value: MessageDurationsGroupBy; label: string; description: string }> =
  [
    { value: 'iflow', label: 'Per iFlow', description: 'avg, p50, p95 and max per iFlow' },
    { value: 'none', label: 'All messages', description: 'avg, p50, p95 and max over all matching messages' },
  ];

/** The formats a query of type Q may have. */
export type FormatOf<Q extends CpiQuery> = NonNullable<Q['format']>;

/** One choice of the format picker. */
export interface FormatChoice<F extends ResultFormat = ResultFormat> {
  value: F;
  label: string;
  description: string;
}

/**
 * The formats each message query type accepts, the first being its default (the editor writes it into the query,
 * so a saved query never depends on the backend's default). In Explore the `messages` query defaults to logs.
 */
export const MESSAGE_FORMATS: { [T in MessageQueryType]: Array<FormatChoice<FormatOf<QueryOf<T>>>> } = {
  messages: [
    { value: 'table', label: 'Table', description: 'One row per message, with error text and a link to the monitor' },
    { value: 'logs', label: 'Logs', description: 'A log line per message (Explore): level from the status' },
  ],
  messageCounts: [
    { value: 'timeseries', label: 'Time series', description: 'Counts per panel interval, one series per group' },
    { value: 'numeric', label: 'Numeric', description: 'One number per group over the whole range (alert rules)' },
    { value: 'table', label: 'Table', description: 'One row per group' },
  ],
  messageDurations: [
    { value: 'timeseries', label: 'Time series', description: 'avg, p50, p95, max per panel interval' },
    { value: 'table', label: 'Table', description: 'One row per group over the whole range' },
  ],
  errorGroups: [
    { value: 'table', label: 'Table', description: 'Signature, count, iFlows, first/last seen, sample message' },
    { value: 'numeric', label: 'Numeric', description: 'One count per error signature (alert rules)' },
    {
      value: 'annotations',
      label: 'Annotations',
      description: 'Each error group as an event from its first to its last failure (failure bursts)',
    },
  ],
  stuckMessages: [
    { value: 'table', label: 'Table', description: 'One row per stuck message' },
    { value: 'numeric', label: 'Numeric', description: 'Stuck messages per iFlow (alert rules)' },
  ],
};

/**
 * The format shown for a query: its own when the type accepts it, otherwise the type's default (a query saved by
 * an older editor may hold a format of another type).
 */
export function effectiveFormat<Q extends MessageQuery>(query: Q, explore = false): FormatOf<Q> {
  const allowed: Array<FormatChoice<ResultFormat>> = MESSAGE_FORMATS[query.queryType];
  const format: ResultFormat | undefined = query.format;
  if (format && allowed.some((f) => f.value === format)) {
    return format as FormatOf<Q>;
  }
  if (query.queryType === 'messages' && explore) {
    return 'logs' as FormatOf<Q>;
  }
  return allowed[0].value as FormatOf<Q>;
}
