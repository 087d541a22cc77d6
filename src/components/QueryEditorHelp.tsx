import React from 'react';
import { QueryEditorHelpProps } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';

import { IMPLEMENTED_QUERY_TYPES } from '../queries';
import { queryDisplayText } from '../queries/display';
import { QUERY_EXAMPLES } from '../queries/examples';
import type { CpiQuery } from '../types';

/**
 * The query help (cheat sheet) of Explore and the query editor: one example per query type, each a complete query;
 * "Use" puts it into the editor (keeping the query's refId).
 */
export function QueryEditorHelp({ query, onClickExample }: QueryEditorHelpProps<CpiQuery>) {
  return (
    <Stack direction="column" gap={1}>
      <Text element="h3">SAP Cloud Integration cheat sheet</Text>
      <Text color="secondary">
        Every query reads the time range of the panel or of Explore. Lists such as iFlows and statuses take several
        values and $variables. Numeric and time series formats carry labels, which alert rules need.
      </Text>
      {IMPLEMENTED_QUERY_TYPES.map((t) => {
        const example = QUERY_EXAMPLES[t.value];
        const full = { ...example.query, refId: query?.refId ?? 'A' } as CpiQuery;
        return (
          <div key={t.value} data-testid={`help-${t.value}`}>
            <Text element="h5">{t.label}</Text>
            <Text element="p" color="secondary">
              {t.description}
            </Text>
            <Stack direction="row" alignItems="center" gap={1}>
              <Button
                size="sm"
                variant="secondary"
                aria-label={`Use: ${example.title}`}
                onClick={() => onClickExample(full)}
              >
                Use
              </Button>
              <Text>{example.title}</Text>
            </Stack>
            <Text variant="bodySmall" color="secondary">
              <code>{queryDisplayText(full)}</code>
            </Text>
          </div>
        );
      })}
    </Stack>
  );
}
