import React from 'react';
import { Field, FieldSet, RadioButtonGroup } from '@grafana/ui';

import { AuthType } from '../../types';
import { SecretSectionProps, withJsonData } from './options';
import { JsonDataField } from './JsonDataField';
import { SecretInputField, SecretTextAreaField } from './SecretFields';

export const AUTH_TYPE_LABELS: Record<AuthType, string> = {
  oauth2ClientCredentials: 'OAuth2 client credentials',
  oauth2Certificate: 'OAuth2 with X.509 certificate',
  basic: 'Basic',
  clientCertificate: 'Client certificate (mTLS)',
};

const AUTH_TYPES: Array<{ label: string; value: AuthType; description: string }> = [
  {
    label: AUTH_TYPE_LABELS.oauth2ClientCredentials,
    value: 'oauth2ClientCredentials',
    description: 'Service key of type ClientId/Secret (recommended)',
  },
  {
    label: AUTH_TYPE_LABELS.oauth2Certificate,
    value: 'oauth2Certificate',
    description: 'Service key of type Certificate: the token is requested with the client certificate',
  },
  { label: AUTH_TYPE_LABELS.basic, value: 'basic', description: 'A technical user and password' },
  {
    label: AUTH_TYPE_LABELS.clientCertificate,
    value: 'clientCertificate',
    description: 'The client certificate is presented on every API call',
  },
];

export const DEFAULT_AUTH_TYPE: AuthType = 'oauth2ClientCredentials';

const CERT_PLACEHOLDER = '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----';
const KEY_PLACEHOLDER = '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----';

export function AuthSection(props: SecretSectionProps) {
  const { options, onOptionsChange } = props;
  const { jsonData } = options;
  const authType = jsonData.authType ?? DEFAULT_AUTH_TYPE;
  const isOAuth = authType === 'oauth2ClientCredentials' || authType === 'oauth2Certificate';
  const usesCertificate = authType === 'oauth2Certificate' || authType === 'clientCertificate';

  return (
    <FieldSet label="Authentication">
      <Field label="Authentication" description={AUTH_TYPES.find((a) => a.value === authType)?.description}>
        <RadioButtonGroup<AuthType>
          id="config-auth-type"
          data-testid="config-auth-type"
          options={AUTH_TYPES}
          value={authType}
          onChange={(value) => onOptionsChange(withJsonData(options, { authType: value }))}
        />
      </Field>

      {isOAuth && (
        <>
          <JsonDataField
            {...props}
            field="tokenUrl"
            label="Token URL"
            description='The "tokenurl" of the service key; /oauth/token is added to a bare host.'
            required
            id="config-token-url"
            width={70}
            placeholder="https://<subdomain>.authentication.eu10.hana.ondemand.com/oauth/token"
          />
          <JsonDataField
            {...props}
            field="clientId"
            label="Client ID"
            description='The "clientid" of the service key.'
            required
            id="config-client-id"
            width={60}
            placeholder="sb-…!b…|it!b…"
          />
        </>
      )}

      {authType === 'oauth2ClientCredentials' && (
        <SecretInputField
          {...props}
          secret="clientSecret"
          label="Client secret"
          description='The "clientsecret" of the service key.'
          placeholder="Client secret"
          required
        />
      )}

      {authType === 'basic' && (
        <>
          <JsonDataField
            {...props}
            field="basicUser"
            label="User"
            description="A user with a role collection containing MonitoringDataRead."
            required
            id="config-basic-user"
            width={40}
            autoComplete="off"
          />
          <SecretInputField {...props} secret="basicPassword" label="Password" placeholder="Password" required />
        </>
      )}

      {usesCertificate && (
        <>
          <SecretTextAreaField
            {...props}
            secret="clientCertificate"
            label="Client certificate"
            description={
              authType === 'oauth2Certificate'
                ? 'The "certificate" of the service key (PEM).'
                : 'The PEM certificate (chain) presented on every API call.'
            }
            placeholder={CERT_PLACEHOLDER}
            required
          />
          <SecretTextAreaField
            {...props}
            secret="clientKey"
            label="Client key"
            description={
              authType === 'oauth2Certificate'
                ? 'The "key" of the service key (PEM private key).'
                : 'The PEM private key of the client certificate.'
            }
            placeholder={KEY_PLACEHOLDER}
            required
          />
        </>
      )}
    </FieldSet>
  );
}
