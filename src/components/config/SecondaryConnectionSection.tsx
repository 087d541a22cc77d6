import React, { ChangeEvent, useState } from 'react';
import { Alert, Button, Collapse, Field, Input, Stack, Switch, Text, TextArea } from '@grafana/ui';

import {
  ConnectionKeyResult,
  normalizeAuditLogUrl,
  normalizeCalmApiUrl,
  normalizeTokenUrl,
  parseAuditLogServiceKey,
  parseCalmServiceKey,
} from '../../servicekey';
import { ConfigJsonData, SecretKey, SecretSectionProps, withJsonData, withSecrets } from './options';
import { SecretInputField } from './SecretFields';

type UrlKey = 'calmApiUrl' | 'auditLogUrl';
type TokenKey = 'calmTokenUrl' | 'auditLogTokenUrl';
type ClientKey = 'calmClientId' | 'auditLogClientId';
type TlsSkipVerifyKey = 'calmTlsSkipVerify' | 'auditLogTlsSkipVerify';

/** What differs between the Cloud ALM and the audit log section. */
interface ConnectionKind {
  id: 'calm' | 'auditLog';
  title: string;
  /** Prefix of every field label ("Cloud ALM API URL"), so no label repeats one of the tenant's. */
  name: string;
  intro: string;
  keyHelp: string;
  keyPlaceholder: string;
  urlKey: UrlKey;
  urlLabel: string;
  urlHelp: string;
  urlPlaceholder: string;
  normalizeUrl: (raw: string) => string;
  tokenKey: TokenKey;
  clientKey: ClientKey;
  /** The connection's own "skip TLS verification": the tenant's switch does not apply to it. */
  tlsSkipVerifyKey: TlsSkipVerifyKey;
  secretKey: Extract<SecretKey, 'calmClientSecret' | 'auditLogClientSecret'>;
  parse: (text: string) => ConnectionKeyResult;
}

export const CLOUD_ALM: ConnectionKind = {
  id: 'calm',
  title: 'SAP Cloud ALM (optional)',
  name: 'Cloud ALM',
  intro:
    'For the query type Cloud ALM metrics: Cloud ALM’s pre-aggregated message counts per iFlow (CPI_MESSAGES) and other analytics providers, next to the tenant’s own numbers. Needs a service key of an SAP Cloud ALM API instance (plan standard) with the scopes calm-api.analytics.read and calm-api.analytics.providers.read.',
  keyHelp:
    'In the BTP cockpit, open your SAP Cloud ALM API instance → Service Keys, copy the whole JSON and paste it here. It fills the fields below (endpoints.Api, uaa.url, uaa.clientid, uaa.clientsecret); the key itself is not stored.',
  keyPlaceholder:
    '{ "endpoints": { "Api": "https://<tenant>.<region>.alm.cloud.sap/api" }, "uaa": { "clientid": "…", "clientsecret": "…", "url": "https://….authentication.<region>.hana.ondemand.com" } }',
  urlKey: 'calmApiUrl',
  urlLabel: 'Cloud ALM API URL',
  urlHelp: 'endpoints.Api of the Cloud ALM service key. A trailing /calm-analytics/v1 is removed.',
  urlPlaceholder: 'https://<tenant>.<region>.alm.cloud.sap/api',
  normalizeUrl: normalizeCalmApiUrl,
  tokenKey: 'calmTokenUrl',
  clientKey: 'calmClientId',
  tlsSkipVerifyKey: 'calmTlsSkipVerify',
  secretKey: 'calmClientSecret',
  parse: parseCalmServiceKey,
};

export const AUDIT_LOG: ConnectionKind = {
  id: 'auditLog',
  title: 'Audit log (optional)',
  name: 'Audit log',
  intro:
    'For the query type Audit logs: the BTP Audit Log Retrieval API (Cloud Foundry: an Audit Log Management instance, auditlog-management, plan default; Neo: the audit log API of the subaccount with a platform API client).',
  keyHelp:
    'In the BTP cockpit, open your Audit Log Management instance (auditlog-management, plan default) → Service Keys, copy the whole JSON and paste it here. It fills the fields below (url, uaa.url, uaa.clientid, uaa.clientsecret); the key itself is not stored.',
  keyPlaceholder:
    '{ "url": "https://auditlog-management.cfapps.<region>.hana.ondemand.com", "uaa": { "clientid": "…", "clientsecret": "…", "url": "https://….authentication.<region>.hana.ondemand.com" } }',
  urlKey: 'auditLogUrl',
  urlLabel: 'Audit log URL',
  urlHelp:
    'url of the audit log service key (Cloud Foundry), or on Neo https://api.<host>/auditlog/v1/accounts/<subaccount>.',
  urlPlaceholder: 'https://auditlog-management.cfapps.<region>.hana.ondemand.com',
  normalizeUrl: normalizeAuditLogUrl,
  tokenKey: 'auditLogTokenUrl',
  clientKey: 'auditLogClientId',
  tlsSkipVerifyKey: 'auditLogTlsSkipVerify',
  secretKey: 'auditLogClientSecret',
  parse: parseAuditLogServiceKey,
};

interface Props extends SecretSectionProps {
  kind: ConnectionKind;
  onSecretsFilled: (keys: SecretKey[]) => void;
}

type Outcome = { ok: true; filled: string[] } | { ok: false; error: string };

