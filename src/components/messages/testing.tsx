/*
 * Test helpers of the message editors (not part of the bundle: only tests import this file).
 */
import React, { ComponentType, useState } from 'react';
import { CoreApp, ScopedVars, TypedVariableModel } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { DataSource } from '../../datasource';
import type { CpiQuery } from '../../types';
import type { VariableValue } from '../../variables';
import type { QueryEditorComponentProps } from '../QueryEditor';

/**
 * Combobox renders its options through a virtualiser that reads element sizes; jsdom lays nothing out (every
 * size is 0), so no option would render. Give every element a size while a test file runs.
 */
export function giveElementsASize() {
  const sizes = { clientHeight: 300, clientWidth: 300, offsetHeight: 32, offsetWidth: 300 };
  const real = Object.keys(sizes).map((k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k)] as const);
  beforeAll(() => {
    for (const [k, v] of Object.entries(sizes)) {
      Object.defineProperty(HTMLElement.prototype, k, { configurable: true, get: () => v });
    }
  });
  afterAll(() => {
    for (const [k, d] of real) {
      if (d) {
        Object.defineProperty(HTMLElement.prototype, k, d);
      }
    }
  });
}

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

/**
 * A data source whose getResource answers from `answers` (key `path` or `path?filter=x`); unknown keys reject,
 * as a backend answering 404 would.
 */
export function fakeDataSource(answers: Record<string, unknown> = TENANT) {
  const getResource = jest.fn((path: string, params?: Record<string, string>) => {
    const key = params?.filter !== undefined ? `${path}?filter=${params.filter}` : path;
    if (!(key in answers)) {
      return Promise.reject(new Error(`no answer for ${key}`));
    }
    return Promise.resolve(answers[key]);
  });
  return { datasource: { getResource } as unknown as DataSource, getResource };
}

/**
 * A dashboard with template variables: getVariables lists them, replace formats multi-value ones through the
 * format function (as Grafana does).
 */
export function useDashboardVariables(vars: Record<string, string | string[]>) {
  const srv = {
    getVariables: () => Object.keys(vars).map((name) => ({ name, type: 'custom' }) as unknown as TypedVariableModel),
    replace: (target = '', _scoped?: ScopedVars, format?: string | Function) =>
      target.replace(/\$(\w+)|\${(\w+)}/g, (m, a, b) => {
        const v = vars[a ?? b];
        if (v === undefined) {
          return m;
        }
        return typeof format === 'function' ? format(v, { name: a ?? b }) : Array.isArray(v) ? v.join(',') : v;
      }),
    containsTemplate: (t?: string) => !!t && t.includes('$'),
    updateTimeRange: () => undefined,
  } as unknown as TemplateSrv;
  setTemplateSrv(srv);
}

/** No dashboard: getTemplateSrv() throws as outside Grafana. */
export function noDashboard() {
  setTemplateSrv(undefined as unknown as TemplateSrv);
}

interface Options {
  datasource?: DataSource;
  app?: CoreApp;
}

/** Renders an editor in a host that keeps the query in state, like Grafana's query row. */
export function renderEditor(
  Editor: ComponentType<QueryEditorComponentProps>,
  initial: CpiQuery,
  { datasource = fakeDataSource().datasource, app }: Options = {}
) {
  const onChange = jest.fn<void, [CpiQuery]>();
  const onRunQuery = jest.fn();
  function Host() {
    const [query, setQuery] = useState(initial);
    return (
      <Editor
        datasource={datasource}
        query={query}
        app={app}
        onChange={(q) => {
          setQuery(q);
          onChange(q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  render(<Host />);
  const last = (): CpiQuery => {
    expect(onChange).toHaveBeenCalled();
    return onChange.mock.calls[onChange.mock.calls.length - 1][0];
  };
  return { user: userEvent.setup({ delay: null }), onChange, onRunQuery, last };
}

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
