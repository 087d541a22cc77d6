import React from 'react';
import { Combobox, ComboboxOption, InlineField, Stack } from '@grafana/ui';

import type { InventoryDrift } from '../../queries/runtime';
import { LABEL_WIDTH, useUpdate } from '../common';
import type { InventoryQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { TenantValuePicker } from '../TenantValuePicker';

export const DRIFT_OPTIONS: Array<ComboboxOption<InventoryDrift>> = [
  { value: 'all', label: 'All states' },
  { value: 'versionDrift', label: 'Version drift', description: 'Deployed in another version than designed' },
  { value: 'notInPackage', label: 'Not in any package', description: 'Deployed, but no package contains it' },
  { value: 'notDeployed', label: 'Not deployed', description: 'Designed, but not deployed' },
  { value: 'sameVersion', label: 'Same version', description: 'Deployed in its design-time version' },
];

/** Options of the `inventory` query: package and state filters (always a table). */
export function InventoryEditor(props: EditorProps<InventoryQuery>) {
  const { query, datasource } = props;
  const update = useUpdate(props);
  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <InlineField
        label="Package"
        labelWidth={LABEL_WIDTH}
        tooltip="One integration package (needs the role WorkspacePackagesRead); type an id or a $variable"
      >
        <TenantValuePicker
          id="query-package"
          datasource={datasource}
          kind="designPackages"
          value={query.packageId}
          onChange={(packageId) => update({ packageId })}
          placeholder="all packages"
          width={36}
        />
      </InlineField>
      <InlineField label="State" labelWidth={LABEL_WIDTH} tooltip="Show only the artifacts in this state">
        <Combobox<InventoryDrift>
          id="query-drift"
          data-testid="query-drift"
          width={26}
          options={DRIFT_OPTIONS}
          value={query.drift ?? 'all'}
          onChange={(o) => update({ drift: o.value === 'all' ? undefined : o.value })}
        />
      </InlineField>
    </Stack>
  );
}
