import React, { ChangeEvent, useMemo, useState } from 'react';
import { getTemplateSrv } from '@grafana/runtime';
import { Button, InlineField, Input, Stack } from '@grafana/ui';

import { expandTemplateValues, meansAll } from '../../templating';
import type { MessageFilterOptions } from '../../queries/messages';
import type { MessageQuery } from '../../types';
import { LABEL_WIDTH } from '../common';
import { TenantValuePicker } from '../TenantValuePicker';
import type { EditorProps } from '../QueryEditor';
import { ListFilterKey, MESSAGE_STATUSES, TEXT_FILTER_KEYS, TextFilterKey } from './options';

const STATUSES: string[] = [...MESSAGE_STATUSES];
// Two rows that fit a 1000-pixel editor, in two aligned columns: package | iFlow (long names), then
// status | sender, receiver. Each picker shows the chosen values that fit, then a counter.
const WIDTHS: Record<ListFilterKey, number> = { packages: 40, iflows: 58, statuses: 40, senders: 21, receivers: 21 };
const TEXT_LABEL_WIDTH = 20;
const TEXT_WIDTH = 20;

/** The query with one option set, or removed when undefined (an unset filter does not linger in the JSON). */
function withOption<Q extends MessageQuery, K extends keyof MessageFilterOptions>(
  query: Q,
  key: K,
  value: MessageFilterOptions[K] | undefined
): Q {
  const next = { ...query, [key]: value };
  if (value === undefined) {
    delete next[key];
  }
  return next;
}

/** The package filter as plain ids (variables expanded) to narrow the iFlow picker; unknown variables dropped. */
function packageFilters(packages: string[] | undefined): string[] {
  if (!packages || packages.length === 0) {
    return [];
  }
  try {
    const expanded = expandTemplateValues(getTemplateSrv(), packages);
    // A package variable set to All does not narrow the iFlows.
    return meansAll(expanded) ? [] : expanded.filter((p) => !p.includes('$'));
  } catch {
    // No template service (outside a dashboard): only plain ids narrow the list.
    return packages.filter((p) => !p.includes('$'));
  }
}

interface TextFilterInfo {
  key: TextFilterKey;
  label: string;
  tooltip: string;
  placeholder: string;
}

const TEXT_FILTERS: TextFilterInfo[] = [
  {
    key: 'messageId',
    label: 'Message ID',
    tooltip: 'MessageGuid: one message (exact); $variables allowed',
    placeholder: 'AGXh…',
  },
  {
    key: 'correlationId',
    label: 'Correlation ID',
    tooltip: 'CorrelationId: every message of one correlated exchange (exact)',
    placeholder: 'any',
  },
  {
    key: 'applicationMessageId',
    label: 'App message ID',
    tooltip: 'ApplicationMessageId set by the iFlow (SAP_ApplicationID header), e.g. an IDoc number (exact)',
    placeholder: 'any',
  },
  {
    key: 'applicationMessageType',
    label: 'App message type',
    tooltip: 'ApplicationMessageType set by the iFlow (SAP_MessageType header), e.g. ORDERS05 (exact)',
    placeholder: 'any',
  },
  {
    key: 'customStatus',
    label: 'Custom status',
    tooltip: 'CustomStatus set by the iFlow (SAP_MessageProcessingLogCustomStatus), exact',
    placeholder: 'any',
  },
  {
    key: 'customHeaderName',
    label: 'Header name',
    tooltip: 'Custom header property name (filterCustomHeaderProperties); with a value: that exact pair',
    placeholder: 'e.g. PurchaseOrder',
  },
  {
    key: 'customHeaderValue',
    label: 'Header value',
    tooltip: 'Value of the custom header property named on the left (exact)',
    placeholder: 'any',
  },
];

/** "More filters" in rows of related fields (three fit a 1000-pixel editor). */
const TEXT_FILTER_ROWS: TextFilterKey[][] = [
  ['messageId', 'correlationId', 'customStatus'],
  ['applicationMessageId', 'applicationMessageType'],
  ['customHeaderName', 'customHeaderValue'],
];

/**
 * The filters shared by the five message query types: tenant pickers (package, iFlow, status, sender, receiver;
 * several values are ORed, fields ANDed) and the free fields under "More filters". Everything accepts $variables.
 */
