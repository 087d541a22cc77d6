import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, Stack } from '@grafana/ui';

import { DataSource } from '../datasource';
import { IMPLEMENTED_QUERY_TYPES, QUERY_EDITORS } from '../queries';
import { CpiDataSourceOptions, CpiQuery, DEFAULT_QUERY, QueryType } from '../types';
import { LABEL_WIDTH } from './common';

export type QueryEditorComponentProps = QueryEditorProps<DataSource, CpiQuery, CpiDataSourceOptions>;

const QUERY_TYPE_OPTIONS: Array<ComboboxOption<QueryType>> = IMPLEMENTED_QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: t.description,
}));

/**
 * Query editor: a picker over the query types the backend implements (src/queries) and that type's own
 * editor. Free-text options take template variables, which the data source interpolates before sending.
 */
export function QueryEditor(props: QueryEditorComponentProps) {
  const { query, onChange, onRunQuery } = props;
  const queryType = query.queryType ?? DEFAULT_QUERY.queryType;
  const TypeEditor = queryType ? QUERY_EDITORS[queryType] : undefined;

  return (
    <Stack direction="column" gap={0.5}>
      <InlineField label="Query type" labelWidth={LABEL_WIDTH} tooltip="What to ask the tenant for">
        <Combobox<QueryType>
          id="query-type"
          data-testid="query-type"
          width={40}
          options={QUERY_TYPE_OPTIONS}
          value={queryType}
          onChange={(o) => {
            onChange({ ...query, queryType: o.value });
            onRunQuery();
          }}
        />
      </InlineField>
      {TypeEditor && <TypeEditor {...props} query={{ ...query, queryType: queryType as QueryType }} />}
    </Stack>
  );
}
