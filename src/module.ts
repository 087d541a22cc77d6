import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { QueryEditorHelp } from './components/QueryEditorHelp';
import { DataSource } from './datasource';
import { CpiDataSourceOptions, CpiQuery, CpiSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<DataSource, CpiQuery, CpiDataSourceOptions, CpiSecureJsonData>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor)
  .setQueryEditorHelp(QueryEditorHelp);
