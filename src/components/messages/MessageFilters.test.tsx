import { screen, waitFor } from '@testing-library/react';

import { fakeDataSource, giveElementsASize } from '../../test/editors';
import { noDashboard, setDashboardVariables } from '../../test/templateSrv';
import { MessagesEditor } from './MessagesEditor';
import { MESSAGE_STATUSES } from './options';
import { optionTexts, picker, pills, renderEditor, TENANT } from './testing';

giveElementsASize();

// The filter section is the same in the five editors; it is exercised here through the messages editor.
const base = { refId: 'A', queryType: 'messages' as const, format: 'table' as const };

describe('message filters: tenant pickers', () => {
  beforeEach(() => noDashboard());

  it('lists the packages of the tenant and stores the chosen id, running the query', async () => {
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user, last, onRunQuery } = renderEditor(MessagesEditor, base, { datasource });
    expect(getResource).not.toHaveBeenCalled(); // nothing is fetched before a menu opens
    await user.click(picker(/^Package/));
    expect(await optionTexts()).toEqual([
      expect.stringContaining('Ariba Procurement'),
      expect.stringContaining('Bank Communication'),
      expect.stringContaining('Logistics EDI (B2B)'),
    ]);
    expect(getResource).toHaveBeenCalledWith('variables/packages', {});
    await user.click(screen.getByRole('option', { name: /Bank Communication/ }));
    expect(last()).toEqual({ ...base, packages: ['ZBankCommunication'] });
    expect(onRunQuery).toHaveBeenCalled();
    expect(pills(/^Package/)).toEqual(['Bank Communication']);
  });

  it('lists every iFlow without a package, and only those of the chosen packages with one', async () => {
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user } = renderEditor(
      MessagesEditor,
      { ...base, packages: ['ZAribaProcurement', 'ZBankCommunication'] },
      { datasource }
    );
    await user.click(picker(/^iFlow/));
    const texts = await optionTexts();
    expect(texts).toHaveLength(4);
    expect(texts.join('|')).toMatch(
      /PurchaseOrder S4 to Ariba.*Invoice Ariba to S4.*Payment Files S4 to Bank.*Bank Statements to S4/
    );
    expect(getResource.mock.calls).toEqual([
      ['variables/iflows', { filter: 'ZAribaProcurement' }],
      ['variables/iflows', { filter: 'ZBankCommunication' }],
    ]);
  });

  it('narrows the iFlows by the values of a package variable', async () => {
    setDashboardVariables({ pkg: ['ZBankCommunication'], env: 'prd' });
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user } = renderEditor(MessagesEditor, { ...base, packages: ['$pkg'] }, { datasource });
    await user.click(picker(/^iFlow/));
    await screen.findByRole('option', { name: /Bank Statements to S4/ });
    expect(getResource).toHaveBeenCalledWith('variables/iflows', { filter: 'ZBankCommunication' });
    expect(getResource).toHaveBeenCalledTimes(1);
  });

  it('stores the iFlow id and shows its name', async () => {
    const { user, last } = renderEditor(MessagesEditor, base);
    await user.click(picker(/^iFlow/));
    await user.click(await screen.findByRole('option', { name: /Invoice Ariba to S4/ }));
    expect(last().iflows).toEqual(['Invoice_Ariba_to_S4']);
    await user.click(screen.getByRole('option', { name: /DESADV EDI to Carrier/ }));
    expect(last().iflows).toEqual(['Invoice_Ariba_to_S4', 'DESADV_EDI_to_Carrier']);
    expect(pills(/^iFlow/)[0]).toBe('Invoice Ariba to S4');
  });

  it('asks the tenant once per package choice while the editor is open', async () => {
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user } = renderEditor(MessagesEditor, base, { datasource });
    await user.click(picker(/^iFlow/));
    await screen.findByRole('option', { name: /Invoice Ariba to S4/ });
    await user.keyboard('{Escape}');
    await user.click(picker(/^iFlow/));
    await user.keyboard('bank');
    await waitFor(() =>
      expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
        expect.stringContaining('bank'), // the typed text as a custom value
        expect.stringContaining('Payment Files S4 to Bank'),
      ])
    );
    expect(getResource).toHaveBeenCalledTimes(1);
  });

  it('offers the documented statuses and those the tenant reports, without duplicates', async () => {
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user, last } = renderEditor(MessagesEditor, base, { datasource });
    await user.click(picker(/^Status/));
    const texts = await optionTexts();
    expect(texts).toEqual([...MESSAGE_STATUSES, 'HOLD']);
    expect(getResource).toHaveBeenCalledWith('variables/statuses', {});
    await user.click(screen.getByRole('option', { name: 'FAILED' }));
    await user.click(screen.getByRole('option', { name: 'RETRY' }));
    expect(last().statuses).toEqual(['FAILED', 'RETRY']);
  });

  it('still offers the documented statuses when the tenant cannot be asked', async () => {
    const { datasource } = fakeDataSource({});
    const { user } = renderEditor(MessagesEditor, base, { datasource });
    await user.click(picker(/^Status/));
    expect(await optionTexts()).toEqual([...MESSAGE_STATUSES]);
  });

  it('uses the senders and receivers kinds', async () => {
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user, last } = renderEditor(MessagesEditor, base, { datasource });
    await user.click(picker(/^Sender/));
    await user.click(await screen.findByRole('option', { name: /S4HANA_PRD/ }));
    await user.keyboard('{Escape}');
    await user.click(picker(/^Receiver/));
    await user.click(await screen.findByRole('option', { name: /EDI_DHL/ }));
    expect(getResource).toHaveBeenCalledWith('variables/senders', {});
    expect(getResource).toHaveBeenCalledWith('variables/receivers', {});
    expect(last()).toEqual({ ...base, senders: ['S4HANA_PRD'], receivers: ['EDI_DHL'] });
  });

  it('clears a list back to "any" (the option disappears from the query)', async () => {
    const { user, last } = renderEditor(MessagesEditor, { ...base, senders: ['S4HANA_PRD'] });
    await user.click(screen.getByRole('button', { name: 'Remove S4HANA_PRD' }));
    expect(last()).toEqual(base);
    expect('senders' in last()).toBe(false);
  });
});

