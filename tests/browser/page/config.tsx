/* The `?view=config` page: the REAL ConfigEditor, starting from empty settings. */
import React, { useState } from 'react';

import { ConfigEditor } from '../../../src/components/ConfigEditor';
import { CpiSettings } from '../../../src/components/config/options';

declare global {
  interface Window {
    /** The last options object the editor reported, for the test to inspect (what Grafana would save). */
    sapcpiOptions?: CpiSettings;
  }
}

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

export function ConfigView() {
  const [options, setOptions] = useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(next) => {
        window.sapcpiOptions = next;
        setOptions(next);
      }}
    />
  );
}
