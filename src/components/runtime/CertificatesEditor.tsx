import React from 'react';
import { Combobox, ComboboxOption, InlineField, Stack } from '@grafana/ui';

import type { Keystore } from '../../queries/runtime';
import { FormatPicker, LABEL_WIDTH, SwitchField, useUpdate } from '../common';
import type { CertificatesQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';
import { TenantValuePicker } from '../TenantValuePicker';

export const KEYSTORE_OPTIONS: Array<ComboboxOption<Keystore>> = [
  { value: 'system', label: 'system', description: 'The tenant keystore' },
  { value: 'backup_admin_system', label: 'backup_admin_system', description: 'Backup of the tenant keystore' },
  { value: 'KeyRenewal', label: 'KeyRenewal', description: 'Keys and certificates being renewed by SAP' },
];

/** Options of the `certificates` query: keystore, alias filter, chain certificates and format. */
export function CertificatesEditor(props: EditorProps<CertificatesQuery>) {
  const { query, datasource } = props;
  const update = useUpdate(props);
  const keystore = query.keystoreName ?? 'system';
  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <InlineField label="Keystore" labelWidth={LABEL_WIDTH} tooltip="Which keystore of the tenant to read">
        <Combobox<Keystore>
          id="query-keystore"
          data-testid="query-keystore"
          width={26}
          options={KEYSTORE_OPTIONS}
          value={keystore}
          onChange={(o) => update({ keystoreName: o.value === 'system' ? undefined : o.value })}
        />
      </InlineField>
      <InlineField
        label="Alias"
        labelWidth={LABEL_WIDTH}
        tooltip="Part of the alias (case-insensitive): pick an alias of the keystore, or type text or a $variable"
      >
        <TenantValuePicker
          id="query-alias"
          datasource={datasource}
          kind="certificateAliases"
          filters={[keystore]}
          value={query.aliasContains}
          onChange={(aliasContains) => update({ aliasContains })}
          placeholder="any alias"
          width={32}
        />
      </InlineField>
      <SwitchField
        label="Chain"
        tooltip="Also read each entry's chain certificates (one request per entry, at most 25); days left then count the first certificate of the chain to expire"
        id="query-with-chain"
        value={query.withChain ?? false}
        onChange={(checked) => update({ withChain: checked || undefined })}
      />
      <FormatPicker
        value={query.format}
        onChange={(format) => update({ format })}
        tableDescription="One row per certificate with validity, issuer, key and fingerprint, soonest expiry first"
        numericDescription="Days until expiry per alias (labels alias, keystore, tenant), for alert rules"
      />
    </Stack>
  );
}
