import React, { ChangeEvent } from 'react';
import { Field, SecretInput, SecretTextArea } from '@grafana/ui';

import { isSecretConfigured, SecretKey, SecretSectionProps, withSecrets } from './options';

interface SecretFieldProps extends SecretSectionProps {
  secret: SecretKey;
  label: string;
  description?: string;
  placeholder?: string;
  required?: boolean;
}

/**
 * One write-only secret. The browser never receives a stored secret: it only knows whether one is configured
 * (secureJsonFields), and "Reset" clears it so a new one can be entered.
 */
export function SecretInputField(props: SecretFieldProps) {
  const { options, onOptionsChange, filledSecrets, onSecretReset, secret, label, description, placeholder, required } =
    props;
  const id = `config-${secret}`;
  return (
    <Field label={label} description={description} required={required} htmlFor={id} data-testid={`secret-${secret}`}>
      <SecretInput
        id={id}
        width={60}
        isConfigured={isSecretConfigured(options, filledSecrets, secret)}
        value={options.secureJsonData?.[secret] ?? ''}
        placeholder={placeholder}
        autoComplete="new-password"
        onChange={(e: ChangeEvent<HTMLInputElement>) =>
          onOptionsChange(withSecrets(options, { [secret]: e.currentTarget.value }))
        }
        onReset={() => onSecretReset(secret)}
      />
    </Field>
  );
}

/** A multi-line write-only secret (PEM certificate or key). */
export function SecretTextAreaField(props: SecretFieldProps) {
  const { options, onOptionsChange, filledSecrets, onSecretReset, secret, label, description, placeholder, required } =
    props;
  const id = `config-${secret}`;
  return (
    <Field label={label} description={description} required={required} htmlFor={id} data-testid={`secret-${secret}`}>
      <SecretTextArea
        id={id}
        rows={5}
        cols={70}
        isConfigured={isSecretConfigured(options, filledSecrets, secret)}
        value={options.secureJsonData?.[secret] ?? ''}
        placeholder={placeholder}
        spellCheck={false}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) =>
          onOptionsChange(withSecrets(options, { [secret]: e.currentTarget.value }))
        }
        onReset={() => onSecretReset(secret)}
      />
    </Field>
  );
}
