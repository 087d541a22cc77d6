import React, { ChangeEvent } from 'react';
import { Field, Input } from '@grafana/ui';

import { ConfigJsonData, SectionProps, withJsonData } from './options';

/** The settings that hold free text (not a choice among a few values). */
type TextKey = {
  [K in keyof ConfigJsonData]-?: string extends NonNullable<ConfigJsonData[K]> ? K : never;
}[keyof ConfigJsonData];

interface JsonDataFieldProps extends SectionProps {
  field: TextKey;
  label: string;
  description: string;
  required?: boolean;
  /** The input's id, also its test id. */
  id: string;
  width: number;
  placeholder?: string;
  autoComplete?: string;
}

/** A labelled text input bound to one non-secret setting (jsonData). */
export function JsonDataField(props: JsonDataFieldProps) {
  const { options, onOptionsChange, field, label, description, required, id, width, placeholder, autoComplete } = props;
  return (
    <Field label={label} description={description} required={required}>
      <Input
        id={id}
        data-testid={id}
        width={width}
        value={options.jsonData[field] ?? ''}
        placeholder={placeholder}
        autoComplete={autoComplete}
        onChange={(e: ChangeEvent<HTMLInputElement>) =>
          onOptionsChange(withJsonData(options, { [field]: e.currentTarget.value }))
        }
      />
    </Field>
  );
}
