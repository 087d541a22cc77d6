import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { config } from '@grafana/runtime';

import { renderConfigEditor } from '../test/configEditor';
import { makeSettings } from '../test/settings';

const SECRET = 'pasted-secret-7c1e';
const SERVICE_KEY = JSON.stringify({
  oauth: {
    clientid: 'sb-clone!b1|it!b2',
    clientsecret: SECRET,
    url: 'https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com/api/v1/',
    tokenurl: 'https://acme.authentication.eu10.hana.ondemand.com/oauth/token',
  },
});
const CERT_KEY = JSON.stringify({
  oauth: {
    clientid: 'sb-cert',
    certificate: '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n',
    key: '-----BEGIN RSA PRIVATE KEY-----\nMIIBkey\n-----END RSA PRIVATE KEY-----\n',
    url: 'https://cert.it-cpi001.cfapps.eu10.hana.ondemand.com',
    tokenurl: 'https://cert.authentication.cert.eu10.hana.ondemand.com/oauth/token',
  },
});

// Rendering the whole editor with the real @grafana/ui is slow on a busy CI machine.

async function pasteKey(user: ReturnType<typeof userEvent.setup>, key: string) {
  const area = screen.getByLabelText(/^Service key/);
  await user.click(area);
  // paste, not type: user-event would read { and [ as key descriptors
  await user.paste(key);
  await user.click(screen.getByRole('button', { name: /Fill from service key/ }));
}

