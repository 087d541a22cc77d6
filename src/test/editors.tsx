/*
 * Test helpers shared by the query editor tests (only tests import this file): element sizes for the Combobox
 * virtualiser, a stub data source answering canned resources, and an editor hosted the way Grafana's query row
 * hosts it. A family's own `testing.tsx` keeps only what is particular to it (its tenant's answers).
 */
import React, { ComponentType, useState } from 'react';
import { CoreApp } from '@grafana/data';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { DataSource } from '../datasource';
import type { CpiQuery } from '../types';
import type { EditorProps } from '../components/QueryEditor';

/** The sizes jsdom is given: a 300 px menu of 32 px rows. */
export const ELEMENT_SIZES = { clientHeight: 300, clientWidth: 300, offsetHeight: 32, offsetWidth: 300 };

/**
 * Combobox renders its options through a virtualiser (@tanstack/react-virtual) that reads the menu's clientHeight
 * and each row's offsetHeight; jsdom lays nothing out (every size is 0), so no option would render. Gives every
 * element a size while the calling test file runs (beforeAll) and restores jsdom's getters afterwards (afterAll).
 * `overrides` changes some sizes, e.g. a taller menu so that the virtualiser renders a long list whole.
 */
export function giveElementsASize(overrides: Partial<typeof ELEMENT_SIZES> = {}) {
  const sizes = { ...ELEMENT_SIZES, ...overrides };
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

/**
 * A data source whose getResource (a jest.fn) answers from `answers`, keyed `path` or `path?filter=x`; an unknown
 * key rejects, as a backend answering 404 would. With `reject`, every call rejects with that value instead.
 */
export function fakeDataSource(answers: Record<string, unknown> = {}, { reject }: { reject?: unknown } = {}) {
  const getResource = jest.fn((path: string, params?: Record<string, string>) => {
    if (reject !== undefined) {
      return Promise.reject(reject);
    }
    const key = params?.filter !== undefined ? `${path}?filter=${params.filter}` : path;
    return key in answers ? Promise.resolve(answers[key]) : Promise.reject(new Error(`no answer for ${key}`));
  });
  return { datasource: { getResource } as unknown as DataSource, getResource };
}

export interface EditorOptions {
  /** Default: a data source answering the renderer's canned resources (none for `renderEditor`). */
  datasource?: DataSource;
  /** Where the editor is shown (Explore, dashboard…); Grafana leaves it unset in some places. */
  app?: CoreApp;
}

/**
 * A renderEditor whose default data source answers `answers` (a family's tenant), e.g.
 * `export const renderEditor = editorRenderer(TENANT);` in a family's testing.tsx.
 */
export function editorRenderer(answers: Record<string, unknown>) {
  return <Q extends CpiQuery>(
    Editor: ComponentType<EditorProps<Q>>,
    initial: NoInfer<Q>,
    options: EditorOptions = {}
  ) => renderEditor(Editor, initial, { datasource: fakeDataSource(answers).datasource, ...options });
}

/**
 * Renders `Editor` in a host that keeps the query in state, like Grafana's query row. Returns the user-event
 * session, the onChange and onRunQuery mocks, and `last()`: the last query reported (failing if there is none).
 */
export function renderEditor<Q extends CpiQuery>(
  Editor: ComponentType<EditorProps<Q>>,
  initial: NoInfer<Q>,
  { datasource = fakeDataSource().datasource, app }: EditorOptions = {}
) {
  const onChange = jest.fn<void, [Q]>();
  const onRunQuery = jest.fn();
  function Host() {
    const [query, setQuery] = useState(initial);
    return (
      <Editor
        datasource={datasource}
        query={query}
        app={app}
        onChange={(q) => {
          // The editor of one type reports queries of that type (only QueryEditor changes the type, and its Q
          // is every type).
          setQuery(q as Q);
          onChange(q as Q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  render(<Host />);
  const last = (): Q => {
    expect(onChange).toHaveBeenCalled();
    return onChange.mock.calls[onChange.mock.calls.length - 1][0];
  };
  return { user: userEvent.setup({ delay: null }), onChange, onRunQuery, last };
}

/**
 * A query as saved by an older editor, which kept the options of the previous query type when the type changed
 * (the model's types do not allow them; the editors must still cope).
 */
export function savedQuery<Q extends CpiQuery>(query: Q, leftovers: Record<string, unknown>): Q {
  return { ...query, ...leftovers };
}
