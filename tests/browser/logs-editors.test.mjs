// Browser test of the logs family's query editors: the REAL QueryEditor in Chromium (lib.mjs), and the
// screenshots docs/img/query-auditLogs.png and docs/img/query-logFiles.png.
import { it } from 'node:test';
import assert from 'node:assert/strict';

import { describeInChromium, lastQuery, mountQueryEditor, resourceCalls, screenshot } from './lib.mjs';

// What GET variables/logFiles answers for the simulated Neo tenant (pkg/simulator/logfiles.go).
const HTTP_FILES = [
  { text: 'http_access_d5c7663_2026-11-21.log', value: 'http_access_d5c7663_2026-11-21.log' },
  { text: 'http_access_36cf42b_2026-11-20.log', value: 'http_access_36cf42b_2026-11-20.log' },
  { text: 'http_access_60f8f2e_2026-11-19.log', value: 'http_access_60f8f2e_2026-11-19.log' },
];

describeInChromium('logs query editors in Chromium', (session) => {
  it('auditLogs: a stored query, switched to logs', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: {
        refId: 'A',
        queryType: 'auditLogs',
        category: 'audit.configuration',
        userContains: 'anna',
        format: 'table',
      },
    });

    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Audit log');
    assert.equal(await editor.getByRole('combobox', { name: /Category/ }).inputValue(), 'Configuration');
    assert.equal(await editor.getByLabel(/User/).inputValue(), 'anna');
    assert.equal(await editor.getByRole('switch', { name: /Cloud Integration only/ }).isChecked(), true);
    assert.equal(await lastQuery(page), undefined, 'mounting alone changes nothing');

    await editor.getByRole('radio', { name: 'Logs' }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'auditLogs',
      category: 'audit.configuration',
      userContains: 'anna',
      format: 'logs',
    });
    assert.equal(await page.evaluate(() => window.sapcpiRunCount), 1, 'a format change runs the query');
    // The audit log editor has fixed lists: it asks the data source for nothing.
    assert.deepEqual(await resourceCalls(page), []);

    await screenshot(page, 'query-auditLogs.png');
    await page.close();
  });

  it('logFiles: lists the tenant files of the type and picks one', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: { refId: 'A', queryType: 'logFiles', logFileType: 'http', format: 'table' },
      resources: { 'variables/logFiles?filter=http': HTTP_FILES },
    });

    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Log files (Neo)');
    assert.equal(await editor.getByRole('radio', { name: 'HTTP access' }).isChecked(), true);
    assert.equal(await editor.getByRole('combobox', { name: /File/ }).inputValue(), 'List the files');
    assert.deepEqual(await resourceCalls(page), [{ path: 'variables/logFiles', params: { filter: 'http' } }]);

    await editor.getByRole('combobox', { name: /File/ }).click();
    await page.getByRole('option', { name: HTTP_FILES[0].text }).click();
    assert.deepEqual(await lastQuery(page), {
      refId: 'A',
      queryType: 'logFiles',
      logFileType: 'http',
      format: 'table',
      fileName: HTTP_FILES[0].value,
    });
    assert.equal(await editor.getByTestId('query-logfile-error').count(), 0, 'no error on a Neo tenant');

    await screenshot(page, 'query-logFiles.png');
    await page.close();
  });

  it('raised no page errors and loaded every resource', () => {
    session.assertNoErrors();
  });
});
