/*
 * The config editor as the jest tests render it (only tests import this file; settings.tsx, which the browser-test
 * page imports too, stays free of jest and testing-library).
 */
import React from 'react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import type { CpiSettings } from '../components/config/options';
import { makeSettings, StatefulConfigEditor } from './settings';

/**
 * Renders the ConfigEditor in a host that keeps the options in state. Returns the user-event session, the onChange
 * mock and `last()`: the last options reported (failing if there are none).
 */
export function renderConfigEditor(initial: CpiSettings = makeSettings()) {
  const onChange = jest.fn<void, [CpiSettings]>();
  const user = userEvent.setup({ delay: null });
  render(<StatefulConfigEditor initial={initial} onChange={onChange} />);
  const last = (): CpiSettings => {
    expect(onChange).toHaveBeenCalled();
    return onChange.mock.calls[onChange.mock.calls.length - 1][0];
  };
  return { user, onChange, last };
}
