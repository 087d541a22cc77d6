import fs from 'fs';
import path from 'path';

import { apiUrlWarnings, normalizeApiUrl, normalizeTokenUrl, parseServiceKey } from './servicekey';

interface VectorCase {
  name: string;
  input: string;
  expect?: Record<string, string>;
  error?: string;
}

// Shared with the Go parser (pkg/settings): both must pass every case.
const vectorsPath = path.resolve(__dirname, '..', 'tests', 'vectors', 'service-keys.json');
const vectors: { cases: VectorCase[] } = JSON.parse(fs.readFileSync(vectorsPath, 'utf8'));

describe('parseServiceKey: shared vectors', () => {
  it('has vectors to run', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(10);
    for (const c of vectors.cases) {
      // Each case must say what it checks, or it would pass vacuously.
      expect(c.expect !== undefined || c.error !== undefined).toBe(true);
    }
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = parseServiceKey(c.input);
    if (c.expect) {
      if (!result.ok) {
        throw new Error(`expected success, got error: ${result.error}`);
      }
      expect(result.fields).toEqual(c.expect);
    } else {
      expect(result.ok).toBe(false);
      if (result.ok) {
        return;
      }
      expect(result.error).toContain(c.error);
    }
  });
});

describe('parseServiceKey: messages', () => {
  const secret = 'Sup3r-S3cret-Value-9f8e7d';

  it('never quotes the key in a JSON syntax error', () => {
    const result = parseServiceKey(`{"clientid":"c","clientsecret":"${secret}" "url": nope}`);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('not valid JSON');
      expect(result.error).not.toContain(secret);
      expect(result.error).toMatch(/problem at character \d+/);
    }
  });

  it('never quotes the key when rejecting a plan integration-flow key', () => {
    const result = parseServiceKey(
      JSON.stringify({
        clientid: 'sb-rt',
        clientsecret: secret,
        url: 'https://t.it-cpi001-rt.cfapps.eu10.hana.ondemand.com',
        tokenurl: 'https://t.authentication.eu10.hana.ondemand.com/oauth/token',
      })
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('plan api');
      expect(result.error).toContain('MonitoringDataRead');
      expect(result.error).not.toContain(secret);
    }
  });

  it('rejects a non-string field naming the field only', () => {
    const result = parseServiceKey(
      JSON.stringify({ clientid: 'c', clientsecret: 12345, url: 'https://a.b', tokenurl: 'https://c.d/oauth/token' })
    );
    expect(result).toEqual({ ok: false, error: expect.stringContaining('"clientsecret" must be text') });
    if (!result.ok) {
      expect(result.error).not.toContain('12345');
    }
  });

  it('rejects a url with credentials without echoing them', () => {
    const result = parseServiceKey(
      JSON.stringify({
        clientid: 'c',
        clientsecret: 's',
        url: `https://user:${secret}@t.it-cpi001.cfapps.eu10.hana.ondemand.com`,
        tokenurl: 'https://t.authentication.eu10.hana.ondemand.com/oauth/token',
      })
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('must not contain a user name or password');
      expect(result.error).not.toContain(secret);
    }
  });

  it('appends /oauth/token to a bare token host and repairs literal \\n in PEM', () => {
    const result = parseServiceKey(
      JSON.stringify({
        clientid: 'c',
        certificate: '-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----',
        key: '-----BEGIN PRIVATE KEY-----\\nMIIK\\n-----END PRIVATE KEY-----',
        url: 'https://t.it-cpi001.cfapps.eu10.hana.ondemand.com',
        tokenurl: 'https://t.authentication.cert.eu10.hana.ondemand.com/',
      })
    );
    expect(result).toEqual({
      ok: true,
      fields: {
        authType: 'oauth2Certificate',
        apiUrl: 'https://t.it-cpi001.cfapps.eu10.hana.ondemand.com',
        tokenUrl: 'https://t.authentication.cert.eu10.hana.ondemand.com/oauth/token',
        clientId: 'c',
        clientCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
        clientKey: '-----BEGIN PRIVATE KEY-----\nMIIK\n-----END PRIVATE KEY-----',
      },
    });
  });
});

describe('normalizeApiUrl', () => {
  it.each([
    ['https://t.example.com', 'https://t.example.com'],
    ['https://t.example.com/', 'https://t.example.com'],
    ['https://t.example.com/api/v1', 'https://t.example.com'],
    ['  https://T.Example.com/api/v1/  ', 'https://t.example.com'],
    ['https://sandbox.api.sap.com/cpi/api/v1', 'https://sandbox.api.sap.com/cpi'],
    ['https://t.example.com//api//v1//', 'https://t.example.com'],
    ['http://127.0.0.1:8080/api/v1', 'http://127.0.0.1:8080'],
    // Not (yet) a URL: left as typed, so typing is never lost.
    ['t.example.com/api/v1', 't.example.com/api/v1'],
    ['', ''],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeApiUrl(input)).toBe(expected);
  });
});

describe('normalizeTokenUrl', () => {
  it.each([
    ['https://a.authentication.eu10.hana.ondemand.com', 'https://a.authentication.eu10.hana.ondemand.com/oauth/token'],
    [
      'https://a.authentication.eu10.hana.ondemand.com/oauth/token',
      'https://a.authentication.eu10.hana.ondemand.com/oauth/token',
    ],
    [
      'https://oauthasservices-x.hana.ondemand.com/oauth2/api/v1/token',
      'https://oauthasservices-x.hana.ondemand.com/oauth2/api/v1/token',
    ],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeTokenUrl(input)).toBe(expected);
  });
});

describe('apiUrlWarnings', () => {
  it.each([
    ['https://t.it-cpi001.cfapps.eu10.hana.ondemand.com', []],
    ['https://t.it-cpi001-rt.cfapps.eu10.hana.ondemand.com', ['runtimeHost']],
    ['https://t.integrationsuite.cfapps.eu10.hana.ondemand.com', ['uiHost']],
    ['https://t-tmn.hci.eu1.hana.ondemand.com/itspaces/shell/monitoring', ['uiHost']],
    ['http://127.0.0.1:8080', ['unencrypted']],
    ['http://t.it-cpi001-rt.cfapps.eu10.hana.ondemand.com', ['runtimeHost', 'unencrypted']],
    ['not a url', []],
  ])('%s', (input, expected) => {
    expect(apiUrlWarnings(input)).toEqual(expected);
  });
});
