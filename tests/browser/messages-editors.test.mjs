// Browser test of the messages family's query editors: the REAL QueryEditor in Chromium (lib.mjs) for each of the
// five message query types, driven through their pickers with canned variables/* answers like those of the
// simulated tenant (pkg/simulator/landscape.go), and the screenshots docs/img/query-<queryType>.png.
import { it } from 'node:test';
import assert from 'node:assert/strict';

import { describeInChromium, lastQuery, mountQueryEditor, resourceCalls, screenshot } from './lib.mjs';

/** What the backend's variables/<kind> answers for the simulated tenant (text = name, value = id). */
function flow(id) {
  return { text: id.replaceAll('_', ' '), value: id };
}
const TENANT = {
  'variables/packages': [
    { text: 'Ariba Procurement', value: 'ZAribaProcurement' },
    { text: 'Bank Communication', value: 'ZBankCommunication' },
    { text: 'Finance Integration S/4HANA', value: 'ZFinanceS4HANA' },
    { text: 'Logistics EDI (B2B)', value: 'ZLogisticsEDI' },
    { text: 'Salesforce CRM Synchronisation', value: 'ZSalesforceCRM' },
  ],
  'variables/iflows': [
    'Replicate_BusinessPartner_S4_to_Salesforce',
    'Sync_Opportunity_Salesforce_to_S4',
    'PurchaseOrder_S4_to_Ariba',
    'Invoice_Ariba_to_S4',
    'Payment_Files_S4_to_Bank',
    'DESADV_EDI_to_Carrier',
    'Inbound_ORDERS_AS2',
    'Shipment_Tracking_Webhook',
  ].map(flow),
  'variables/iflows?filter=ZAribaProcurement': [
    'PurchaseOrder_S4_to_Ariba',
    'Invoice_Ariba_to_S4',
    'Supplier_Onboarding_Ariba',
  ].map(flow),
  'variables/iflows?filter=ZLogisticsEDI': [
    'DESADV_EDI_to_Carrier',
    'Inbound_ORDERS_AS2',
    'Shipment_Tracking_Webhook',
  ].map(flow),
  'variables/statuses': ['COMPLETED', 'FAILED', 'PROCESSING', 'RETRY'].map((s) => ({ text: s, value: s })),
  'variables/senders': ['S4HANA_PRD', 'Ariba_Network', 'EDI_Partner', 'Salesforce'].map((s) => ({ text: s, value: s })),
  'variables/receivers': ['S4HANA_PRD', 'Ariba_Network', 'Bank_SFTP', 'EDI_DHL'].map((s) => ({ text: s, value: s })),
};
const VARIABLES = [{ name: 'iflow' }, { name: 'package' }, { name: 'env' }];

/** Opens the picker labelled `label`, picks the options named `names` (exact option label), closes it. */
async function pick(page, editor, label, names) {
  const input = editor.getByRole('combobox', { name: label });
  await input.click();
  // The options arrive from the (canned) tenant after the menu's debounce.
  await page.getByRole('option').first().waitFor();
  for (const name of names) {
    await page.getByRole('option', { name, exact: true }).click();
  }
  await page.keyboard.press('Escape');
  // Leave the picker: the typed text clears and the menu is gone before the next step.
  await input.blur();
  await page
    .getByRole('listbox')
    .waitFor({ state: 'hidden' })
    .catch(() => undefined);
}

/** The pills (chosen values) shown in the picker labelled `label`. */
async function pills(editor, label) {
  const box = editor.getByRole('combobox', { name: label }).locator('xpath=..');
  const buttons = await box.getByRole('button', { name: /^Remove / }).all();
  return Promise.all(buttons.map(async (b) => (await b.getAttribute('aria-label')).replace(/^Remove /, '')));
}

