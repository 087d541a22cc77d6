import React from 'react';
import { Alert, Field, FieldSet, Switch } from '@grafana/ui';

import { SecretSectionProps, withJsonData } from './options';
import { SecretTextAreaField } from './SecretFields';

export function TlsSection(props: SecretSectionProps) {
  const { options, onOptionsChange } = props;
  const { jsonData } = options;

  return (
    <FieldSet label="TLS">
      <Field
        label="With CA cert"
        description="Trust a custom certificate authority, e.g. of a corporate proxy or a private API gateway."
      >
        <Switch
          id="config-tls-ca"
          data-testid="config-tls-ca"
          value={Boolean(jsonData.tlsAuthWithCACert)}
          onChange={(e) => onOptionsChange(withJsonData(options, { tlsAuthWithCACert: e.currentTarget.checked }))}
        />
      </Field>
      {jsonData.tlsAuthWithCACert && (
        <SecretTextAreaField
          {...props}
          secret="tlsCACert"
          label="CA certificate"
          description="One or more PEM certificates of the CA to trust."
          placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
          required
        />
      )}
      <Field label="Skip TLS verification" description="Accept any server certificate. Only for tests.">
        <Switch
          id="config-tls-skip-verify"
          data-testid="config-tls-skip-verify"
          value={Boolean(jsonData.tlsSkipVerify)}
          onChange={(e) => onOptionsChange(withJsonData(options, { tlsSkipVerify: e.currentTarget.checked }))}
        />
      </Field>
      {jsonData.tlsSkipVerify && (
        <Alert severity="warning" title="TLS verification is off" data-testid="config-tls-skip-verify-warning">
          Any server can pose as the tenant and receive the credentials and the monitoring data. Use this only against a
          test system; to trust a private CA, turn on &quot;With CA cert&quot; instead.
        </Alert>
      )}
    </FieldSet>
  );
}
