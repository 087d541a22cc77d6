import React, { useCallback, useState } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { SecureSocksProxySettings } from '@grafana/ui';

import { CpiDataSourceOptions, CpiSecureJsonData } from '../types';
import { AdvancedSection } from './config/AdvancedSection';
import { AuthSection } from './config/AuthSection';
import { ConnectionSection } from './config/ConnectionSection';
import { AUDIT_LOG, CLOUD_ALM, SecondaryConnectionSection } from './config/SecondaryConnectionSection';
import { SecretKey, withSecretReset } from './config/options';
import { ServiceKeySection } from './config/ServiceKeySection';
import { TlsSection } from './config/TlsSection';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<CpiDataSourceOptions, CpiSecureJsonData>;

/**
 * Data source settings. The service key section comes first because it fills both the connection and the
 * authentication; every secret is write-only (secureJsonData) and shown as "configured" once set.
 */
export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  // Secrets filled from a pasted key are not saved yet, so Grafana does not flag them in secureJsonFields;
  // they are shown as configured all the same instead of as an editable password field.
  const [filledSecrets, setFilledSecrets] = useState<ReadonlySet<SecretKey>>(new Set());

  const onSecretsFilled = useCallback(
    (keys: SecretKey[]) => setFilledSecrets((prev) => new Set([...prev, ...keys])),
    []
  );
  const onSecretReset = (key: SecretKey) => {
    setFilledSecrets((prev) => new Set([...prev].filter((k) => k !== key)));
    onOptionsChange(withSecretReset(options, key));
  };

  const secretProps = { options, onOptionsChange, filledSecrets, onSecretReset };

  return (
    <div data-testid="sapcpi-config-editor">
      <ServiceKeySection
        options={options}
        onOptionsChange={onOptionsChange}
        onSecretsFilled={onSecretsFilled}
        onSecretReset={onSecretReset}
      />
      <ConnectionSection options={options} onOptionsChange={onOptionsChange} />
      <AuthSection {...secretProps} />
      <TlsSection {...secretProps} />
      <AdvancedSection options={options} onOptionsChange={onOptionsChange} />
      {/* Grafana's Secure SOCKS proxy (private data source connect) carries the tenant, token, Cloud ALM and
          audit-log requests alike; the switch is shown only when Grafana runs the proxy. */}
      {config.secureSocksDSProxyEnabled && (
        <SecureSocksProxySettings options={options} onOptionsChange={onOptionsChange} />
      )}
      <SecondaryConnectionSection {...secretProps} kind={CLOUD_ALM} onSecretsFilled={onSecretsFilled} />
      <SecondaryConnectionSection {...secretProps} kind={AUDIT_LOG} onSecretsFilled={onSecretsFilled} />
    </div>
  );
}
