import React, { ChangeEvent } from 'react';
import { Combobox, ComboboxOption, InlineField, Input, Stack } from '@grafana/ui';

import { LABEL_WIDTH, useUpdate, withCurrent } from '../common';
import type { EndpointsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';

/** Endpoint protocols SAP documents for ServiceEndpoints (SOAP also covers IDoc senders). */
export const PROTOCOLS = ['SOAP', 'ODATAV2', 'REST', 'AS2', 'AS4'];

const PROTOCOL_OPTIONS: Array<ComboboxOption<string>> = [
  { value: '', label: 'Any protocol' },
  ...PROTOCOLS.map((p) => ({ value: p, label: p })),
];

/** Options of the `endpoints` query: name and protocol filters (always a table). */
export function EndpointsEditor(props: EditorProps<EndpointsQuery>) {
  const { query, onRunQuery } = props;
  const update = useUpdate(props);
  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <InlineField
        label="Name"
        labelWidth={LABEL_WIDTH}
        tooltip="Part of the iFlow id, endpoint title or entry point name (case-insensitive); $variables allowed"
      >
        <Input
          id="query-endpoint-name"
          data-testid="query-endpoint-name"
          width={30}
          value={query.endpointName ?? ''}
          placeholder="any"
          onChange={(e: ChangeEvent<HTMLInputElement>) => update({ endpointName: e.currentTarget.value }, false)}
          onBlur={onRunQuery}
        />
      </InlineField>
      <InlineField
        label="Protocol"
        labelWidth={LABEL_WIDTH}
        tooltip="Endpoint protocol, filtered by the tenant; type to enter another one or a $variable"
      >
        <Combobox<string>
          id="query-endpoint-protocol"
          data-testid="query-endpoint-protocol"
          width={20}
          createCustomValue
          options={withCurrent(PROTOCOL_OPTIONS, query.protocol)}
          value={query.protocol ?? ''}
          onChange={(o) => update({ protocol: o?.value || undefined })}
        />
      </InlineField>
    </Stack>
  );
}
