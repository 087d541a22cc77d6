// Browser test of the artifacts family's query editor: the REAL QueryEditor in Chromium (lib.mjs), and the
// screenshot docs/img/query-artifacts.png.
import { it } from 'node:test';
import assert from 'node:assert/strict';

import { describeInChromium, lastQuery, mountQueryEditor, resourceCalls, screenshot } from './lib.mjs';

describeInChromium('artifacts query editor in Chromium', (session) => {
  it('shows a stored artifacts query and switches it to numeric', async () => {
    const page = await session.newPage();
    const editor = await mountQueryEditor(page, {
      query: { refId: 'A', queryType: 'artifacts', artifactStatus: 'ERROR', format: 'table' },
    });

    assert.equal(await editor.getByRole('combobox', { name: /Query type/ }).inputValue(), 'Deployed artifacts');
    assert.equal(await editor.getByRole('combobox', { name: /Status/ }).inputValue(), 'ERROR');
    assert.equal(await editor.getByRole('combobox', { name: /Type/ }).inputValue(), 'Any type');
    assert.equal(await editor.getByRole('radio', { name: 'Table' }).isChecked(), true);
    assert.equal(await lastQuery(page), undefined, 'mounting alone changes nothing');

    await editor.getByRole('radio', { name: 'Numeric' }).click();
    const query = await lastQuery(page);
    assert.equal(query.format, 'numeric');
    assert.deepEqual(query, { refId: 'A', queryType: 'artifacts', artifactStatus: 'ERROR', format: 'numeric' });
    assert.equal(await editor.getByRole('radio', { name: 'Numeric' }).isChecked(), true);
    assert.equal(await page.evaluate(() => window.sapcpiRunCount), 1, 'a format change runs the query');
    // The artifacts editor has fixed lists: it asks the data source for nothing.
    assert.deepEqual(await resourceCalls(page), []);

    await screenshot(page, 'query-artifacts.png');
    await page.close();
  });

  it('raised no page errors and loaded every resource', () => {
    session.assertNoErrors();
  });
});
