import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { renderConfigEditor } from '../../test/configEditor';
import { makeSettings } from '../../test/settings';

// Rendering the whole editor with the real @grafana/ui is slow on a busy CI machine.

const CALM_SECRET = 'calm-Secret-8f7e6d';
const AUDIT_SECRET = 'audit-Secret-1a2b3c';
const CALM_KEY = JSON.stringify({
  endpoints: { Api: 'https://acme.eu10.alm.cloud.sap/api' },
  uaa: {
    clientid: 'sb-calm!b1|calm-api!b2',
    clientsecret: CALM_SECRET,
    url: 'https://acme.authentication.eu10.hana.ondemand.com',
    apiurl: 'https://api.authentication.eu10.hana.ondemand.com',
  },
});
const AUDIT_KEY = JSON.stringify({
  url: 'https://auditlog-management.cfapps.eu10.hana.ondemand.com',
  uaa: { clientid: 'sb-audit', clientsecret: AUDIT_SECRET, url: 'https://acme.authentication.eu10.hana.ondemand.com/' },
});

async function openSection(user: ReturnType<typeof userEvent.setup>, title: RegExp) {
  await user.click(screen.getByText(title));
}

async function paste(user: ReturnType<typeof userEvent.setup>, label: RegExp, text: string, button: RegExp) {
  await user.click(screen.getByLabelText(label));
  // paste, not type: user-event would read { and [ as key descriptors
  await user.paste(text);
  await user.click(screen.getByRole('button', { name: button }));
}

