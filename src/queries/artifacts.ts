import { ArtifactsEditor } from '../components/artifacts/ArtifactsEditor';
import type { QueryFamily } from './family';

/**
 * Result shapes of the artifacts query: a table, one status number per artifact (alert rules), or the
 * deployments within the time range as annotation events (time, title, text, tags).
 */
export type ArtifactsFormat = 'table' | 'numeric' | 'annotations';

/** Options of the `artifacts` query (Go: pkg/models ArtifactsQuery). */
export interface ArtifactsOptions {
  /** Runtime artifact type, e.g. INTEGRATION_FLOW, VALUE_MAPPING, SCRIPT_COLLECTION, MESSAGE_MAPPING; empty = all. */
  artifactType?: string;
  /** Runtime status: STARTED, ERROR, STARTING, STOPPING; empty = all. */
  artifactStatus?: string;
  /** Case-insensitive substring of the artifact name or id; empty = all. */
  artifactName?: string;
}

export const artifactsFamily: QueryFamily = {
  queryTypes: [
    {
      value: 'artifacts',
      label: 'Deployed artifacts',
      description:
        'Runtime artifacts (iFlows, value mappings, …) with status, version, deployer and error text; deployments as annotations',
    },
  ],
  editors: { artifacts: ArtifactsEditor },
  interpolated: ['artifactType', 'artifactStatus', 'artifactName'],
  variableKinds: [
    { value: 'artifacts', label: 'Deployed artifacts', description: 'Ids of the deployed runtime artifacts' },
  ],
};
