import { ErrorGroupsEditor } from '../components/messages/ErrorGroupsEditor';
import { MessageCountsEditor } from '../components/messages/MessageCountsEditor';
import { MessageDurationsEditor } from '../components/messages/MessageDurationsEditor';
import { MessagesEditor } from '../components/messages/MessagesEditor';
import {
  LIST_FILTER_KEYS,
  type MessageCountsGroupBy,
  type MessageDurationsGroupBy,
  TEXT_FILTER_KEYS,
} from '../components/messages/options';
import { StuckMessagesEditor } from '../components/messages/StuckMessagesEditor';
import type { QueryFamily } from './family';

export type { MessageCountsGroupBy, MessageDurationsGroupBy } from '../components/messages/options';

/**
 * The filters every message query type shares (Go: pkg/models/messages.go MessageFilters, same JSON names).
 * Several values of one list are ORed, different fields ANDed. List elements may be `$variables`: the data
 * source expands them into plain values before the query leaves the browser (datasource.ts).
 */
export interface MessageFilterOptions {
  /** IntegrationArtifact/Id of the iFlows. */
  iflows?: string[];
  /** IntegrationArtifact/PackageId. */
  packages?: string[];
  /** Status: COMPLETED, PROCESSING, RETRY, ESCALATED, FAILED, CANCELLED, DISCARDED, ABANDONED. */
  statuses?: string[];
  senders?: string[];
  receivers?: string[];
  /** MessageGuid (exact). */
  messageId?: string;
  correlationId?: string;
  applicationMessageId?: string;
  applicationMessageType?: string;
  customStatus?: string;
  /** Custom header property (filterCustomHeaderProperties): name, and optionally its exact value. */
  customHeaderName?: string;
  customHeaderValue?: string;
}

/** Options of `messages` besides the filters. */
export interface MessagesListOptions {
  /** Row cap (default 10000). */
  maxRows?: number;
  /** Error text of the failed rows shown (default true; at most 100 per query). */
  withErrorText?: boolean;
}

/** Options of `messageCounts` besides the filters. */
export interface MessageCountsOptions {
  /** status (default), iflow, package, sender, receiver, iflowStatus. */
  groupBy?: MessageCountsGroupBy;
}

/** Options of `messageDurations` besides the filters. */
export interface MessageDurationsOptions {
  /** iflow (default), none. */
  groupBy?: MessageDurationsGroupBy;
}

/** Options of `errorGroups` besides the filters. */
export interface ErrorGroupsOptions {
  /** Also RETRY and ESCALATED, not only FAILED. */
  includeRetry?: boolean;
  /** Error texts read per query (default 500); texts already cached are free. */
  maxErrorTexts?: number;
}

/** Options of `stuckMessages` besides the filters. */
export interface StuckMessagesOptions {
  /** PROCESSING or RETRY for longer than this (default 60). */
  stuckMinutes?: number;
}

export const messagesFamily: QueryFamily = {
  queryTypes: [
    {
      value: 'messages',
      label: 'Messages',
      description: 'Message processing logs in the range: status, iFlow, sender, receiver, error text, monitor link',
    },
    {
      value: 'messageCounts',
      label: 'Message counts',
      description: 'How many messages per status, iFlow, package, sender or receiver; 0 when an iFlow is silent',
    },
    {
      value: 'messageDurations',
      label: 'Processing times',
      description: 'How long messages take (end − start): average, median, 95th percentile and maximum',
    },
    {
      value: 'errorGroups',
      label: 'Error groups',
      description: 'Failed messages grouped by similar error text, with count, iFlows and a sample message',
    },
    {
      value: 'stuckMessages',
      label: 'Stuck messages',
      description: 'Messages still processing or retrying after N minutes',
    },
  ],
  editors: {
    messages: MessagesEditor,
    messageCounts: MessageCountsEditor,
    messageDurations: MessageDurationsEditor,
    errorGroups: ErrorGroupsEditor,
    stuckMessages: StuckMessagesEditor,
  },
  // Strings are interpolated; the lists get every value of a multi-value variable (datasource.ts).
  interpolated: [...LIST_FILTER_KEYS, ...TEXT_FILTER_KEYS],
  variableKinds: [
    {
      value: 'iflows',
      label: 'iFlows',
      description: 'Deployed integration flows (text = name, value = id); filter: a package id',
    },
    {
      value: 'packages',
      label: 'Integration packages',
      description: 'Integration packages of the iFlows (text = name, value = id)',
    },
    {
      value: 'statuses',
      label: 'Message statuses',
      description: 'COMPLETED, FAILED, RETRY, … and any other the tenant reports',
    },
    { value: 'senders', label: 'Senders', description: 'Sender systems seen in the message logs' },
    { value: 'receivers', label: 'Receivers', description: 'Receiver systems seen in the message logs' },
  ],
};
