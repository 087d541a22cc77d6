import { AuthType } from './types';

/*
 * Parsing a pasted SAP BTP service key (Process Integration Runtime, plan api) in the browser, so the
 * config editor can fill the fields. The Go side (pkg/settings/servicekey.go) parses the provisioned
 * `serviceKey` the same way; both pass tests/vectors/service-keys.json. Keep messages and rules in step.
 *
 * No message ever contains a value from the key: the key holds a secret, and messages end up on screen
 * and in screenshots.
 */

/** What a service key fills. Secrets (clientSecret / clientCertificate + clientKey) go to secureJsonData. */
export interface ServiceKeyFields {
  authType: AuthType;
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  clientCertificate?: string;
  clientKey?: string;
}

export type ServiceKeyResult = { ok: true; fields: ServiceKeyFields } | { ok: false; error: string };

const API_SUFFIX = '/api/v1';
const DEFAULT_TOKEN_PATH = '/oauth/token';
const API_URL_EXAMPLE =
  'https://<subdomain>.it-cpi001.cfapps.eu10.hana.ondemand.com (the "url" of a Process Integration Runtime service key, plan api)';
const TOKEN_URL_EXAMPLE =
  'https://<subdomain>.authentication.eu10.hana.ondemand.com/oauth/token (the "tokenurl" of the service key)';

/** The service-key fields we read; SAP documents them flat, real keys nest them under "oauth". */
const KEY_FIELDS = ['clientid', 'clientsecret', 'url', 'tokenurl', 'certificate', 'key'] as const;
type KeyField = (typeof KEY_FIELDS)[number];

type UrlCheck = { ok: true; url: URL } | { ok: false; error: string };

/**
 * The checks shared by the API and the token URL (same rules as parseHTTPURL in Go). The raw value is
 * never echoed: a pasted URL may carry user:password@.
 */
function checkHttpUrl(raw: string, what: string, example: string): UrlCheck {
  const text = raw.trim();
  if (text === '') {
    return { ok: false, error: `${what} is empty: enter it like ${example}` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text);
  if (!scheme) {
    return { ok: false, error: `${what} has no scheme: it must start with https://, e.g. ${example}` };
  }
  const s = scheme[1].toLowerCase();
  if (s !== 'https' && s !== 'http') {
    return { ok: false, error: `${what} must start with https:// (got "${s}://"), e.g. ${example}` };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: `${what} is not a valid URL: enter it like ${example}` };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      error: `${what} must not contain a user name or password (user@host): enter the credentials in the authentication fields instead`,
    };
  }
  if (url.hostname === '') {
    return { ok: false, error: `${what} has no host name: enter it like ${example}` };
  }
  if (url.search !== '' || text.includes('?')) {
    return { ok: false, error: `${what} must not contain a query (the part from "?"): remove it, e.g. ${example}` };
  }
  if (url.hash !== '' || text.includes('#')) {
    return { ok: false, error: `${what} must not contain a fragment (the part from "#"): remove it, e.g. ${example}` };
  }
  return { ok: true, url };
}

/** Collapses duplicate slashes and drops a trailing slash; "/" and "" become "". */
function cleanPath(p: string): string {
  const collapsed = p.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return collapsed === '/' ? '' : collapsed;
}

function apiBase(url: URL): string {
  let p = cleanPath(url.pathname);
  if (p.toLowerCase().endsWith(API_SUFFIX)) {
    p = p.slice(0, -API_SUFFIX.length);
  }
  // URL already lower-cases scheme and host; the port is kept as given.
  return `${url.protocol}//${url.host}${p}`;
}

/**
 * Normalises what a user typed or pasted as the tenant API URL: "https://host", "https://host/",
 * "https://host/api/v1" and "https://host/api/v1/" all become "https://host"; a custom path prefix is kept.
 * Input that is not an http(s) URL is returned trimmed, unchanged otherwise, so typing is never lost
 * (the backend's validation reports it with an explanation).
 */
export function normalizeApiUrl(raw: string): string {
  const checked = checkHttpUrl(raw, 'API URL', API_URL_EXAMPLE);
  return checked.ok ? apiBase(checked.url) : raw.trim();
}

