import fs from 'fs';
import path from 'path';

import {
  normalizeAuditLogUrl,
  normalizeCalmApiUrl,
  parseAuditLogServiceKey,
  parseCalmServiceKey,
  ConnectionKeyResult,
} from './servicekey';

interface VectorCase {
  name: string;
  input: string;
  expect?: Record<string, string>;
  error?: string;
}

// Shared with the Go parsers (pkg/settings ParseCloudALMServiceKey / ParseAuditLogServiceKey).
function loadVectors(file: string): VectorCase[] {
  const p = path.resolve(__dirname, '..', 'tests', 'vectors', file);
  return (JSON.parse(fs.readFileSync(p, 'utf8')) as { cases: VectorCase[] }).cases;
}

const SECRET_RE = /"clientsecret"\s*:\s*"([^"]{4,})"/g;

describe.each([
  ['calm-service-keys.json', parseCalmServiceKey],
  ['auditlog-service-keys.json', parseAuditLogServiceKey],
] as Array<[string, (text: string) => ConnectionKeyResult]>)('%s', (file, parse) => {
  const cases = loadVectors(file);

  it('has vectors to run, each saying what it checks', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const c of cases) {
      expect((c.expect === undefined) !== (c.error === undefined)).toBe(true);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = parse(c.input);
    if (c.expect) {
      if (!result.ok) {
        throw new Error(`expected success, got error: ${result.error}`);
      }
      expect(result.fields).toEqual(c.expect);
      return;
    }
    expect(result.ok).toBe(false);
    if (result.ok) {
      return;
    }
    expect(result.error).toContain(c.error);
    for (const m of c.input.matchAll(SECRET_RE)) {
      expect(result.error).not.toContain(m[1]);
    }
  });
});

describe('normalisers of the secondary URLs', () => {
  it.each([
    [
      normalizeCalmApiUrl,
      'https://ACME.eu10.alm.cloud.sap/api/calm-analytics/v1/',
      'https://acme.eu10.alm.cloud.sap/api',
    ],
    [
      normalizeCalmApiUrl,
      'https://sandbox.api.sap.com/SAPCALM/calm-analytics/v1',
      'https://sandbox.api.sap.com/SAPCALM',
    ],
    [normalizeCalmApiUrl, ' acme.eu10.alm.cloud.sap/api ', 'acme.eu10.alm.cloud.sap/api'],
    [
      normalizeAuditLogUrl,
      'https://auditlog-management.cfapps.eu10.hana.ondemand.com/auditlog/v2/auditlogrecords',
      'https://auditlog-management.cfapps.eu10.hana.ondemand.com',
    ],
    [
      normalizeAuditLogUrl,
      'https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/abc/',
      'https://api.eu1.hana.ondemand.com/auditlog/v1/accounts/abc',
    ],
  ])('%#: %s', (fn, input, want) => {
    expect(fn(input)).toBe(want);
  });
});
