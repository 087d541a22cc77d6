import React, { useCallback, useMemo, useRef, useState } from 'react';
import { getTemplateSrv } from '@grafana/runtime';
import { Combobox, ComboboxOption, MultiCombobox } from '@grafana/ui';

import type { DataSource } from '../datasource';
import type { VariableValue } from '../variables';

/** Group label of the dashboard variables in a picker's menu. */
export const VARIABLES_GROUP = 'Dashboard variables';

/**
 * `$name` of every dashboard variable, so a picker offers them next to the tenant's values. Outside a dashboard
 * (or in a test without a template service) there are none.
 */
export function dashboardVariableOptions(): Array<ComboboxOption<string>> {
  let names: string[] = [];
  try {
    names = getTemplateSrv()
      .getVariables()
      .map((v) => v.name);
  } catch {
    return [];
  }
  return names.map((name) => ({ value: `$${name}`, label: `$${name}`, group: VARIABLES_GROUP }));
}

interface CommonProps {
  /** Element id (the InlineField label points at it) and test id. */
  id: string;
  datasource: DataSource;
  /** Variable kind: GET variables/<kind>. */
  kind: string;
  /**
   * Narrowing passed as ?filter=…, one request per filter (e.g. one per chosen package, or the keystore of the
   * aliases); none = one request without a filter. Values are plain (template variables already expanded).
   */
  filters?: string[];
  /** Values always offered, before those of the tenant (e.g. the documented message statuses). */
  fixed?: string[];
  placeholder: string;
  /** Width in grid units (multi: fixed; the picker shows as many chosen values as fit, then a counter). */
  width: number;
}

interface SingleProps extends CommonProps {
  multi?: false;
  value: string | undefined;
  /** undefined when the picker is cleared. */
  onChange: (value: string | undefined) => void;
}

interface MultiProps extends CommonProps {
  multi: true;
  value: string[] | undefined;
  onChange: (values: string[]) => void;
}

/** Case-insensitive match of the typed text in the label or the value. */
function matches(option: ComboboxOption<string>, search: string): boolean {
  if (search === '') {
    return true;
  }
  const s = search.toLowerCase();
  return (option.label ?? '').toLowerCase().includes(s) || option.value.toLowerCase().includes(s);
}

/**
 * The values of one kind the tenant knows, loaded through the backend's variables/<kind> resource when the menu
 * first opens (once per filter set while the editor is open: the menu asks on every keystroke), with the labels
 * seen so far (a chosen iFlow shows its name rather than its id).
 */
function useTenantOptions({ datasource, kind, filters, fixed }: CommonProps) {
  const cache = useRef(new Map<string, Promise<Array<ComboboxOption<string>>>>());
  const [labels, setLabels] = useState<Record<string, string>>({});
  const filterKey = JSON.stringify(filters ?? []);

  const load = useCallback((): Promise<Array<ComboboxOption<string>>> => {
    let pending = cache.current.get(filterKey);
    if (!pending) {
      const list: Array<string | undefined> = filters && filters.length > 0 ? filters : [undefined];
      pending = Promise.all(
        list.map((filter) =>
          datasource.getResource<VariableValue[]>(`variables/${kind}`, filter === undefined ? {} : { filter })
        )
      ).then((answers) => {
        const seen = new Set<string>();
        const options: Array<ComboboxOption<string>> = [];
        const add = (v: string, text: string) => {
          if (v !== '' && !seen.has(v)) {
            seen.add(v);
            options.push(text && text !== v ? { value: v, label: text, description: v } : { value: v, label: v });
          }
        };
        (fixed ?? []).forEach((v) => add(v, v));
        answers.flat().forEach((a) => add(String(a?.value ?? ''), String(a?.text ?? '')));
        setLabels((old) => ({
          ...old,
          ...Object.fromEntries(options.filter((o) => o.label !== o.value).map((o) => [o.value, o.label ?? o.value])),
        }));
        return options;
      });
      // A failed look-up is not kept: the next opening asks again. The fixed values still show meanwhile.
      pending = pending.catch((err) => {
        cache.current.delete(filterKey);
        if (fixed && fixed.length > 0) {
          return fixed.map((v) => ({ value: v, label: v }));
        }
        throw err;
      });
      cache.current.set(filterKey, pending);
    }
    return pending;
    // filters is represented by filterKey
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasource, kind, filterKey, fixed]);

  const options = useCallback(
    async (search: string) => [...(await load()), ...dashboardVariableOptions()].filter((o) => matches(o, search)),
    [load]
  );
  return { options, labels };
}

/**
 * A picker of values the tenant knows (iFlows, packages, statuses, senders, receivers, certificate aliases), plus
 * the dashboard's variables; any typed value (e.g. `${iflow}` or a value not yet seen) is accepted. `multi`
 * chooses several values (a list option), otherwise one that can be cleared.
 */
export function TenantValuePicker(props: SingleProps | MultiProps) {
  const { id, placeholder, width } = props;
  const { options, labels } = useTenantOptions(props);
  const multiValue = props.multi ? props.value : undefined;
  const selected = useMemo(
    () => (multiValue ?? []).map((v) => ({ value: v, label: labels[v] ?? v })),
    [multiValue, labels]
  );

  if (props.multi) {
    const onChange = props.onChange;
    return (
      <MultiCombobox<string>
        id={id}
        data-testid={id}
        // No "clear all" button: its room is better used for one more chosen value (each has its own ×).
        // A fixed width given as min = max of an 'auto' width: with a numeric width, MultiCombobox (Grafana 13.1)
        // compares its grid units with pixel sizes and shows a single value; 'auto' measures the real box, and an
        // unbounded 'auto' never grows with the chosen values (it measures before growing).
        width="auto"
        minWidth={width}
        maxWidth={width}
        placeholder={placeholder}
        createCustomValue
        customValueDescription="Use this value or variable"
        options={options}
        value={selected}
        onChange={(list) => onChange(list.map((o) => o.value))}
      />
    );
  }
  const { value, onChange } = props;
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
