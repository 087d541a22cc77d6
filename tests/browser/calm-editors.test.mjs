// Browser test of the calm family: the REAL calmMetrics query editor and the config editor's Cloud ALM section in
// Chromium (lib.mjs), with the screenshots docs/img/query-calmMetrics.png and docs/img/config-calm.png.
import { it } from 'node:test';
import assert from 'node:assert/strict';

import {
  describeInChromium,
  lastQuery,
  mountConfigEditor,
  mountQueryEditor,
  resourceCalls,
  screenshot,
} from './lib.mjs';

const dim = (key, values, extra = {}) => ({
  key,
  name: key,
  values: values.map((v) => ({ key: v, label: v })),
  isAttribute: false,
  isMultiple: true,
  triggerRefresh: false,
  type: 'dimension',
  required: false,
  ...extra,
});

const CPI_MESSAGES_FILTERS = {
  filters: [
    dim('ServiceName', ['SIM Cloud Integration (PRD)'], { triggerRefresh: true }),
    dim('IntegrationArtifactName', ['PurchaseOrder_S4_to_Ariba', 'Invoice_Ariba_to_S4', 'Payment_Files_S4_to_Bank']),
    dim('StatusGroup', ['Failed', 'In Process', 'Other', 'Successful']),
    dim('Status', ['COMPLETED', 'FAILED', 'RETRY']),
    dim('serviceId', ['5a1f0c2e-0000-4000-8000-000000000001'], { triggerRefresh: true }),
    { ...dim('measures', ['Count']), name: 'Measures', type: 'measure' },
  ],
  required: [],
};

// As the backend answers them for the simulated Cloud ALM (pkg/simulator/calm.go).
const RESOURCES = {
  'variables/calmProviders': [
    { text: 'Exception Monitoring', value: 'EXM_DATAPROVIDER' },
    { text: 'IM - Cloud Platform Integration', value: 'CPI_MESSAGES' },
    { text: 'KPI History Totals', value: 'KPI_HISTORY_TOTALS' },
  ],
  // The stub's postResource reads the body as params: key "path?provider=…".
  'calm/filters?provider=CPI_MESSAGES': CPI_MESSAGES_FILTERS,
  // With the query's selection (the stub renders the filters list as "[object Object]").
  'calm/filters?filters=[object Object]&provider=CPI_MESSAGES': CPI_MESSAGES_FILTERS,
  'calm/filters?provider=KPI_HISTORY_TOTALS': {
    filters: [
      dim('kpiId', ['KPI_1', 'KPI_2'], { required: true }),
      dim('kpiName', []),
      { ...dim('measures', ['value']), name: 'Measures', type: 'measure' },
    ],
    required: ['kpiId'],
  },
};

describeInChromium('calm editors in Chromium', (session) => {
  it('shows the CPI_MESSAGES preset with a failed-status filter', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: {
        refId: 'A',
        queryType: 'calmMetrics',
        provider: 'CPI_MESSAGES',
        dimensions: ['IntegrationArtifactName', 'StatusGroup'],
        measures: [{ name: 'Count', method: 'SUM' }],
        filters: [{ key: 'StatusGroup', values: ['Failed'] }],
        format: 'timeseries',
      },
      resources: RESOURCES,
    });

    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Cloud ALM metrics');
    const provider = editor.getByRole('combobox', { name: /Provider/ });
    await page.waitForFunction(
      () => document.querySelector('#calm-provider')?.value === 'IM - Cloud Platform Integration'
    );
    assert.equal(await provider.inputValue(), 'IM - Cloud Platform Integration');
    assert.equal(await editor.getByRole('combobox', { name: 'Measure 1' }).inputValue(), 'Count');
    assert.equal(await editor.getByRole('combobox', { name: 'Method 1' }).inputValue(), 'SUM');
    assert.equal(await editor.getByRole('radio', { name: 'Time series' }).isChecked(), true);
    assert.equal(await lastQuery(page), undefined, 'mounting alone changes nothing');
    // The metadata arrived: the filter offers its values, no error shows.
    await editor.getByRole('combobox', { name: 'Filter 1 values' }).click();
    await page.getByRole('option', { name: 'Successful' }).waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await editor.getByTestId('calm-metadata-error').count(), 0);
    const calls = await resourceCalls(page);
    assert.deepEqual(calls.find((c) => c.path === 'calm/filters').params, {
      provider: 'CPI_MESSAGES',
      filters: [{ key: 'StatusGroup', values: ['Failed'] }],
    });
    const paths = calls.map((c) => c.path).sort();
    assert.deepEqual(paths, ['calm/filters', 'variables/calmProviders']);

    await editor.getByRole('radio', { name: 'Table', exact: true }).click();
    assert.equal((await lastQuery(page)).format, 'table');
    assert.equal(await page.evaluate(() => window.sapcpiRunCount), 1, 'a complete query runs on change');
    await editor.getByRole('radio', { name: 'Time series' }).click();

    await screenshot(page, 'query-calmMetrics.png');
    await page.close();
  });

  it('flags a required filter and does not run the query without it', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: {
        refId: 'A',
        queryType: 'calmMetrics',
        provider: 'KPI_HISTORY_TOTALS',
        measures: [{ name: 'value' }],
        format: 'timeseries',
      },
      resources: RESOURCES,
    });
    const warning = editor.getByTestId('calm-required-missing');
    await warning.waitFor();
    assert.match(await warning.innerText(), /Cloud ALM refuses KPI_HISTORY_TOTALS without a value for kpiId/);
    await editor.getByRole('radio', { name: 'Table', exact: true }).click();
    assert.equal((await lastQuery(page)).format, 'table');
    assert.equal(await page.evaluate(() => window.sapcpiRunCount), undefined, 'an incomplete query is not run');
    await page.close();
  });

  it('fills the Cloud ALM section of the config editor from a service key', async () => {
    const page = await session.newPage();
    await mountConfigEditor(page);
    const section = page.getByTestId('config-calm-section');
    await section.getByText('SAP Cloud ALM (optional)').click();
    const key = JSON.stringify({
      endpoints: { Api: 'https://acme.eu10.alm.cloud.sap/api' },
      uaa: {
        clientid: 'sb-7c1e2d3f!b24891|calm-api!b2468',
        clientsecret: 'browser-test-calm-Secret-42',
        url: 'https://acme.authentication.eu10.hana.ondemand.com',
      },
    });
    await section.getByTestId('config-calm-service-key').fill(key);
    await section.getByRole('button', { name: 'Fill from Cloud ALM service key' }).click();
    await section.getByTestId('config-calm-success').waitFor();
    assert.equal(await section.getByTestId('config-calmApiUrl').inputValue(), 'https://acme.eu10.alm.cloud.sap/api');
    assert.equal(
      await section.getByTestId('config-calmTokenUrl').inputValue(),
      'https://acme.authentication.eu10.hana.ondemand.com/oauth/token'
    );
    const options = await page.evaluate(() => window.sapcpiOptions);
    assert.equal(options.secureJsonData.calmClientSecret, 'browser-test-calm-Secret-42');
    assert.ok(
      !JSON.stringify(options.jsonData).includes('browser-test-calm-Secret-42'),
      'the secret is not in jsonData'
    );
    assert.ok(!(await page.content()).includes('browser-test-calm-Secret-42'), 'the secret is not shown');

    await screenshot(page, 'config-calm.png', { locator: section });
    await page.close();
  });

  it('raised no page errors and loaded every resource', () => {
    session.assertNoErrors();
  });
});
