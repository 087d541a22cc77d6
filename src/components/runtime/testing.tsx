/*
 * Test helpers of the runtime editors (only tests import this file).
 */
import React, { ComponentType, useState } from 'react';
import { TypedVariableModel } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { DataSource } from '../../datasource';
import type { CpiQuery } from '../../types';
import type { VariableValue } from '../../variables';
import type { QueryEditorComponentProps } from '../QueryEditor';

/**
 * Combobox renders its options through a virtualiser that reads element sizes; jsdom lays nothing out, so no
 * option would render. Give every element a size while a test file runs.
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

/** What the simulated tenant answers to GET variables/<kind> (pkg/simulator). */
export const TENANT: Record<string, VariableValue[]> = {
  'variables/designPackages': [
    { text: 'Bank Communication', value: 'ZBankCommunication' },
    { text: 'Finance Integration S/4HANA', value: 'ZFinanceS4HANA' },
  ],
  'variables/certificateAliases?filter=system': [
    { text: 'bank_sftp_hostkey', value: 'bank_sftp_hostkey' },
    { text: 'salesforce_jwt_signing', value: 'salesforce_jwt_signing' },
  ],
  'variables/certificateAliases?filter=backup_admin_system': [
    { text: 'bank_sftp_hostkey', value: 'bank_sftp_hostkey' },
  ],
};

/** A data source whose getResource answers from `answers` (key `path` or `path?filter=x`); others reject. */
export function fakeDataSource(answers: Record<string, unknown> = TENANT) {
  const getResource = jest.fn((path: string, params?: Record<string, string>) => {
    const key = params?.filter !== undefined ? `${path}?filter=${params.filter}` : path;
    return key in answers ? Promise.resolve(answers[key]) : Promise.reject(new Error(`no answer for ${key}`));
  });
  return { datasource: { getResource } as unknown as DataSource, getResource };
}

/** A dashboard with these template variable names (getTemplateSrv().getVariables()). */
export function dashboardWith(names: string[]) {
  setTemplateSrv({
    getVariables: () => names.map((name) => ({ name, type: 'custom' }) as unknown as TypedVariableModel),
    replace: (s?: string) => s ?? '',
    containsTemplate: () => false,
    updateTimeRange: () => undefined,
  } as unknown as TemplateSrv);
}

/** Renders an editor in a host that keeps the query in state, like Grafana's query row. */
export function renderEditor(
  Editor: ComponentType<QueryEditorComponentProps>,
  initial: CpiQuery,
  datasource: DataSource = fakeDataSource().datasource
) {
  const onChange = jest.fn<void, [CpiQuery]>();
  const onRunQuery = jest.fn();
  function Host() {
    const [query, setQuery] = useState(initial);
    return (
      <Editor
        datasource={datasource}
        query={query}
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
