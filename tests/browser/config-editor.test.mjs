// Browser test of the config editor: the REAL ConfigEditor with the real @grafana/ui in Chromium (lib.mjs).
// Run: npm run test:browser   (node's built-in test runner; installs chromium with apt-get if missing)
import { it } from 'node:test';
import assert from 'node:assert/strict';

import { describeInChromium, mountConfigEditor, screenshot } from './lib.mjs';

const SECRET = 'browser-test-secret-4b9d';
const SERVICE_KEY = JSON.stringify(
  {
    oauth: {
      clientid: 'sb-7f3e9a1c-5d2b-4e8a-9c6f-0b1d2e3f4a5b!b412345|it!b56789',
      clientsecret: SECRET,
      url: 'https://acme-prd.it-cpi018.cfapps.eu10-003.hana.ondemand.com/api/v1',
      tokenurl: 'https://acme-prd.authentication.eu10.hana.ondemand.com/oauth/token',
      createdate: '2026-11-20T09:14:03.512Z',
    },
  },
  null,
  2
);

describeInChromium('config editor in Chromium', { timeout: 600_000 }, (session) => {
  async function openEditor() {
    const page = await session.newPage();
    await mountConfigEditor(page);
    return page;
  }

  it('fills the settings from a pasted service key and keeps the secret write-only', async () => {
    const page = await openEditor();
    await page.getByTestId('config-service-key').fill(SERVICE_KEY);
    await page.getByRole('button', { name: 'Fill from service key' }).click();

    const success = page.getByTestId('config-service-key-success');
    await success.waitFor();
    assert.match(await success.innerText(), /Client ID: sb-7f3e9a1c/);

    assert.equal(
      await page.getByTestId('config-api-url').inputValue(),
      'https://acme-prd.it-cpi018.cfapps.eu10-003.hana.ondemand.com'
    );
    assert.equal(
      await page.getByTestId('config-token-url').inputValue(),
      'https://acme-prd.authentication.eu10.hana.ondemand.com/oauth/token'
    );
    assert.equal(
      await page.getByTestId('config-client-id').inputValue(),
      'sb-7f3e9a1c-5d2b-4e8a-9c6f-0b1d2e3f4a5b!b412345|it!b56789'
    );
    // The secret shows as configured (disabled field + Reset), never as text.
    const secret = page.getByTestId('secret-clientSecret');
    assert.equal(await secret.locator('input').inputValue(), 'configured');
    assert.equal(await secret.locator('input').isDisabled(), true);
    assert.equal(await secret.getByRole('button', { name: 'Reset' }).isVisible(), true);
    assert.equal(await page.getByTestId('config-service-key').inputValue(), '', 'the raw key is not kept');
    assert.ok(!(await page.locator('body').innerText()).includes(SECRET), 'the secret is not shown anywhere');

    // What Grafana would save: the secret only in secureJsonData.
    const saved = await page.evaluate(() => window.sapcpiOptions);
    assert.equal(saved.secureJsonData.clientSecret, SECRET);
    assert.equal(saved.jsonData.authType, 'oauth2ClientCredentials');
    assert.ok(!JSON.stringify(saved.jsonData).includes(SECRET), 'no secret in jsonData');

    await page.getByTestId('config-tenant-label').fill('PRD EU');

    await screenshot(page, 'config-editor.png', { fullPage: true, minBytes: 20_000 });
    await page.close();
  });

  it('explains why a plan integration-flow key cannot be used', async () => {
    const page = await openEditor();
    await page.getByTestId('config-service-key').fill(SERVICE_KEY.replace('it-cpi018.cfapps', 'it-cpi018-rt.cfapps'));
    await page.getByRole('button', { name: 'Fill from service key' }).click();
    const error = page.getByTestId('config-service-key-error');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /plan integration-flow/);
    assert.match(text, /plan api/);
    assert.ok(!text.includes(SECRET));
    assert.equal(await page.getByTestId('config-api-url').inputValue(), '', 'nothing was filled');
    await page.close();
  });

  it('warns when TLS verification is skipped', async () => {
    const page = await openEditor();
    assert.equal(await page.getByTestId('config-tls-skip-verify-warning').count(), 0);
    await page.getByLabel(/Skip TLS verification/).check({ force: true });
    await page.getByTestId('config-tls-skip-verify-warning').waitFor();
    await page.close();
  });

  it('raised no page errors and loaded every resource', () => {
    session.assertNoErrors();
  });
});