describe('message filters: template variables', () => {
  beforeEach(() => setDashboardVariables({ iflow: ['Invoice_Ariba_to_S4'], status: 'FAILED' }));

  it('offers the dashboard variables after the tenant values', async () => {
    const { user, last } = renderEditor(MessagesEditor, base);
    await user.click(picker(/^Status/));
    const texts = await optionTexts();
    expect(texts.slice(-2)).toEqual(['$iflow', '$status']);
    await user.click(screen.getByRole('option', { name: '$status' }));
    expect(last().statuses).toEqual(['$status']);
  });

  it('accepts a typed variable or value the tenant does not list', async () => {
    const { user, last } = renderEditor(MessagesEditor, base);
    await user.click(picker(/^iFlow/));
    await user.paste('${iflow}');
    await user.click(await screen.findByRole('option', { name: /\$\{iflow\}.*Use this value or variable/ }));
    await user.tab(); // leaving the picker clears the typed text
    await user.click(picker(/^iFlow/));
    await user.paste('New_Flow_Not_Deployed_Yet');
    await user.click(await screen.findByRole('option', { name: /New_Flow_Not_Deployed_Yet.*Use this value/ }));
    expect(last().iflows).toEqual(['${iflow}', 'New_Flow_Not_Deployed_Yet']);
  });

  it('shows stored variables as chosen', () => {
    renderEditor(MessagesEditor, { ...base, receivers: ['$receiver'] });
    expect(pills(/^Receiver/)).toEqual(['$receiver']);
  });
});

describe('message filters: more filters', () => {
  beforeEach(() => noDashboard());

  it('are folded away until asked for, then set the free-text filters', async () => {
    const { user, last, onRunQuery } = renderEditor(MessagesEditor, base);
    expect(screen.queryByRole('textbox', { name: /Message ID/ })).not.toBeInTheDocument();
    const toggle = screen.getByRole('button', { name: 'More filters' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');

    const fields: Array<[RegExp, string, string]> = [
      [/^Message ID/, 'messageId', 'AGXhY0Lp0Kvs3Vb4Dq7iUi0qTkAz'],
      [/^Correlation ID/, 'correlationId', 'AGXhY0JRh9tW1'],
      [/^App message ID/, 'applicationMessageId', '0000004711'],
      [/^App message type/, 'applicationMessageType', 'ORDERS05'],
      [/^Custom status/, 'customStatus', 'BUSINESS_ERROR'],
      [/^Header name/, 'customHeaderName', 'PurchaseOrder'],
      [/^Header value/, 'customHeaderValue', '$po'],
    ];
    for (const [i, [label, key, value]] of fields.entries()) {
      await user.click(screen.getByRole('textbox', { name: label }));
      await user.paste(value);
      expect(last()[key as keyof typeof base]).toBe(value);
      // Typing does not run the query, leaving a field does: one run per field left so far.
      expect(onRunQuery).toHaveBeenCalledTimes(i);
    }
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(fields.length);
    expect(last()).toEqual({ ...base, ...Object.fromEntries(fields.map(([, k, v]) => [k, v])) });
    expect(screen.getByRole('button', { name: 'More filters (7)' })).toBeInTheDocument();
  });

  it('are shown at once when one is set, and an emptied field disappears from the query', async () => {
    const { user, last } = renderEditor(MessagesEditor, { ...base, correlationId: 'AGXhY0JRh9tW1' });
    expect(screen.getByRole('button', { name: 'More filters (1)' })).toHaveAttribute('aria-expanded', 'true');
    await user.clear(screen.getByRole('textbox', { name: /^Correlation ID/ }));
    expect(last()).toEqual(base);
  });
});