/** Appends /oauth/token to a bare host (XSUAA); any other path is kept (Neo uses /oauth2/api/v1/token). */
export function normalizeTokenUrl(raw: string): string {
  const checked = checkHttpUrl(raw, 'Token URL', TOKEN_URL_EXAMPLE);
  if (!checked.ok) {
    return raw.trim();
  }
  const p = cleanPath(checked.url.pathname) || DEFAULT_TOKEN_PATH;
  return `${checked.url.protocol}//${checked.url.host}${p}`;
}

export type HostWarning = 'runtimeHost' | 'uiHost' | 'unencrypted';

/**
 * Warnings for an API URL that is reachable but probably wrong (mirrors settings.HostHint in Go, plus
 * plain http). Returns the keys; the editor words them.
 */
export function apiUrlWarnings(apiUrl: string): HostWarning[] {
  const text = apiUrl.trim();
  if (text === '') {
    return [];
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const host = url.hostname.toLowerCase();
  const path = url.pathname.toLowerCase();
  const warnings: HostWarning[] = [];
  if (host.includes('-rt.')) {
    warnings.push('runtimeHost');
  } else if (host.includes('integrationsuite') || path.includes('/shell') || path.includes('/itspaces')) {
    warnings.push('uiHost');
  }
  if (url.protocol === 'http:') {
    warnings.push('unencrypted');
  }
  return warnings;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one string field, nested "oauth" first, then the top level. Blank counts as missing. */
function keyField(
  nested: Record<string, unknown> | undefined,
  top: Record<string, unknown>,
  name: KeyField
): { value: string } | { error: string } {
  for (const m of [nested, top]) {
    const raw = m?.[name];
    if (raw === undefined || raw === null) {
      continue;
    }
    if (typeof raw !== 'string') {
      return {
        error: `The service key field "${name}" must be text (a JSON string): paste the key exactly as shown in the BTP cockpit.`,
      };
    }
    if (raw.trim() !== '') {
      // Returned untouched: a PEM keeps its final newline, a secret its exact characters.
      return { value: raw };
    }
  }
  return { value: '' };
}

/**
 * Turns literal backslash-n sequences into line breaks: covers a certificate or key copied out of the
 * JSON text by hand (so it still reads -----BEGIN…-----\nMIIB…). PEM never contains a backslash otherwise.
 */
function unescapeNewlines(pem: string): string {
  if (!pem.includes('\\')) {
    return pem;
  }
  return pem.replace(/\\r\\n/g, '\n').replace(/\\n/g, '\n');
}

function fail(error: string): ServiceKeyResult {
  return { ok: false, error };
}

/**
 * Parses a pasted BTP service key. Accepts the fields flat or nested under "oauth" (nested wins), the
 * ClientId/Secret type (clientsecret) and the SAP-generated Certificate type (certificate + key).
 */
export function parseServiceKey(text: string): ServiceKeyResult {
  const trimmed = text.trim();
  if (trimmed === '') {
    return fail(
      'Paste the service key JSON: the whole {…} shown under Service Keys of your Process Integration Runtime instance (plan api) in the BTP cockpit.'
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (e) {
    // Only the position is reported: the engine's message quotes the input, which may hold the secret.
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    const where = pos ? ` (problem at character ${Number(pos[1]) + 1})` : '';
    return fail(
      `The service key is not valid JSON${where}: paste the whole key exactly as shown in the BTP cockpit, including the outer braces { }.`
    );
  }
  if (!isObject(doc)) {
    return fail(
      'The service key must be a JSON object ({ "oauth": { "clientid": …, "url": … } }): paste the whole key as shown in the BTP cockpit.'
    );
  }
  const nested = isObject(doc.oauth) ? doc.oauth : undefined;

  const f = {} as Record<KeyField, string>;
  for (const name of KEY_FIELDS) {
    const r = keyField(nested, doc, name);
    if ('error' in r) {
      return fail(r.error);
    }
    f[name] = r.value;
  }

  // Keys of other services (Cloud ALM, audit log retrieval, …) carry their OAuth client in a "uaa"
  // section; they would otherwise fail later with a confusing "no tokenurl".
  if (isObject(doc.uaa) && f.clientid === '' && f.tokenurl === '') {
    return fail(
      'This is not a Process Integration Runtime key (it has a "uaa" section, like keys of Cloud ALM or the audit log service): create a service key of Process Integration Runtime, plan api, and paste that.'
    );
  }

  if (f.url === '') {
    return fail(
      'The service key has no "url" (the tenant API URL): paste the whole key of a Process Integration Runtime instance, plan api.'
    );
  }
  if (apiUrlWarnings(f.url).includes('runtimeHost')) {
    return fail(
      'This is a service key of plan integration-flow (its url is the runtime host with -rt, used to call iFlow endpoints). Monitoring needs the API: create a Process Integration Runtime instance of plan api (role MonitoringDataRead) and paste its service key.'
    );
  }
  const api = checkHttpUrl(f.url, 'API URL', API_URL_EXAMPLE);
  if (!api.ok) {
    return fail(`The service key field "url" is unusable: ${api.error}`);
  }
  if (f.tokenurl === '') {
    return fail(
      'The service key has no "tokenurl": paste the whole key of a Process Integration Runtime instance, plan api (grant type Client Credentials).'
    );
  }
  const token = checkHttpUrl(f.tokenurl, 'Token URL', TOKEN_URL_EXAMPLE);
  if (!token.ok) {
    return fail(`The service key field "tokenurl" is unusable: ${token.error}`);
  }
  if (f.clientid === '') {
    return fail(
      'The service key has no "clientid": paste the whole key of a Process Integration Runtime instance, plan api (grant type Client Credentials).'
    );
  }

  const base = {
    apiUrl: apiBase(api.url),
    tokenUrl: normalizeTokenUrl(f.tokenurl),
    clientId: f.clientid,
  };
  const certificate = unescapeNewlines(f.certificate);
  const key = unescapeNewlines(f.key);
  if (f.clientsecret !== '') {
    return { ok: true, fields: { authType: 'oauth2ClientCredentials', ...base, clientSecret: f.clientsecret } };
  }
  if (certificate !== '' && key !== '') {
    return {
      ok: true,
      fields: { authType: 'oauth2Certificate', ...base, clientCertificate: certificate, clientKey: key },
    };
  }
  if (certificate !== '') {
    return fail(
      'The service key has a "certificate" but no private key ("key"): it is an External Certificate key. Paste the certificate and its private key into Client certificate and Client key yourself, or create a service key of type Certificate or ClientId/Secret.'
    );
  }
  return fail(
    'The service key has neither "clientsecret" nor "certificate": create a service key of type ClientId/Secret or Certificate and paste the whole key.'
  );
}

/*
 * Service keys of the optional secondary connections (SAP Cloud ALM API, Audit Log Retrieval API). Same rules
 * and messages as pkg/settings/connections.go; both pass tests/vectors/calm-service-keys.json and
 * tests/vectors/auditlog-service-keys.json.
 */

/** What a secondary connection's key fills; clientSecret goes to secureJsonData. */
export interface ConnectionKeyFields {
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

export type ConnectionKeyResult = { ok: true; fields: ConnectionKeyFields } | { ok: false; error: string };

const CALM_SERVICE_SUFFIX = '/calm-analytics/v1';
const CALM_API_EXAMPLE = 'https://<tenant>.<region>.alm.cloud.sap/api (endpoints.Api of the Cloud ALM service key)';
const AUDIT_LOG_EXAMPLE =
  'https://auditlog-management.cfapps.<region>.hana.ondemand.com (url of the audit log service key)';
const AUDIT_LOG_SUFFIXES = ['/auditlog/v2/auditlogrecords', '/auditlog/v2'];
const CALM_KEY_WHAT = 'SAP Cloud ALM API (plan standard)';
const AUDIT_LOG_KEY_WHAT = 'Audit Log Management (auditlog-management, plan default)';

function cutSuffix(url: URL, suffixes: string[]): string {
  let p = cleanPath(url.pathname);
  for (const suffix of suffixes) {
    if (p.toLowerCase().endsWith(suffix)) {
      p = p.slice(0, -suffix.length);
      break;
    }
  }
  return `${url.protocol}//${url.host}${p}`;
}

/**
 * endpoints.Api of a Cloud ALM key ("https://host/api"); the analytics root copied from SAP's Grafana plugin
 * docs ("…/api/calm-analytics/v1") is cut back to it. Invalid input is returned trimmed (the backend explains).
 */
export function normalizeCalmApiUrl(raw: string): string {
  const checked = checkHttpUrl(raw, 'Cloud ALM API URL', CALM_API_EXAMPLE);
  return checked.ok ? cutSuffix(checked.url, [CALM_SERVICE_SUFFIX]) : raw.trim();
}

/** The url of an audit log key: a pasted Cloud Foundry request path is cut back to the host; Neo paths stay. */
export function normalizeAuditLogUrl(raw: string): string {
  const checked = checkHttpUrl(raw, 'Audit log URL', AUDIT_LOG_EXAMPLE);
  return checked.ok ? cutSuffix(checked.url, AUDIT_LOG_SUFFIXES) : raw.trim();
}

function connFail(error: string): ConnectionKeyResult {
  return { ok: false, error };
}

/** Parses the pasted text into the key's object, unwrapping {"credentials": {…}} (CF CLI v8 output). */
function keyDocument(text: string, what: string): { doc: Record<string, unknown> } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') {
    return {
      error: `Paste the service key JSON: the whole {…} shown under Service Keys of your ${what} instance in the BTP cockpit.`,
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch (e) {
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    const where = pos ? ` (problem at character ${Number(pos[1]) + 1})` : '';
    return {
      error: `The service key is not valid JSON${where}: paste the whole key exactly as shown in the BTP cockpit, including the outer braces { }.`,
    };
  }
  if (!isObject(doc)) {
    return {
      error: `The service key must be a JSON object: paste the whole key of your ${what} instance as shown in the BTP cockpit.`,
    };
  }
  return { doc: isObject(doc.credentials) ? doc.credentials : doc };
}

function stringField(
  m: Record<string, unknown> | undefined,
  name: string,
  path: string
): { value: string } | { error: string } {
  const raw = m?.[name];
  if (raw === undefined || raw === null) {
    return { value: '' };
  }
  if (typeof raw !== 'string') {
    return {
      error: `The service key field "${path}" must be text (a JSON string): paste the key exactly as shown in the BTP cockpit.`,
    };
  }
  return { value: raw.trim() === '' ? '' : raw };
}

function isCpiKey(top: Record<string, unknown>): boolean {
  return isObject(top.oauth) || 'tokenurl' in top;
}

function uaaCredentials(top: Record<string, unknown>, name: string, what: string): ConnectionKeyResult {
  const uaa = top.uaa;
  if (!isObject(uaa)) {
    return connFail(
      `The service key has no "uaa" section (the OAuth client): paste the whole key of your ${what} instance.`
    );
  }
  const f: Record<'url' | 'clientid' | 'clientsecret', string> = { url: '', clientid: '', clientsecret: '' };
  for (const field of ['url', 'clientid', 'clientsecret'] as const) {
    const r = stringField(uaa, field, `uaa.${field}`);
    if ('error' in r) {
      return connFail(r.error);
    }
    f[field] = r.value;
  }
  if (f.clientsecret === '' && 'certificate' in uaa) {
    return connFail(
      `This ${name} key authenticates with an X.509 certificate (it has uaa.certificate, no uaa.clientsecret): create a service key with a client secret (credential type binding-secret) and paste that.`
    );
  }
  if (f.url === '') {
    return connFail(
      `The service key has no "uaa.url" (the OAuth server): paste the whole key of your ${what} instance.`
    );
  }
  const token = checkHttpUrl(f.url, 'Token URL', TOKEN_URL_EXAMPLE);
  if (!token.ok) {
    return connFail(`The service key field "uaa.url" is unusable: ${token.error}`);
  }
  if (f.clientid === '') {
    return connFail(`The service key has no "uaa.clientid": paste the whole key of your ${what} instance.`);
  }
  if (f.clientsecret === '') {
    return connFail(`The service key has no "uaa.clientsecret": paste the whole key of your ${what} instance.`);
  }
  return {
    ok: true,
    fields: { apiUrl: '', tokenUrl: normalizeTokenUrl(f.url), clientId: f.clientid, clientSecret: f.clientsecret },
  };
}

/**
 * Parses a key of the SAP Cloud ALM API service: endpoints.Api → API URL, uaa.url + /oauth/token → token URL,
 * uaa.clientid / uaa.clientsecret → the client.
 */
export function parseCalmServiceKey(text: string): ConnectionKeyResult {
  const parsed = keyDocument(text, CALM_KEY_WHAT);
  if ('error' in parsed) {
    return connFail(parsed.error);
  }
  const top = parsed.doc;
  if (isCpiKey(top)) {
    return connFail(
      'This is a Process Integration Runtime key (it has tokenurl/oauth): paste it into the service key field at the top. Here paste the key of your SAP Cloud ALM API instance (it has endpoints.Api and uaa).'
    );
  }
  const endpoints = isObject(top.endpoints) ? top.endpoints : undefined;
  let api = '';
  for (const name of ['Api', 'api', 'API']) {
    const r = stringField(endpoints, name, `endpoints.${name}`);
    if ('error' in r) {
      return connFail(r.error);
    }
    if (r.value !== '') {
      api = r.value;
      break;
    }
  }
  if (api === '') {
    if ('url' in top) {
      return connFail(
        'The service key has no "endpoints.Api": it is not a Cloud ALM API key. A key with "url" and "uaa" is probably the audit log key: paste it under Audit log. Here paste the key of your SAP Cloud ALM API instance (plan standard).'
      );
    }
    return connFail(
      'The service key has no "endpoints.Api" (the Cloud ALM API URL): paste the whole key of your SAP Cloud ALM API instance (plan standard).'
    );
  }
  const checked = checkHttpUrl(api, 'Cloud ALM API URL', CALM_API_EXAMPLE);
  if (!checked.ok) {
    return connFail(`The service key field "endpoints.Api" is unusable: ${checked.error}`);
  }
  const creds = uaaCredentials(top, 'Cloud ALM', CALM_KEY_WHAT);
  if (!creds.ok) {
    return creds;
  }
  return { ok: true, fields: { ...creds.fields, apiUrl: cutSuffix(checked.url, [CALM_SERVICE_SUFFIX]) } };
}

/**
 * Parses a key of the audit log retrieval service (auditlog-management, plan default): url → API URL,
 * uaa.url + /oauth/token → token URL, uaa.clientid / uaa.clientsecret → the client.
 */
export function parseAuditLogServiceKey(text: string): ConnectionKeyResult {
  const parsed = keyDocument(text, AUDIT_LOG_KEY_WHAT);
  if ('error' in parsed) {
    return connFail(parsed.error);
  }
  const top = parsed.doc;
  if (isCpiKey(top)) {
    return connFail(
      'This is a Process Integration Runtime key (it has tokenurl/oauth): paste it into the service key field at the top. Here paste the key of your Audit Log Management instance (auditlog-management, plan default; it has url and uaa).'
    );
  }
  const url = stringField(top, 'url', 'url');
  if ('error' in url) {
    return connFail(url.error);
  }
  if (url.value === '') {
    if ('endpoints' in top) {
      return connFail(
        'This is a Cloud ALM key (it has endpoints.Api): paste it under SAP Cloud ALM. Here paste the key of your Audit Log Management instance (auditlog-management, plan default).'
      );
    }
    return connFail(
      'The service key has no "url" (the audit log API URL): paste the whole key of your Audit Log Management instance (auditlog-management, plan default).'
    );
  }
  const checked = checkHttpUrl(url.value, 'Audit log URL', AUDIT_LOG_EXAMPLE);
  if (!checked.ok) {
    return connFail(`The service key field "url" is unusable: ${checked.error}`);
  }
  const creds = uaaCredentials(top, 'Audit log', AUDIT_LOG_KEY_WHAT);
  if (!creds.ok) {
    return creds;
  }
  return { ok: true, fields: { ...creds.fields, apiUrl: cutSuffix(checked.url, AUDIT_LOG_SUFFIXES) } };
}
