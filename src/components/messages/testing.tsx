/*
 * Test helpers of the message editors (only tests import this file): the tenant's answers and the pickers' parts.
 * What every editor test needs is in src/test/editors.tsx.
 */
import { screen, within } from '@testing-library/react';

import { editorRenderer } from '../../test/editors';
import type { VariableValue } from '../../variables';

/** Values of the simulated tenant (pkg/simulator/landscape.go), as GET variables/<kind> answers them. */
export const TENANT: Record<string, VariableValue[]> = {
  'variables/packages': [
    { text: 'Ariba Procurement', value: 'ZAribaProcurement' },
    { text: 'Bank Communication', value: 'ZBankCommunication' },
    { text: 'Logistics EDI (B2B)', value: 'ZLogisticsEDI' },
  ],
  'variables/iflows': [
    { text: 'PurchaseOrder S4 to Ariba', value: 'PurchaseOrder_S4_to_Ariba' },
    { text: 'Invoice Ariba to S4', value: 'Invoice_Ariba_to_S4' },
    { text: 'Payment Files S4 to Bank', value: 'Payment_Files_S4_to_Bank' },
    { text: 'DESADV EDI to Carrier', value: 'DESADV_EDI_to_Carrier' },
  ],
  'variables/iflows?filter=ZAribaProcurement': [
    { text: 'PurchaseOrder S4 to Ariba', value: 'PurchaseOrder_S4_to_Ariba' },
    { text: 'Invoice Ariba to S4', value: 'Invoice_Ariba_to_S4' },
  ],
  'variables/iflows?filter=ZBankCommunication': [
    { text: 'Payment Files S4 to Bank', value: 'Payment_Files_S4_to_Bank' },
    { text: 'Bank Statements to S4', value: 'Bank_Statements_to_S4' },
  ],
  'variables/statuses': [
    { text: 'COMPLETED', value: 'COMPLETED' },
    { text: 'FAILED', value: 'FAILED' },
    { text: 'HOLD', value: 'HOLD' },
  ],
  'variables/senders': [
    { text: 'S4HANA_PRD', value: 'S4HANA_PRD' },
    { text: 'Ariba_Network', value: 'Ariba_Network' },
  ],
  'variables/receivers': [
    { text: 'Bank_SFTP', value: 'Bank_SFTP' },
    { text: 'EDI_DHL', value: 'EDI_DHL' },
  ],
};

/** The shared renderEditor (src/test/editors.tsx), with a data source answering as TENANT unless one is given. */
export const renderEditor = editorRenderer(TENANT);

/** The input of the picker labelled `label` (InlineField label → input). */
export function picker(label: RegExp) {
  return screen.getByRole('combobox', { name: label });
}

/** The texts of the options of the open menu. */
export async function optionTexts(): Promise<string[]> {
  const options = await screen.findAllByRole('option');
  return options.map((o) => o.textContent ?? '');
}

/** The chosen values shown as pills in the picker labelled `label` (jsdom measures nothing: at least the first). */
export function pills(label: RegExp): string[] {
  const box = picker(label).parentElement;
  if (!box) {
    return [];
  }
  return within(box)
    .queryAllByRole('button', { name: /^Remove / })
    .map((b) => (b.getAttribute('aria-label') ?? '').replace(/^Remove /, ''));
}