describe('ConfigEditor: secondary connections', () => {
  it('shows both sections collapsed when nothing is configured, and no field that repeats a tenant label', () => {
    renderConfigEditor();
    expect(screen.getByText('SAP Cloud ALM (optional)')).toBeInTheDocument();
    expect(screen.getByText('Audit log (optional)')).toBeInTheDocument();
    expect(screen.queryByTestId('config-calmApiUrl')).not.toBeInTheDocument();
    expect(screen.queryByTestId('config-auditLogUrl')).not.toBeInTheDocument();
    // The tenant's own fields stay unique (other tests find them by label).
    expect(screen.getAllByLabelText(/^API URL/)).toHaveLength(1);
  });

  it('opens a configured section', () => {
    renderConfigEditor(
      makeSettings({ calmApiUrl: 'https://acme.eu10.alm.cloud.sap/api' } as never, { auditLogClientSecret: true })
    );
    expect(screen.getByTestId('config-calmApiUrl')).toHaveValue('https://acme.eu10.alm.cloud.sap/api');
    expect(within(screen.getByTestId('secret-auditLogClientSecret')).getByRole('textbox')).toHaveValue('configured');
  });

  it('fills the Cloud ALM connection from its service key; the secret goes to secureJsonData only', async () => {
    const { user, last } = renderConfigEditor();
    await openSection(user, /SAP Cloud ALM \(optional\)/);
    await paste(user, /^Cloud ALM service key/, CALM_KEY, /Fill from Cloud ALM service key/);

    const options = last();
    expect(options.jsonData).toEqual({
      calmApiUrl: 'https://acme.eu10.alm.cloud.sap/api',
      calmTokenUrl: 'https://acme.authentication.eu10.hana.ondemand.com/oauth/token',
      calmClientId: 'sb-calm!b1|calm-api!b2',
    });
    expect(options.secureJsonData).toEqual({ calmClientSecret: CALM_SECRET });
    expect(JSON.stringify(options.jsonData)).not.toContain(CALM_SECRET);
    // The tenant's own connection is untouched.
    expect(options.jsonData.apiUrl).toBeUndefined();

    expect(screen.getByLabelText(/^Cloud ALM API URL/)).toHaveValue('https://acme.eu10.alm.cloud.sap/api');
    expect(screen.getByLabelText(/^Cloud ALM token URL/)).toHaveValue(
      'https://acme.authentication.eu10.hana.ondemand.com/oauth/token'
    );
    const secret = within(screen.getByTestId('secret-calmClientSecret'));
    expect(secret.getByRole('textbox')).toHaveValue('configured');
    expect(secret.getByRole('button', { name: 'Reset' })).toBeInTheDocument();
    const success = screen.getByTestId('config-calm-success');
    expect(success).toHaveTextContent('Cloud ALM client ID: sb-calm!b1|calm-api!b2');
    expect(document.body.textContent).not.toContain(CALM_SECRET);
    expect(screen.getByLabelText(/^Cloud ALM service key/)).toHaveValue('');

    // Reset clears the stored secret and its flag.
    await user.click(secret.getByRole('button', { name: 'Reset' }));
    expect(last().secureJsonData?.calmClientSecret).toBe('');
    expect(last().secureJsonFields.calmClientSecret).toBe(false);
  });

  it('fills the audit log connection from its key', async () => {
    const { user, last } = renderConfigEditor();
    await openSection(user, /Audit log \(optional\)/);
    await paste(user, /^Audit log service key/, AUDIT_KEY, /Fill from Audit log service key/);
    expect(last().jsonData).toEqual({
      auditLogUrl: 'https://auditlog-management.cfapps.eu10.hana.ondemand.com',
      auditLogTokenUrl: 'https://acme.authentication.eu10.hana.ondemand.com/oauth/token',
      auditLogClientId: 'sb-audit',
    });
    expect(last().secureJsonData).toEqual({ auditLogClientSecret: AUDIT_SECRET });
    expect(document.body.textContent).not.toContain(AUDIT_SECRET);
  });

  it('refuses a key of the wrong service without quoting it, and changes nothing', async () => {
    const { user, onChange } = renderConfigEditor();
    await openSection(user, /SAP Cloud ALM \(optional\)/);
    await paste(user, /^Cloud ALM service key/, AUDIT_KEY, /Fill from Cloud ALM service key/);
    const error = screen.getByTestId('config-calm-error');
    expect(error).toHaveTextContent('not a Cloud ALM API key');
    expect(error).toHaveTextContent('paste it under Audit log');
    expect(error).not.toHaveTextContent(AUDIT_SECRET);
    expect(onChange).not.toHaveBeenCalled();

    await openSection(user, /Audit log \(optional\)/);
    await paste(user, /^Audit log service key/, CALM_KEY, /Fill from Audit log service key/);
    expect(screen.getByTestId('config-auditLog-error')).toHaveTextContent('This is a Cloud ALM key');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('takes typed values, normalises the URLs on blur and keeps a typed secret editable', async () => {
    const { user, last } = renderConfigEditor();
    await openSection(user, /SAP Cloud ALM \(optional\)/);
    await user.click(screen.getByLabelText(/^Cloud ALM API URL/));
    await user.paste('https://acme.eu10.alm.cloud.sap/api/calm-analytics/v1/');
    await user.tab();
    expect(last().jsonData.calmApiUrl).toBe('https://acme.eu10.alm.cloud.sap/api');
    await user.click(screen.getByLabelText(/^Cloud ALM token URL/));
    await user.paste('https://acme.authentication.eu10.hana.ondemand.com');
    await user.tab();
    expect(last().jsonData.calmTokenUrl).toBe('https://acme.authentication.eu10.hana.ondemand.com/oauth/token');
    await user.type(screen.getByLabelText(/^Cloud ALM client secret/), 'typed-1');
    expect(last().secureJsonData?.calmClientSecret).toBe('typed-1');
    expect(JSON.stringify(last().jsonData)).not.toContain('typed-1');
    expect(screen.getByLabelText(/^Cloud ALM client secret/)).toHaveAttribute('type', 'password');
  });
});

describe('ConfigEditor: TLS verification per connection', () => {
  it.each([
    ['SAP Cloud ALM (optional)', 'calmTlsSkipVerify', /^Cloud ALM: skip TLS verification/],
    ['Audit log (optional)', 'auditLogTlsSkipVerify', /^Audit log: skip TLS verification/],
  ] as const)('%s has its own switch, apart from the tenant’s', async (title, key, label) => {
    const { user, last } = renderConfigEditor();
    await openSection(user, new RegExp(title.replace(/[()]/g, '\\$&')));
    expect(screen.queryByTestId(`config-${key}-warning`)).not.toBeInTheDocument();
    await user.click(screen.getByLabelText(label));
    expect(last().jsonData[key]).toBe(true);
    expect(last().jsonData.tlsSkipVerify).toBeUndefined();
    expect(screen.getByTestId(`config-${key}-warning`)).toHaveTextContent('TLS verification is off');
  });

  it('the tenant’s switch leaves the connections’ switches off', async () => {
    const { user, last } = renderConfigEditor(
      makeSettings({ calmApiUrl: 'https://acme.eu10.alm.cloud.sap/api', auditLogUrl: 'https://audit.example' } as never)
    );
    await user.click(screen.getByLabelText(/^Skip TLS verification/));
    expect(last().jsonData.tlsSkipVerify).toBe(true);
    expect(last().jsonData.calmTlsSkipVerify).toBeUndefined();
    expect(last().jsonData.auditLogTlsSkipVerify).toBeUndefined();
    expect(screen.getByTestId('config-calmTlsSkipVerify')).not.toBeChecked();
    expect(screen.getByTestId('config-auditLogTlsSkipVerify')).not.toBeChecked();
  });
});
