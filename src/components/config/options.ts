import { DataSourceSettings } from '@grafana/data';

import { CpiDataSourceOptions, CpiSecureJsonData } from '../../types';

export type ConfigJsonData = CpiDataSourceOptions;
export type ConfigSecureJsonData = CpiSecureJsonData;

/** The settings object the config editor edits (jsonData + write-only secureJsonData). */
export type CpiSettings = DataSourceSettings<ConfigJsonData, ConfigSecureJsonData>;

export type SecretKey = keyof ConfigSecureJsonData;

export interface SectionProps {
  options: CpiSettings;
  onOptionsChange: (options: CpiSettings) => void;
}

/** Secret fields plus which of them were just filled from a pasted service key (shown as configured). */
export interface SecretSectionProps extends SectionProps {
  filledSecrets: ReadonlySet<SecretKey>;
  onSecretReset: (key: SecretKey) => void;
}

export function withJsonData(options: CpiSettings, patch: Partial<ConfigJsonData>): CpiSettings {
  return { ...options, jsonData: { ...options.jsonData, ...patch } };
}

/** Secrets only ever go to secureJsonData: Grafana encrypts it and never sends it back to the browser. */
export function withSecrets(options: CpiSettings, patch: Partial<ConfigSecureJsonData>): CpiSettings {
  return { ...options, secureJsonData: { ...options.secureJsonData, ...patch } };
}

/** Clears a secret: the stored value (on save) and the "configured" flag. */
export function withSecretReset(options: CpiSettings, key: SecretKey): CpiSettings {
  return {
    ...options,
    secureJsonFields: { ...options.secureJsonFields, [key]: false },
    secureJsonData: { ...options.secureJsonData, [key]: '' },
  };
}

/** A secret shows as configured when Grafana has it stored, or when it was just filled from a service key. */
export function isSecretConfigured(options: CpiSettings, filled: ReadonlySet<SecretKey>, key: SecretKey): boolean {
  return Boolean(options.secureJsonFields?.[key]) || (filled.has(key) && Boolean(options.secureJsonData?.[key]));
}
