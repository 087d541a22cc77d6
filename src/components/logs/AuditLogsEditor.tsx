import React from 'react';
import { ComboboxOption, Stack, Text } from '@grafana/ui';

import { AUDIT_CATEGORIES, AuditCategory } from './options';
import { Filter, FilterFields, SwitchField, useUpdate } from '../common';
import type { AuditLogsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { LogsFormatPicker, logsFormat, useLogsFormatNormalised } from './common';

const ANY = '';

const CATEGORY_TEXT: Record<AuditCategory, { label: string; description: string }> = {
  'audit.security-events': { label: 'Security events', description: 'audit.security-events: logins, token requests' },
  'audit.configuration': {
    label: 'Configuration',
    description: 'audit.configuration: artifacts, packages, security material, access policies',
  },
  'audit.data-access': {
    label: 'Data access',
    description: 'audit.data-access: payloads, attachments, store entries read',
  },
  'audit.data-modification': {
    label: 'Data modification',
    description: 'audit.data-modification: store entries, variables, queue messages changed',
  },
};

const CATEGORY_OPTIONS: Array<ComboboxOption<string>> = [
  { value: ANY, label: 'Any category' },
  ...AUDIT_CATEGORIES.map((c) => ({ value: c, ...CATEGORY_TEXT[c] })),
];

const FILTERS: Array<Filter<AuditLogsQuery>> = [
  {
    option: 'category',
    label: 'Category',
    tooltip: 'Audit log category; type another (e.g. a subcategory, several separated by commas) or a $variable',
    id: 'query-audit-category',
    width: 26,
    options: CATEGORY_OPTIONS,
  },
  {
    option: 'userContains',
    label: 'User',
    tooltip: 'Part of the user name (case-insensitive); $variables allowed',
    id: 'query-audit-user',
    width: 26,
  },
];

/**
 * `auditLogs`: the subaccount's audit log in the time range, through the data source's Audit log connection
 * (Cloud Foundry: the Audit Log Retrieval API; Neo: the Neo audit log API). Filters by category, user and, by
 * default, to the events of Cloud Integration.
 */
export function AuditLogsEditor(props: EditorProps<AuditLogsQuery>) {
  const { query } = props;
  const update = useUpdate(props);
  useLogsFormatNormalised(props);
  const cpiOnly = query.cpiOnly ?? true;

  return (
    <Stack direction="column" gap={0.5}>
      <Stack direction="row" wrap="wrap" gap={0.5}>
        <FilterFields editor={props} filters={FILTERS} />
        <SwitchField
          label="Cloud Integration only"
          labelWidth={22}
          tooltip="The subaccount's audit log holds the events of every service; keep only those Cloud Integration wrote (artifacts, packages, security material, stores, queues, payload reads, its OAuth clients)"
          id="query-audit-cpi-only"
          value={cpiOnly}
          onChange={(checked) => update({ cpiOnly: checked })}
        />
      </Stack>
      <LogsFormatPicker
        value={logsFormat(query)}
        onChange={(format) => update({ format })}
        tableDescription="One row per event: time, user, action, object, source IP, outcome, category, message"
        logsDescription="Log lines with severity and labels, for Explore and the logs panel"
      />
      <Text variant="bodySmall" color="secondary">
        Reads the audit log through the Audit log connection of the data source settings (Cloud Foundry: a service key
        of auditlog-management, plan default; Neo: a platform API client with the scope Read Audit Logs).
      </Text>
    </Stack>
  );
}
