import React, { ChangeEvent } from 'react';
import { Alert, Field, FieldSet, Input, RadioButtonGroup } from '@grafana/ui';

import { apiUrlWarnings, HostWarning, normalizeApiUrl } from '../../servicekey';
import { Environment } from '../../types';
import { JsonDataField } from './JsonDataField';
import { SectionProps, withJsonData } from './options';

const ENVIRONMENTS: Array<{ label: string; value: Environment; description: string }> = [
  { label: 'Cloud Foundry', value: 'cloudFoundry', description: 'SAP BTP, Cloud Foundry environment' },
  { label: 'Neo', value: 'neo', description: 'SAP BTP, Neo environment (audit log and log file APIs)' },
];

const WARNINGS: Record<HostWarning, { title: string; text: string }> = {
  runtimeHost: {
    title: 'This is the runtime host, not the API',
    text: 'A host with "-rt." serves iFlow endpoints (service key of plan integration-flow). Use the "url" of a Process Integration Runtime service key of plan api: the same host without -rt.',
  },
  uiHost: {
    title: 'This is the Integration Suite web UI, not the API',
    text: 'Use the "url" of a Process Integration Runtime service key of plan api, a host like <subdomain>.it-cpi001.cfapps.<region>.hana.ondemand.com. On Neo, use the tenant\'s -tmn host without /itspaces/shell/….',
  },
  unencrypted: {
    title: 'Unencrypted connection',
    text: 'http:// sends credentials and tokens in clear text. Use https:// for a real tenant; http:// is only meant for a local simulated tenant.',
  },
};

export function ConnectionSection({ options, onOptionsChange }: SectionProps) {
  const { jsonData } = options;
  const apiUrl = jsonData.apiUrl ?? '';

  return (
    <FieldSet label="Connection">
      <Field
        label="API URL"
        description='The tenant API: the "url" of a Process Integration Runtime service key (plan api). A trailing /api/v1 is removed.'
        required
      >
        <Input
          id="config-api-url"
          data-testid="config-api-url"
          width={70}
          value={apiUrl}
          placeholder="https://<subdomain>.it-cpi001.cfapps.eu10.hana.ondemand.com"
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onOptionsChange(withJsonData(options, { apiUrl: e.currentTarget.value }))
          }
          onBlur={() => {
            const normalized = normalizeApiUrl(apiUrl);
            if (normalized !== apiUrl) {
              onOptionsChange(withJsonData(options, { apiUrl: normalized }));
            }
          }}
        />
      </Field>
      {apiUrlWarnings(apiUrl).map((w) => (
        <Alert key={w} severity="warning" title={WARNINGS[w].title} data-testid={`config-api-url-warning-${w}`}>
          {WARNINGS[w].text}
        </Alert>
      ))}
      <Field label="Environment" description="Where the tenant runs; some APIs exist on Neo only.">
        <RadioButtonGroup<Environment>
          id="config-environment"
          data-testid="config-environment"
          options={ENVIRONMENTS}
          value={jsonData.environment ?? 'cloudFoundry'}
          onChange={(environment) => onOptionsChange(withJsonData(options, { environment }))}
        />
      </Field>
      <JsonDataField
        options={options}
        onOptionsChange={onOptionsChange}
        field="tenantLabel"
        label="Tenant label"
        description="Put on every series as the label tenant, so several tenants can share one panel. Empty = the API host name."
        id="config-tenant-label"
        width={40}
        placeholder="e.g. PRD EU — added to every series as tenant"
      />
    </FieldSet>
  );
}