describeInChromium('messages query editors in Chromium', (session) => {
  /** A new page with the REAL QueryEditor on `query`, the tenant's answers and the dashboard's variables. */
  async function openEditor(query) {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, { query, resources: TENANT, variables: VARIABLES });
    return { page, editor };
  }

  /** Writes the screenshot docs/img/<name> of the page, then closes it. */
  async function finish(page, name) {
    await screenshot(page, name);
    await page.close();
  }

  it('messages: narrows the iFlows by package, shows names, sets more filters', async () => {
    const stored = {
      refId: 'A',
      queryType: 'messages',
      packages: ['ZAribaProcurement'],
      statuses: ['FAILED', 'RETRY'],
      maxRows: 5000,
      format: 'table',
    };
    const { page, editor } = await openEditor(stored);
    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Messages');
    assert.equal(await lastQuery(page), undefined, 'a complete query is not changed by mounting it');
    assert.deepEqual(await resourceCalls(page), [], 'nothing is fetched before a menu opens');

    await pick(page, editor, /^iFlow/, [/^PurchaseOrder S4 to Ariba/, /^Invoice Ariba to S4/]);
    assert.deepEqual(await resourceCalls(page), [
      { path: 'variables/iflows', params: { filter: 'ZAribaProcurement' } },
    ]);
    assert.deepEqual(await pills(editor, /^iFlow/), ['PurchaseOrder S4 to Ariba', 'Invoice Ariba to S4']);

    await pick(page, editor, /^Sender/, ['S4HANA_PRD']);
    await editor.getByRole('button', { name: 'More filters' }).click();
    await editor.getByRole('textbox', { name: /^Header name/ }).fill('PurchaseOrder');
    await editor.getByRole('textbox', { name: /^Header value/ }).fill('4500012345');
    await editor.getByRole('textbox', { name: /^Header value/ }).blur();

    // The stored options are kept as they were, the new ones added.
    assert.deepEqual(await lastQuery(page), {
      ...stored,
      iflows: ['PurchaseOrder_S4_to_Ariba', 'Invoice_Ariba_to_S4'],
      senders: ['S4HANA_PRD'],
      customHeaderName: 'PurchaseOrder',
      customHeaderValue: '4500012345',
    });
    assert.equal(await editor.getByRole('switch', { name: /Error text/ }).isChecked(), true);
    await finish(page, 'query-messages.png');
  });

  it('messageCounts: a dashboard variable for the iFlows, statuses from the fixed list and the tenant', async () => {
    const { page, editor } = await openEditor({ refId: 'A', queryType: 'messageCounts', packages: ['ZLogisticsEDI'] });
    // The missing grouping gets its default written; the page's query carries Grafana's default format (table),
    // which message counts accept.
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'messageCounts',
      packages: ['ZLogisticsEDI'],
      format: 'table',
      groupBy: 'status',
    });
    assert.equal(await editor.getByRole('radio', { name: 'Table' }).isChecked(), true);

    await pick(page, editor, /^iFlow/, ['$iflow']);
    await editor.getByRole('combobox', { name: /^Status/ }).click();
    await page.getByRole('option', { name: '$env' }).waitFor();
    const statuses = await page.getByRole('option').allTextContents();
    assert.deepEqual(statuses.slice(0, 8), [
      'COMPLETED',
      'PROCESSING',
      'RETRY',
      'ESCALATED',
      'FAILED',
      'CANCELLED',
      'DISCARDED',
      'ABANDONED',
    ]);
    assert.ok(statuses.includes('$env'), 'dashboard variables are offered');
    await page.keyboard.press('Escape');
    await pick(page, editor, /^Status/, ['FAILED', 'ESCALATED']);

    await editor.getByRole('combobox', { name: /Group by/ }).click();
    await page.getByRole('option', { name: /^iFlow × status/ }).click();
    await editor.getByRole('radio', { name: 'Time series' }).click();

    const query = await lastQuery(page);
    assert.equal(query.format, 'timeseries');
    assert.deepEqual(query.iflows, ['$iflow']);
    assert.deepEqual(query.statuses, ['FAILED', 'ESCALATED']);
    assert.equal(query.groupBy, 'iflowStatus');
    assert.deepEqual(
      (await resourceCalls(page)).map((c) => c.path),
      ['variables/iflows', 'variables/statuses'],
      'one look-up per picker, kept while the editor is open'
    );
    await finish(page, 'query-messageCounts.png');
  });

  it('messageDurations: per iFlow as a table', async () => {
    const { page, editor } = await openEditor({
      refId: 'A',
      queryType: 'messageDurations',
      iflows: ['Invoice_Ariba_to_S4', 'Inbound_ORDERS_AS2'],
      statuses: ['COMPLETED'],
      groupBy: 'iflow',
      format: 'timeseries',
    });
    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Processing times');
    await pick(page, editor, /^Receiver/, ['S4HANA_PRD']);
    await editor.getByRole('radio', { name: 'Table' }).click();
    assert.equal(await editor.getByRole('radio', { name: 'Per iFlow' }).isChecked(), true);
    const query = await lastQuery(page);
    assert.equal(query.format, 'table');
    assert.deepEqual(query.receivers, ['S4HANA_PRD']);
    // Show the iFlow names: the iFlow menu was opened once, so the picker knows them.
    await pick(page, editor, /^iFlow/, []);
    assert.deepEqual(await pills(editor, /^iFlow/), ['Invoice Ariba to S4', 'Inbound ORDERS AS2']);
    await finish(page, 'query-messageDurations.png');
  });

  it('errorGroups: retries included, numeric for alert rules', async () => {
    const { page, editor } = await openEditor({
      refId: 'A',
      queryType: 'errorGroups',
      packages: ['$package'],
      format: 'table',
    });
    const retries = editor.getByRole('switch', { name: /Retries too/ });
    assert.equal(await retries.isChecked(), false);
    // The visible switch is the label drawn over the (transparent) checkbox.
    await editor.locator('label[for="query-includeRetry"]').last().click();
    assert.equal(await retries.isChecked(), true);
    await editor.getByRole('radio', { name: 'Numeric' }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'errorGroups',
      packages: ['$package'],
      format: 'numeric',
      includeRetry: true,
    });
    assert.equal(await page.evaluate(() => window.sapcpiRunCount), 2);
    // With a package variable the test page's template service cannot expand, the iFlow list is not narrowed.
    await pick(page, editor, /^iFlow/, [/^Payment Files S4 to Bank/]);
    assert.deepEqual(await resourceCalls(page), [{ path: 'variables/iflows', params: {} }]);
    await finish(page, 'query-errorGroups.png');
  });

  it('stuckMessages: threshold in minutes, count per iFlow', async () => {
    const { page, editor } = await openEditor({
      refId: 'A',
      queryType: 'stuckMessages',
      format: 'table',
      packages: ['ZAribaProcurement'],
      statuses: ['RETRY'],
    });
    const minutes = editor.getByRole('spinbutton', { name: /Stuck for/ });
    assert.equal(await minutes.getAttribute('placeholder'), '60');
    await minutes.fill('30');
    await minutes.press('Enter');
    await editor.getByRole('radio', { name: 'Numeric' }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'stuckMessages',
      format: 'numeric',
      packages: ['ZAribaProcurement'],
      statuses: ['RETRY'],
      stuckMinutes: 30,
    });
    await finish(page, 'query-stuckMessages.png');
  });

  it('raised no page errors and loaded every resource', () => {
    session.assertNoErrors();
  });
});
