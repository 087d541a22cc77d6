import React from 'react';
import { InlineField, RadioButtonGroup, Stack } from '@grafana/ui';

import type { ArtifactsFormat } from '../../queries/artifacts';
import { anyOf, Filter, FilterFields, LABEL_WIDTH, useUpdate } from '../common';
import type { ArtifactsQuery } from '../../types';
import type { EditorProps } from '../QueryEditor';

/** Known runtime artifact types (IntegrationRuntimeArtifacts.Type); the editor also accepts others. */
export const ARTIFACT_TYPES = [
  'INTEGRATION_FLOW',
  'VALUE_MAPPING',
  'MESSAGE_MAPPING',
  'SCRIPT_COLLECTION',
  'REST_API',
  'SOAP_API',
  'ODATA_SERVICE',
  'INTEGRATION_ADAPTER',
];

/** Runtime artifact states (IntegrationRuntimeArtifacts.Status). */
export const ARTIFACT_STATUSES = ['STARTED', 'ERROR', 'STARTING', 'STOPPING'];

const FORMAT_OPTIONS: Array<{ value: ArtifactsFormat; label: string; description: string }> = [
  { value: 'table', label: 'Table', description: 'One row per artifact with status, version, deployer and error' },
  {
    value: 'numeric',
    label: 'Numeric',
    description: 'One status value per artifact (for alert rules: 1 = started, 0 = not started)',
  },
  {
    value: 'annotations',
    label: 'Annotations',
    description: 'Deployments within the time range as annotation events (time, title, text, tags)',
  },
];
const FILTERS: Array<Filter<ArtifactsQuery>> = [
  {
    option: 'artifactType',
    label: 'Type',
    tooltip: 'Runtime artifact type; type to enter another one or a $variable',
    id: 'query-artifact-type',
    width: 26,
    options: anyOf('Any type', ARTIFACT_TYPES),
  },
  {
    option: 'artifactStatus',
    label: 'Status',
    tooltip: 'Runtime status; type to enter another one or a $variable',
    id: 'query-artifact-status',
    width: 20,
    options: anyOf('Any status', ARTIFACT_STATUSES),
  },
  {
    option: 'artifactName',
    label: 'Name',
    tooltip: 'Part of the artifact name or id (case-insensitive); $variables allowed',
    id: 'query-artifact-name',
    width: 30,
  },
];

/** Options of the `artifacts` query: filters by type, status and name, and the result format. */
export function ArtifactsEditor(props: EditorProps<ArtifactsQuery>) {
  const { query } = props;
  const update = useUpdate(props);

  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <FilterFields editor={props} filters={FILTERS} />
      <InlineField
        label="Format"
        labelWidth={LABEL_WIDTH}
        tooltip="Numeric gives one value per artifact for alert rules; Annotations marks deployments on time series"
      >
        <RadioButtonGroup<ArtifactsFormat>
          data-testid="query-format"
          options={FORMAT_OPTIONS}
          value={(query.format as ArtifactsFormat | undefined) ?? 'table'}
          onChange={(format) => update({ format })}
        />
      </InlineField>
    </Stack>
  );
}