export function MessageFilters({ query, onChange, onRunQuery, datasource }: EditorProps<MessageQuery>) {
  const setCount = TEXT_FILTER_KEYS.filter((k) => (query[k] ?? '') !== '').length;
  const [open, setOpen] = useState(setCount > 0);
  const iflowFilters = useMemo(() => packageFilters(query.packages), [query.packages]);

  const setList = (key: ListFilterKey, values: string[]) => {
    onChange(withOption(query, key, values.length > 0 ? values : undefined));
    onRunQuery();
  };
  const setText = (key: TextFilterKey, value: string) => {
    onChange(withOption(query, key, value === '' ? undefined : value));
  };
  const picker = (
    key: ListFilterKey,
    kind: string,
    placeholder: string,
    extra: Partial<{ filters: string[]; fixed: string[] }> = {}
  ) => (
    <TenantValuePicker
      multi
      id={`query-${key}`}
      datasource={datasource}
      kind={kind}
      value={query[key]}
      onChange={(values) => setList(key, values)}
      placeholder={placeholder}
      width={WIDTHS[key]}
      {...extra}
    />
  );

  const field = (f: TextFilterInfo) => (
    <InlineField key={f.key} label={f.label} labelWidth={TEXT_LABEL_WIDTH} tooltip={f.tooltip}>
      <Input
        id={`query-${f.key}`}
        data-testid={`query-${f.key}`}
        width={TEXT_WIDTH}
        value={query[f.key] ?? ''}
        placeholder={f.placeholder}
        onChange={(e: ChangeEvent<HTMLInputElement>) => setText(f.key, e.currentTarget.value)}
        onBlur={onRunQuery}
      />
    </InlineField>
  );

  return (
    <Stack direction="column" gap={0}>
      <Stack direction="row" wrap="wrap" gap={0.5}>
        <InlineField label="Package" labelWidth={LABEL_WIDTH} tooltip="Integration packages; narrows the iFlow list">
          {picker('packages', 'packages', 'Any package')}
        </InlineField>
        <InlineField
          label="iFlow"
          labelWidth={LABEL_WIDTH}
          tooltip="Integration flows (the list follows the chosen packages); type a name, id or $variable"
        >
          {picker('iflows', 'iflows', 'Any iFlow', { filters: iflowFilters })}
        </InlineField>
      </Stack>
      <Stack direction="row" wrap="wrap" gap={0.5}>
        <InlineField label="Status" labelWidth={LABEL_WIDTH} tooltip="Message processing status">
          {picker('statuses', 'statuses', 'Any status', { fixed: STATUSES })}
        </InlineField>
        <InlineField label="Sender" labelWidth={LABEL_WIDTH} tooltip="Sender system (Sender field of the log)">
          {picker('senders', 'senders', 'Any sender')}
        </InlineField>
        <InlineField label="Receiver" labelWidth={LABEL_WIDTH} tooltip="Receiver system (Receiver field of the log)">
          {picker('receivers', 'receivers', 'Any receiver')}
        </InlineField>
      </Stack>
      <div>
        <Button
          variant="secondary"
          fill="text"
          size="sm"
          icon={open ? 'angle-down' : 'angle-right'}
          aria-expanded={open}
          aria-controls="query-more-filters"
          data-testid="query-more-filters-toggle"
          onClick={() => setOpen(!open)}
        >
          {setCount > 0 ? `More filters (${setCount})` : 'More filters'}
        </Button>
      </div>
      {open && (
        <div id="query-more-filters" data-testid="query-more-filters">
          {TEXT_FILTER_ROWS.map((row) => (
            <Stack key={row.join()} direction="row" wrap="wrap" gap={0.5}>
              {row.map((key) => field(TEXT_FILTERS.find((f) => f.key === key)!))}
            </Stack>
          ))}
        </div>
      )}
    </Stack>
  );
}

/** Every message editor's layout: the message filters, then the options of its query type in one row. */
export function MessageEditorLayout({ children, ...props }: EditorProps<MessageQuery> & { children: React.ReactNode }) {
  return (
    <Stack direction="column" gap={0}>
      <MessageFilters {...props} />
      <Stack direction="row" wrap="wrap" gap={0.5}>
        {children}
      </Stack>
    </Stack>
  );
}
