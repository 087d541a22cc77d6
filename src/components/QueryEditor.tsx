import React, { ComponentType } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, Stack } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { IMPLEMENTED_QUERY_TYPES, QUERY_EDITORS } from '../queries';
import { defaultQueryType, switchQueryType } from '../queries/model';
import type { CpiDataSourceOptions, CpiQuery, QueryType } from '../types';
import { LABEL_WIDTH } from './common';

export type QueryEditorComponentProps = QueryEditorProps<DataSource, CpiQuery, CpiDataSourceOptions>;

/** Props of the editor of one query type (or of a group of types): its query is of that type. */
export type EditorProps<Q extends CpiQuery> = Omit<QueryEditorComponentProps, 'query'> & { query: Q };

const QUERY_TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = IMPLEMENTED_QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: t.description,
}));

/**
 * Query editor: a picker over the query types the backend implements (src/queries) and that type's own
 * editor. Free-text options take template variables, which the data source interpolates before sending.
 * Changing the type keeps only what every query shares and gives the new type its defaults.
 */
export function QueryEditor(props: QueryEditorComponentProps) {
  const { query, onChange, onRunQuery, app } = props;
  // A query without a type (e.g. from an older version) is shown as the default type.
  const shown = query.queryType ? query : switchQueryType(query, defaultQueryType(app), app);
  // QUERY_EDITORS maps each type to the editor of that type's query.
  const TypeEditor = QUERY_EDITORS[shown.queryType] as ComponentType<EditorProps<CpiQuery>> | undefined;

  return (
    <Stack direction="column" gap={0.5}>
      <InlineField label="Query type" labelWidth={LABEL_WIDTH} tooltip="What to ask the tenant for">
        <Combobox<QueryType>
          id="query-type"
          data-testid="query-type"
          width={40}
          options={QUERY_TYPE_OPTIONS}
          value={shown.queryType}
          onChange={(o) => {
            if (o.value !== query.queryType) {
              onChange(switchQueryType(query, o.value, app));
              onRunQuery();
            }
          }}
        />
      </InlineField>
      {TypeEditor && <TypeEditor {...props} query={shown} />}
    </Stack>
  );
}
