// Browser test of the runtime family's query editors (endpoints, certificates, jms, inventory) and the
// annotations format of the artifacts editor: the REAL QueryEditor in Chromium (lib.mjs), and the screenshots
// docs/img/query-<queryType>.png.
import { it } from 'node:test';
import assert from 'node:assert/strict';

import { describeInChromium, lastQuery, mountQueryEditor, resourceCalls, screenshot } from './lib.mjs';

// What the simulated tenant answers to GET variables/<kind> (pkg/simulator).
const RESOURCES = {
  'variables/designPackages': [
    { text: 'Bank Communication', value: 'ZBankCommunication' },
    { text: 'Finance Integration S/4HANA', value: 'ZFinanceS4HANA' },
    { text: 'SuccessFactors Employee Central Integration', value: 'ZSuccessFactorsHR' },
  ],
  'variables/certificateAliases?filter=system': [
    { text: 'bank_sftp_hostkey', value: 'bank_sftp_hostkey' },
    { text: 'salesforce_jwt_signing', value: 'salesforce_jwt_signing' },
    { text: 'sap_cloudintegrationcertificate', value: 'sap_cloudintegrationcertificate' },
  ],
};

describeInChromium('runtime query editors in Chromium', (session) => {
  it('endpoints', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      // Grafana stores the data source's default format with every new query.
      query: { refId: 'A', queryType: 'endpoints', format: 'table', endpointName: 'order' },
    });
    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Service endpoints');
    assert.equal(await editor.getByRole('textbox', { name: /Name/ }).inputValue(), 'order');
    await editor.getByRole('combobox', { name: /Protocol/ }).click();
    await page.getByRole('option', { name: 'SOAP' }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'endpoints',
      format: 'table',
      endpointName: 'order',
      protocol: 'SOAP',
    });
    assert.deepEqual(await resourceCalls(page), [], 'the endpoints editor has fixed lists');
    await screenshot(page, 'query-endpoints.png');
    await page.close();
  });

  it('certificates', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: { refId: 'A', queryType: 'certificates', format: 'numeric' },
      resources: RESOURCES,
      variables: [{ name: 'alias' }],
    });
    assert.equal(await editor.getByRole('combobox', { name: /Keystore/ }).inputValue(), 'system');
    assert.equal(await editor.getByRole('radio', { name: 'Numeric' }).isChecked(), true);
    await editor.getByRole('combobox', { name: /Alias/ }).click();
    await page.getByRole('option', { name: 'bank_sftp_hostkey' }).click();
    assert.equal((await lastQuery(page)).aliasContains, 'bank_sftp_hostkey');
    assert.deepEqual(await resourceCalls(page), [
      { path: 'variables/certificateAliases', params: { filter: 'system' } },
    ]);
    await editor.getByRole('switch', { name: /Chain/ }).check({ force: true });
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'certificates',
      format: 'numeric',
      aliasContains: 'bank_sftp_hostkey',
      withChain: true,
    });
    await screenshot(page, 'query-certificates.png');
    await page.close();
  });

  it('jms', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: { refId: 'A', queryType: 'jms', format: 'table' },
    });
    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'JMS queues');
    assert.equal(await editor.getByRole('radio', { name: 'Queue states' }).count(), 0, 'numbers only for numeric');
    await editor.getByRole('radio', { name: 'Numeric' }).click();
    await editor.getByRole('radio', { name: 'Queue states' }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'jms',
      format: 'numeric',
      jmsMetric: 'queueStates',
    });
    await screenshot(page, 'query-jms.png');
    await page.close();
  });

  it('inventory', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: { refId: 'A', queryType: 'inventory', format: 'table' },
      resources: RESOURCES,
    });
    await editor.getByRole('combobox', { name: /Package/ }).click();
    await page.getByRole('option', { name: /SuccessFactors Employee Central/ }).click();
    // The picker shows the package name; the query keeps the id.
    assert.equal(
      await editor.getByRole('combobox', { name: /Package/ }).inputValue(),
      'SuccessFactors Employee Central Integration'
    );
    await editor.getByRole('combobox', { name: /State/ }).click();
    await page.getByRole('option', { name: /Version drift/ }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'inventory',
      format: 'table',
      packageId: 'ZSuccessFactorsHR',
      drift: 'versionDrift',
    });
    assert.deepEqual(
      (await resourceCalls(page)).map((c) => c.path),
      ['variables/designPackages']
    );
    await screenshot(page, 'query-inventory.png');
    await page.close();
  });

  it('artifacts as annotations', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: { refId: 'A', queryType: 'artifacts', artifactType: 'INTEGRATION_FLOW', format: 'table' },
    });
    await editor.getByRole('radio', { name: 'Annotations' }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'artifacts',
      artifactType: 'INTEGRATION_FLOW',
      format: 'annotations',
    });
    assert.equal(await editor.getByRole('radio', { name: 'Annotations' }).isChecked(), true);
    await screenshot(page, 'query-artifacts-annotations.png');
    await page.close();
  });

  it('raised no page errors and loaded every resource', () => {
    session.assertNoErrors();
  });
});