describe('ConfigEditor: service key', () => {
  it('fills the fields and puts the secret in secureJsonData, not jsonData', async () => {
    const { user, last } = renderConfigEditor();
    await pasteKey(user, SERVICE_KEY);

    const options = last();
    expect(options.jsonData).toEqual({
      authType: 'oauth2ClientCredentials',
      apiUrl: 'https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com',
      tokenUrl: 'https://acme.authentication.eu10.hana.ondemand.com/oauth/token',
      clientId: 'sb-clone!b1|it!b2',
    });
    expect(options.secureJsonData).toEqual({ clientSecret: SECRET });
    expect(JSON.stringify(options.jsonData)).not.toContain(SECRET);

    expect(screen.getByLabelText(/^API URL/)).toHaveValue('https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com');
    expect(screen.getByLabelText(/^Token URL/)).toHaveValue(
      'https://acme.authentication.eu10.hana.ondemand.com/oauth/token'
    );
    expect(screen.getByLabelText(/^Client ID/)).toHaveValue('sb-clone!b1|it!b2');
    // The secret shows as configured, not as its value.
    const secret = within(screen.getByTestId('secret-clientSecret'));
    expect(secret.getByRole('textbox')).toHaveValue('configured');
    expect(secret.getByRole('button', { name: 'Reset' })).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(SECRET);

    const success = screen.getByTestId('config-service-key-success');
    expect(success).toHaveTextContent('Client ID: sb-clone!b1|it!b2');
    expect(success).toHaveTextContent('Client secret');
    expect(success).not.toHaveTextContent(SECRET);
    // The raw key is not kept, not even in the text area.
    expect(screen.getByLabelText(/^Service key/)).toHaveValue('');
  });

  it('fills certificate and key for a Certificate key and switches the authentication', async () => {
    const { user, last } = renderConfigEditor(makeSettings({ authType: 'basic', basicUser: 'ops' }));
    await pasteKey(user, CERT_KEY);

    const options = last();
    expect(options.jsonData.authType).toBe('oauth2Certificate');
    expect(options.jsonData.basicUser).toBe('ops');
    expect(options.secureJsonData).toEqual({
      clientCertificate: '-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n',
      clientKey: '-----BEGIN RSA PRIVATE KEY-----\nMIIBkey\n-----END RSA PRIVATE KEY-----\n',
    });
    expect(JSON.stringify(options.jsonData)).not.toContain('MIIB');
    expect(within(screen.getByTestId('secret-clientCertificate')).getByRole('button', { name: 'Reset' })).toBeVisible();
    expect(within(screen.getByTestId('secret-clientKey')).getByRole('button', { name: 'Reset' })).toBeVisible();
    expect(screen.queryByTestId('secret-clientSecret')).not.toBeInTheDocument();
  });

  it('shows the parser error for a bad key and changes nothing', async () => {
    const { user, onChange } = renderConfigEditor();
    await pasteKey(
      user,
      '{"oauth":{"clientid":"sb-rt","clientsecret":"x","url":"https://rt.it-cpi001-rt.cfapps.eu10.hana.ondemand.com","tokenurl":"https://rt.authentication.eu10.hana.ondemand.com/oauth/token"}}'
    );
    const error = screen.getByTestId('config-service-key-error');
    expect(error).toHaveTextContent('plan integration-flow');
    expect(error).toHaveTextContent('plan api');
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.queryByTestId('config-service-key-success')).not.toBeInTheDocument();
  });

  it('asks for a key when the box is empty', async () => {
    const { user, onChange } = renderConfigEditor();
    await user.click(screen.getByRole('button', { name: /Fill from service key/ }));
    expect(screen.getByTestId('config-service-key-error')).toHaveTextContent('Paste the service key JSON');
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('ConfigEditor: provisioned service key', () => {
  it('says a provisioned key is in use and can remove it', async () => {
    const { user, last } = renderConfigEditor(makeSettings({}, { serviceKey: true }));
    const notice = screen.getByTestId('config-provisioned-service-key');
    expect(notice).toHaveTextContent('A service key is provisioned');
    await user.click(within(notice).getByRole('button', { name: 'Remove' }));
    expect(last().secureJsonFields.serviceKey).toBe(false);
    expect(last().secureJsonData?.serviceKey).toBe('');
    expect(screen.queryByTestId('config-provisioned-service-key')).not.toBeInTheDocument();
  });

  it('shows no notice without one', () => {
    renderConfigEditor();
    expect(screen.queryByTestId('config-provisioned-service-key')).not.toBeInTheDocument();
  });
});

describe('ConfigEditor: secrets', () => {
  const cases = [
    { key: 'clientSecret', jsonData: { authType: 'oauth2ClientCredentials' } },
    { key: 'basicPassword', jsonData: { authType: 'basic' } },
    { key: 'clientCertificate', jsonData: { authType: 'oauth2Certificate' } },
    { key: 'clientKey', jsonData: { authType: 'clientCertificate' } },
    { key: 'tlsCACert', jsonData: { tlsAuthWithCACert: true } },
  ] as const;

  it.each(cases)('reset of $key clears the secret and its configured flag', async ({ key, jsonData }) => {
    const { user, last } = renderConfigEditor(makeSettings(jsonData, { [key]: true }));
    const field = within(screen.getByTestId(`secret-${key}`));
    expect(field.getByRole('textbox')).toHaveValue('configured');

    await user.click(field.getByRole('button', { name: 'Reset' }));

    const options = last();
    expect(options.secureJsonFields[key]).toBe(false);
    expect(options.secureJsonData?.[key]).toBe('');
    expect(
      within(screen.getByTestId(`secret-${key}`)).queryByRole('button', { name: 'Reset' })
    ).not.toBeInTheDocument();
  });

  it('a typed secret goes to secureJsonData only', async () => {
    const { user, last } = renderConfigEditor(makeSettings({ authType: 'basic' }));
    await user.type(screen.getByLabelText(/^User/), 'tech-user');
    await user.type(screen.getByLabelText(/^Password/), 'pw-123');
    const options = last();
    expect(options.jsonData.basicUser).toBe('tech-user');
    expect(options.secureJsonData?.basicPassword).toBe('pw-123');
    expect(JSON.stringify(options.jsonData)).not.toContain('pw-123');
    // Typing keeps the password field editable (it only turns "configured" once saved or filled from a key).
    expect(screen.getByLabelText(/^Password/)).toHaveAttribute('type', 'password');
  });

  it('a secret filled from a key can be reset', async () => {
    const { user, last } = renderConfigEditor();
    await pasteKey(user, SERVICE_KEY);
    await user.click(within(screen.getByTestId('secret-clientSecret')).getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonData?.clientSecret).toBe('');
    expect(screen.getByLabelText(/^Client secret/)).toHaveValue('');
  });
});

describe('ConfigEditor: connection and TLS', () => {
  it('normalises the API URL on blur', async () => {
    const { user, last } = renderConfigEditor();
    await user.click(screen.getByLabelText(/^API URL/));
    await user.paste('https://acme.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1/');
    expect(last().jsonData.apiUrl).toBe('https://acme.it-cpi001.cfapps.eu10.hana.ondemand.com/api/v1/');
    await user.tab();
    expect(last().jsonData.apiUrl).toBe('https://acme.it-cpi001.cfapps.eu10.hana.ondemand.com');
    expect(screen.getByLabelText(/^API URL/)).toHaveValue('https://acme.it-cpi001.cfapps.eu10.hana.ondemand.com');
  });

  it.each([
    ['https://acme.it-cpi001-rt.cfapps.eu10.hana.ondemand.com', 'runtimeHost', /runtime host/],
    ['https://acme.integrationsuite.cfapps.eu10.hana.ondemand.com', 'uiHost', /web UI/],
    ['http://127.0.0.1:8080', 'unencrypted', /Unencrypted/],
  ])('warns about %s', (apiUrl, warning, text) => {
    renderConfigEditor(makeSettings({ apiUrl }));
    expect(screen.getByTestId(`config-api-url-warning-${warning}`)).toHaveTextContent(text);
  });

  it('shows no host warning for a proper API host', () => {
    renderConfigEditor(makeSettings({ apiUrl: 'https://acme.it-cpi001.cfapps.eu10.hana.ondemand.com' }));
    expect(screen.queryByTestId(/config-api-url-warning/)).not.toBeInTheDocument();
  });

  it('shows a warning when TLS verification is skipped', async () => {
    const { user, last } = renderConfigEditor();
    expect(screen.queryByTestId('config-tls-skip-verify-warning')).not.toBeInTheDocument();
    await user.click(screen.getByLabelText(/^Skip TLS verification/));
    expect(last().jsonData.tlsSkipVerify).toBe(true);
    expect(screen.getByTestId('config-tls-skip-verify-warning')).toHaveTextContent('TLS verification is off');
  });

  it('shows the CA field only with "With CA cert"', async () => {
    const { user, last } = renderConfigEditor();
    expect(screen.queryByTestId('secret-tlsCACert')).not.toBeInTheDocument();
    await user.click(screen.getByLabelText(/^With CA cert/));
    expect(last().jsonData.tlsAuthWithCACert).toBe(true);
    expect(screen.getByTestId('secret-tlsCACert')).toBeInTheDocument();
  });

  it('stores environment, tenant label and advanced numbers in jsonData', async () => {
    const { user, last } = renderConfigEditor();
    await user.click(screen.getByRole('radio', { name: 'Neo' }));
    expect(last().jsonData.environment).toBe('neo');
    await user.click(screen.getByLabelText(/^Tenant label/));
    await user.paste('PRD EU');
    expect(last().jsonData.tenantLabel).toBe('PRD EU');
    await user.type(screen.getByLabelText(/^Timeout/), '45');
    expect(last().jsonData.timeoutSeconds).toBe(45);
    await user.type(screen.getByLabelText(/^Max concurrent requests/), '100');
    expect(last().jsonData.maxConcurrentRequests).toBe(100);
    expect(screen.getByText('Enter a whole number between 1 and 64.')).toBeInTheDocument();
    await user.clear(screen.getByLabelText(/^Max concurrent requests/));
    expect(last().jsonData.maxConcurrentRequests).toBeUndefined();
  });

  it('shows the fields of each authentication type', async () => {
    const { user } = renderConfigEditor();
    expect(screen.getByLabelText(/^Client secret/)).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Basic' }));
    expect(screen.getByLabelText(/^User/)).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Token URL/)).not.toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Client certificate (mTLS)' }));
    expect(screen.getByTestId('secret-clientCertificate')).toBeInTheDocument();
    expect(screen.getByTestId('secret-clientKey')).toBeInTheDocument();
    expect(screen.queryByLabelText(/^Client ID/)).not.toBeInTheDocument();
  });
});

describe('ConfigEditor: Secure SOCKS proxy', () => {
  const original = config.secureSocksDSProxyEnabled;
  afterEach(() => {
    config.secureSocksDSProxyEnabled = original;
  });

  it('offers no proxy switch when Grafana runs no proxy', () => {
    config.secureSocksDSProxyEnabled = false;
    renderConfigEditor();
    expect(screen.queryByText('Secure Socks Proxy')).not.toBeInTheDocument();
  });

  it('stores enableSecureSocksProxy when Grafana runs the proxy', async () => {
    config.secureSocksDSProxyEnabled = true;
    const { user, last } = renderConfigEditor();
    expect(screen.getByText('Secure Socks Proxy')).toBeInTheDocument();
    const section = screen.getByText('Secure Socks Proxy').parentElement as HTMLElement;
    await user.click(within(section).getByRole('switch'));
    expect(last().jsonData.enableSecureSocksProxy).toBe(true);
  });
});
