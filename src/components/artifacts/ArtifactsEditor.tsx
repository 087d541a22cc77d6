import React from 'react';
import { InlineField, RadioButtonGroup, Stack } from '@grafana/ui';

import type { ArtifactsFormat } from '../../queries/artifacts';
import { anyOf, LABEL_WIDTH, OpenChoiceField, TextField, useUpdate } from '../common';
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
const ARTIFACT_TYPE_OPTIONS = anyOf('Any type', ARTIFACT_TYPES);
const ARTIFACT_STATUS_OPTIONS = anyOf('Any status', ARTIFACT_STATUSES);

/** Options of the `artifacts` query: filters by type, status and name, and the result format. */
export function ArtifactsEditor(props: EditorProps<ArtifactsQuery>) {
  const { query, onRunQuery } = props;
  const update = useUpdate(props);

  return (
    <Stack direction="row" wrap="wrap" gap={0.5}>
      <OpenChoiceField
        label="Type"
        tooltip="Runtime artifact type; type to enter another one or a $variable"
        id="query-artifact-type"
        width={26}
        options={ARTIFACT_TYPE_OPTIONS}
        value={query.artifactType}
        onChange={(artifactType) => update({ artifactType })}
      />
      <OpenChoiceField
        label="Status"
        tooltip="Runtime status; type to enter another one or a $variable"
        id="query-artifact-status"
        width={20}
        options={ARTIFACT_STATUS_OPTIONS}
        value={query.artifactStatus}
        onChange={(artifactStatus) => update({ artifactStatus })}
      />
      <TextField
        label="Name"
        tooltip="Part of the artifact name or id (case-insensitive); $variables allowed"
        id="query-artifact-name"
        width={30}
        value={query.artifactName}
        placeholder="any"
        onChange={(artifactName) => update({ artifactName }, false)}
        onBlur={onRunQuery}
      />
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
