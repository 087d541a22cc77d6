/* The `?view=config` page: the REAL ConfigEditor, starting from empty settings (the jest tests' fixture). */
import React from 'react';

import { CpiSettings } from '../../../src/components/config/options';
import { makeSettings, StatefulConfigEditor } from '../../../src/test/settings';

declare global {
  interface Window {
    /** The last options object the editor reported, for the test to inspect (what Grafana would save). */
    sapcpiOptions?: CpiSettings;
  }
}

const initial = makeSettings();

export function ConfigView() {
  return (
    <StatefulConfigEditor
      initial={initial}
      onChange={(next) => {
        window.sapcpiOptions = next;
      }}
    />
  );
}