/**
 * One optional secondary connection with its own service key: collapsed until used, opened when anything of it
 * is set. Pasting the key fills URL, token URL and client ID (jsonData) and the client secret (secureJsonData
 * only); the key itself is never stored.
 */
export function SecondaryConnectionSection(props: Props) {
  const { kind, options, onOptionsChange, onSecretsFilled } = props;
  const { jsonData } = options;
  const configured =
    Boolean(jsonData[kind.urlKey] || jsonData[kind.tokenKey] || jsonData[kind.clientKey]) ||
    Boolean(jsonData[kind.tlsSkipVerifyKey]) ||
    Boolean(options.secureJsonFields?.[kind.secretKey]);
  const [open, setOpen] = useState(configured);
  const [text, setText] = useState('');
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  const fill = () => {
    const parsed = kind.parse(text);
    if (!parsed.ok) {
      setOutcome({ ok: false, error: parsed.error });
      return;
    }
    const { apiUrl, tokenUrl, clientId, clientSecret } = parsed.fields;
    const patch: Partial<ConfigJsonData> = {
      [kind.urlKey]: apiUrl,
      [kind.tokenKey]: tokenUrl,
      [kind.clientKey]: clientId,
    };
    onOptionsChange(withSecrets(withJsonData(options, patch), { [kind.secretKey]: clientSecret }));
    onSecretsFilled([kind.secretKey]);
    setText('');
    setOutcome({
      ok: true,
      filled: [
        `${kind.urlLabel}: ${apiUrl}`,
        `${kind.name} token URL: ${tokenUrl}`,
        `${kind.name} client ID: ${clientId}`,
        `${kind.name} client secret (stored encrypted when you save)`,
      ],
    });
  };

  const textField = (
    key: UrlKey | TokenKey | ClientKey,
    label: string,
    description: string,
    placeholder: string,
    normalize?: (v: string) => string
  ) => {
    const value = jsonData[key] ?? '';
    return (
      <Field label={label} description={description}>
        <Input
          id={`config-${key}`}
          data-testid={`config-${key}`}
          width={70}
          value={value}
          placeholder={placeholder}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onOptionsChange(withJsonData(options, { [key]: e.currentTarget.value }))
          }
          onBlur={() => {
            const normalized = normalize ? normalize(value) : value.trim();
            if (normalized !== value) {
              onOptionsChange(withJsonData(options, { [key]: normalized }));
            }
          }}
        />
      </Field>
    );
  };

  return (
    <div data-testid={`config-${kind.id}-section`}>
      <Collapse label={kind.title} isOpen={open} onToggle={() => setOpen(!open)}>
        <Stack direction="column" gap={1}>
          <Text color="secondary">{kind.intro}</Text>
          <Field label={`${kind.name} service key`} description={kind.keyHelp}>
            <TextArea
              id={`config-${kind.id}-service-key`}
              data-testid={`config-${kind.id}-service-key`}
              rows={4}
              value={text}
              placeholder={kind.keyPlaceholder}
              onChange={(e) => setText(e.currentTarget.value)}
              spellCheck={false}
              autoComplete="off"
            />
          </Field>
          <div>
            <Button data-testid={`config-${kind.id}-fill`} icon="key-skeleton-alt" variant="secondary" onClick={fill}>
              {`Fill from ${kind.name} service key`}
            </Button>
          </div>
          {outcome?.ok === true && (
            <Alert
              severity="success"
              title={`Filled from the ${kind.name} service key`}
              data-testid={`config-${kind.id}-success`}
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
              title={`This key cannot be used for ${kind.name}`}
              data-testid={`config-${kind.id}-error`}
              onRemove={() => setOutcome(undefined)}
            >
              {outcome.error}
            </Alert>
          )}
          {textField(kind.urlKey, kind.urlLabel, kind.urlHelp, kind.urlPlaceholder, kind.normalizeUrl)}
          {textField(
            kind.tokenKey,
            `${kind.name} token URL`,
            'uaa.url of the service key; /oauth/token is added to a bare host.',
            'https://<subdomain>.authentication.<region>.hana.ondemand.com/oauth/token',
            normalizeTokenUrl
          )}
          {textField(kind.clientKey, `${kind.name} client ID`, 'uaa.clientid of the service key.', 'sb-…')}
          <SecretInputField
            {...props}
            secret={kind.secretKey}
            label={`${kind.name} client secret`}
            description="uaa.clientsecret of the service key; stored encrypted, never sent back to the browser."
          />
          <Field
            label={`${kind.name}: skip TLS verification`}
            description={`Accept any certificate from the ${kind.name} and its token hosts. Only for tests; the tenant's switch under TLS does not apply here.`}
          >
            <Switch
              id={`config-${kind.tlsSkipVerifyKey}`}
              data-testid={`config-${kind.tlsSkipVerifyKey}`}
              value={Boolean(jsonData[kind.tlsSkipVerifyKey])}
              onChange={(e) =>
                onOptionsChange(withJsonData(options, { [kind.tlsSkipVerifyKey]: e.currentTarget.checked }))
              }
            />
          </Field>
          {jsonData[kind.tlsSkipVerifyKey] && (
            <Alert
              severity="warning"
              title={`${kind.name}: TLS verification is off`}
              data-testid={`config-${kind.tlsSkipVerifyKey}-warning`}
            >
              Any server can pose as {kind.name} and receive its client secret. Use this only against a test system.
            </Alert>
          )}
        </Stack>
      </Collapse>
    </div>
  );
}
