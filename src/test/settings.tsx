import React, { useState } from 'react';

import { ConfigEditor } from '../components/ConfigEditor';
import { CpiSettings } from '../components/config/options';
import { CpiDataSourceOptions } from '../types';

/** A data source settings object as Grafana hands it to the config editor. */
export function makeSettings(
  jsonData: CpiDataSourceOptions = {},
  secureJsonFields: Record<string, boolean> = {}
): CpiSettings {
  return {
    id: 1,
    uid: 'sapcpi-test',
    orgId: 1,
    name: 'SAP CPI',
    type: 'seed-sapcpi-datasource',
    typeName: 'SAP Cloud Integration',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    // Still a required member of DataSourceSettings in @grafana/data 13.1, though deprecated.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData,
    secureJsonFields,
    secureJsonData: {},
  };
}

/**
 * Hosts the (controlled) ConfigEditor the way Grafana does: keeps the options in state and reports every
 * change, so a test can look at both the screen and the last options object.
 */
export function StatefulConfigEditor({
  initial,
  onChange,
}: {
  initial: CpiSettings;
  onChange?: (options: CpiSettings) => void;
}) {
  const [options, setOptions] = useState(initial);
  return (
    <ConfigEditor
      options={options}
      onOptionsChange={(next) => {
        setOptions(next);
        onChange?.(next);
      }}
    />
  );
}
