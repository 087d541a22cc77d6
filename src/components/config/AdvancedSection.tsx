import React, { ChangeEvent } from 'react';
import { Field, FieldSet, Input } from '@grafana/ui';

import { CpiDataSourceOptions, DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_TIMEOUT_SECONDS } from '../../types';
import { SectionProps, withJsonData } from './options';

/** Bounds enforced by the backend (pkg/settings Validate); shown here so a typo is caught before saving. */
export const TIMEOUT_RANGE = { min: 1, max: 300 };
export const CONCURRENCY_RANGE = { min: 1, max: 64 };

type NumberKey = 'timeoutSeconds' | 'maxConcurrentRequests';

function outOfRange(value: number | undefined, range: { min: number; max: number }, whole: boolean): boolean {
  if (value === undefined) {
    return false;
  }
  return !Number.isFinite(value) || value < range.min || value > range.max || (whole && !Number.isInteger(value));
}

export function AdvancedSection({ options, onOptionsChange }: SectionProps) {
  const { jsonData } = options;

  // An empty field removes the key, so the backend default applies.
  const setNumber = (key: NumberKey) => (e: ChangeEvent<HTMLInputElement>) => {
    const raw = e.currentTarget.value.trim();
    const patch: Partial<CpiDataSourceOptions> = { [key]: raw === '' ? undefined : Number(raw) };
    onOptionsChange(withJsonData(options, patch));
  };

  const timeoutInvalid = outOfRange(jsonData.timeoutSeconds, TIMEOUT_RANGE, false);
  const concurrencyInvalid = outOfRange(jsonData.maxConcurrentRequests, CONCURRENCY_RANGE, true);

  return (
    <FieldSet label="Advanced">
      <Field
        label="Timeout"
        description={`Seconds one request to the tenant may take (default ${DEFAULT_TIMEOUT_SECONDS}).`}
        invalid={timeoutInvalid}
        error={`Enter a number of seconds between ${TIMEOUT_RANGE.min} and ${TIMEOUT_RANGE.max}.`}
      >
        <Input
          id="config-timeout"
          data-testid="config-timeout"
          type="number"
          width={16}
          min={TIMEOUT_RANGE.min}
          max={TIMEOUT_RANGE.max}
          value={jsonData.timeoutSeconds ?? ''}
          placeholder={String(DEFAULT_TIMEOUT_SECONDS)}
          suffix="s"
          onChange={setNumber('timeoutSeconds')}
        />
      </Field>
      <Field
        label="Max concurrent requests"
        description={`Requests in flight to this tenant at once (default ${DEFAULT_MAX_CONCURRENT_REQUESTS}); SAP limits requests per user.`}
        invalid={concurrencyInvalid}
        error={`Enter a whole number between ${CONCURRENCY_RANGE.min} and ${CONCURRENCY_RANGE.max}.`}
      >
        <Input
          id="config-max-concurrent"
          data-testid="config-max-concurrent"
          type="number"
          width={16}
          min={CONCURRENCY_RANGE.min}
          max={CONCURRENCY_RANGE.max}
          step={1}
          value={jsonData.maxConcurrentRequests ?? ''}
          placeholder={String(DEFAULT_MAX_CONCURRENT_REQUESTS)}
          onChange={setNumber('maxConcurrentRequests')}
        />
      </Field>
    </FieldSet>
  );
}
