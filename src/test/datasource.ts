/*
 * The real DataSource over minimal instance settings (only tests import this file).
 */
import type { DataSourceInstanceSettings } from '@grafana/data';

import { DataSource } from '../datasource';
import type { CpiDataSourceOptions } from '../types';

/** A DataSource as Grafana creates it for a proxied instance of this plugin with `jsonData`. */
export function makeDataSource(jsonData: CpiDataSourceOptions = {}): DataSource {
  return new DataSource({
    id: 1,
    uid: 'sapcpi',
    type: 'seed-sapcpi-datasource',
    name: 'SAP CPI',
    access: 'proxy',
    jsonData,
    meta: {},
    readOnly: false,
  } as unknown as DataSourceInstanceSettings<CpiDataSourceOptions>);
}
