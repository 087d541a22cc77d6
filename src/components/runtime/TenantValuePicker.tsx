import React, { useCallback, useRef, useState } from 'react';
import { getTemplateSrv } from '@grafana/runtime';
import { Combobox, ComboboxOption } from '@grafana/ui';

import type { DataSource } from '../../datasource';
import type { VariableValue } from '../../variables';

/** `$name` of every dashboard variable; none outside a dashboard (getTemplateSrv throws there). */
export function variableOptions(): Array<ComboboxOption<string>> {
  try {
    return getTemplateSrv()
      .getVariables()
      .map((v) => ({ value: `$${v.name}`, label: `$${v.name}`, group: 'Dashboard variables' }));
  } catch {
    return [];
  }
}

interface Props {
  /** Element id (the InlineField label points at it) and test id. */
  id: string;
  datasource: DataSource;
  /** Variable kind: GET variables/<kind>. */
  kind: string;
  /** Optional ?filter=… of the look-up (e.g. the keystore of the aliases). */
  filter?: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  placeholder: string;
  width: number;
}

/**
 * One value the tenant knows (a package, a certificate alias), loaded through variables/<kind> when the menu
 * opens, plus the dashboard's variables; any typed value is accepted, and the picker can be cleared.
 */
export function TenantValuePicker({ id, datasource, kind, filter, value, onChange, placeholder, width }: Props) {
  // One look-up per filter while the editor is open: the menu asks again on every keystroke.
  const cache = useRef(new Map<string, Promise<Array<ComboboxOption<string>>>>());
  // Names of the values seen, so a chosen package shows its name rather than its id.
  const [labels, setLabels] = useState<Record<string, string>>({});
  const options = useCallback(
    async (search: string) => {
      const key = filter ?? '';
      let pending = cache.current.get(key);
      if (!pending) {
        pending = datasource
          .getResource<VariableValue[]>(`variables/${kind}`, filter ? { filter } : {})
          .then((values) => {
            const named = values.filter((v) => v.text && v.text !== v.value);
            setLabels((old) => ({ ...old, ...Object.fromEntries(named.map((v) => [v.value, v.text])) }));
            return values.map((v) =>
              v.text && v.text !== v.value
                ? { value: v.value, label: v.text, description: v.value }
                : { value: v.value, label: v.value }
            );
          })
          .catch((err) => {
            cache.current.delete(key); // ask again next time
            throw err;
          });
        cache.current.set(key, pending);
      }
      const s = search.toLowerCase();
      return [...(await pending), ...variableOptions()].filter(
        (o) => s === '' || (o.label ?? '').toLowerCase().includes(s) || o.value.toLowerCase().includes(s)
      );
    },
    [datasource, kind, filter]
  );
  return (
    <Combobox<string>
      id={id}
      data-testid={id}
      width={width}
      placeholder={placeholder}
      createCustomValue
      customValueDescription="Use this value or variable"
      isClearable
      options={options}
      value={value ? { value, label: labels[value] ?? value } : null}
      onChange={(o) => onChange(o?.value || undefined)}
    />
  );
}
