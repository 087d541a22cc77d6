/*
 * Test page for the browser test: mounts the REAL ConfigEditor with the real @grafana/ui, themed the way
 * Grafana themes plugin pages. Not part of the plugin bundle (dist/); built by config-editor.test.mjs.
 */
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme } from '@grafana/data';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { ConfigEditor } from '../../../src/components/ConfigEditor';
import { CpiSettings } from '../../../src/components/config/options';

declare global {
  interface Window {
    /** The last options object the editor reported, for the test to inspect (what Grafana would save). */
    sapcpiOptions?: CpiSettings;
  }
}

const mode = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';
const theme = createTheme({ colors: { mode } });

const initial: CpiSettings = {
  id: 1,
  uid: 'sapcpi-browser-test',
  orgId: 1,
  name: 'SAP Cloud Integration',
  type: 'seed-sapcpi-datasource',
  typeName: 'SAP Cloud Integration',
  typeLogoUrl: '',
  access: 'proxy',
  url: '',
  user: '',
  // Required by the DataSourceSettings type, though deprecated.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  database: '',
  basicAuth: false,
  basicAuthUser: '',
  isDefault: false,
  withCredentials: false,
  readOnly: false,
  jsonData: {},
  secureJsonFields: {},
  secureJsonData: {},
};

function Host() {
  const [options, setOptions] = useState(initial);
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <main style={{ maxWidth: 960, padding: theme.spacing(3, 4) }}>
        <ConfigEditor
          options={options}
          onOptionsChange={(next) => {
            window.sapcpiOptions = next;
            setOptions(next);
          }}
        />
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Host />);
