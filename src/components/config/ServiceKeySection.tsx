import React, { useState } from 'react';
import { Alert, Button, Field, FieldSet, TextArea } from '@grafana/ui';

import { parseServiceKey, ServiceKeyFields } from '../../servicekey';
import { AUTH_TYPE_LABELS } from './AuthSection';
import { CpiSettings, SecretKey, SectionProps, withJsonData, withSecrets } from './options';

interface Props extends SectionProps {
  /** Called with the secrets that were filled, so they can show as configured. */
  onSecretsFilled: (keys: SecretKey[]) => void;
  /** Clears a stored secret (used for a provisioned service key). */
  onSecretReset: (key: SecretKey) => void;
}

type Outcome = { ok: true; filled: string[] } | { ok: false; error: string };

/** Applies a parsed key: plain values to jsonData, secrets to secureJsonData only. */
function applyServiceKey(
  options: CpiSettings,
  fields: ServiceKeyFields
): { options: CpiSettings; secrets: SecretKey[] } {
  const { authType, apiUrl, tokenUrl, clientId, clientSecret, clientCertificate, clientKey } = fields;
  let next = withJsonData(options, { authType, apiUrl, tokenUrl, clientId });
  const secrets: SecretKey[] = [];
  if (clientSecret !== undefined) {
    next = withSecrets(next, { clientSecret });
    secrets.push('clientSecret');
  }
  if (clientCertificate !== undefined && clientKey !== undefined) {
    next = withSecrets(next, { clientCertificate, clientKey });
    secrets.push('clientCertificate', 'clientKey');
  }
  return { options: next, secrets };
}

/** Describes what was filled, naming non-secret values and only the names of the secrets. */
function describe(fields: ServiceKeyFields): string[] {
  const lines = [
    `Authentication: ${AUTH_TYPE_LABELS[fields.authType]}`,
    `API URL: ${fields.apiUrl}`,
    `Token URL: ${fields.tokenUrl}`,
    `Client ID: ${fields.clientId}`,
  ];
  if (fields.clientSecret !== undefined) {
    lines.push('Client secret (stored encrypted when you save)');
  }
  if (fields.clientCertificate !== undefined) {
    lines.push('Client certificate and Client key (stored encrypted when you save)');
  }
  return lines;
}

/**
 * The quickest setup: paste the JSON of a BTP service key and fill every field from it. The key itself is
 * parsed here in the browser and never stored; the text area is cleared once the fields are filled.
 */
export function ServiceKeySection({ options, onOptionsChange, onSecretsFilled, onSecretReset }: Props) {
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const fill = () => {
    const parsed = parseServiceKey(text);
    if (!parsed.ok) {
      setOutcome({ ok: false, error: parsed.error });
      return;
    }
    const applied = applyServiceKey(options, parsed.fields);
    onOptionsChange(applied.options);
    onSecretsFilled(applied.secrets);
    setText('');
    setOutcome({ ok: true, filled: describe(parsed.fields) });
  };

  return (
    <FieldSet label="Paste a BTP service key">
      {options.secureJsonFields?.serviceKey && (
        <Alert
          severity="info"
          title="A service key is provisioned"
          data-testid="config-provisioned-service-key"
          action={
            <Button size="sm" variant="secondary" onClick={() => onSecretReset('serviceKey')}>
              Remove
            </Button>
          }
        >
          This data source has a whole service key stored (secureJsonData.serviceKey, e.g. from a provisioning file).
          The backend takes every setting left empty below from it.
        </Alert>
      )}
      <Field
        label="Service key"
        description="In the BTP cockpit, open your Process Integration Runtime instance of plan api (role MonitoringDataRead) → Service Keys, copy the whole JSON and paste it here. It fills the connection and authentication below; the key itself is not stored."
      >
        <TextArea
          id="config-service-key"
          data-testid="config-service-key"
          rows={5}
          value={text}
          placeholder='{ "oauth": { "clientid": "sb-…", "clientsecret": "…", "url": "https://….it-cpi001.cfapps.eu10.hana.ondemand.com", "tokenurl": "https://….authentication.eu10.hana.ondemand.com/oauth/token" } }'
          onChange={(e) => setText(e.currentTarget.value)}
          spellCheck={false}
          autoComplete="off"
        />
      </Field>
      <Button data-testid="config-service-key-fill" icon="key-skeleton-alt" variant="secondary" onClick={fill}>
        Fill from service key
      </Button>
      {outcome?.ok === true && (
        <Alert
          severity="success"
          title="Filled from the service key"
          data-testid="config-service-key-success"
          topSpacing={2}
          onRemove={() => setOutcome(undefined)}
        >
          <ul>
            {outcome.filled.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </Alert>
      )}
      {outcome?.ok === false && (
        <Alert
          severity="error"
          title="This service key cannot be used"
          data-testid="config-service-key-error"
          topSpacing={2}
          onRemove={() => setOutcome(undefined)}
        >
          {outcome.error}
        </Alert>
      )}
    </FieldSet>
  );
}
