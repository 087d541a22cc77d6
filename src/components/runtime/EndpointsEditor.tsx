import React from 'react';
import { Stack } from '@grafana/ui';

import { anyOf, Filter, FilterFields } from '../common';
import type { EndpointsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';

/** Endpoint protocols SAP documents for ServiceEndpoints (SOAP also covers IDoc senders). */
export const PROTOCOLS = ['SOAP', 'ODATAV2', 'REST', 'AS2', 'AS4'];

const FILTERS: Array<Filter<EndpointsQuery>> = [
  {
    option: 'endpointName',
    label: 'Name',
    tooltip: 'Part of the iFlow id, endpoint title or entry point name (case-insensitive); $variables allowed',
    id: 'query-endpoint-name',
    width: 30,
  },
  {
    option: 'protocol',
    label: 'Protocol',
    tooltip: 'Endpoint protocol, filtered by the tenant; type to enter another one or a $variable',
    id: 'query-endpoint-protocol',
    width: 20,
    options: anyOf('Any protocol', PROTOCOLS),
  },
];

/** Options of the `endpoints` query: name and protocol filters (always a table). */
export function EndpointsEditor(props: EditorProps<EndpointsQuery>) {
  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <FilterFields editor={props} filters={FILTERS} />
    </Stack>
  );
}
