import { screen } from '@testing-library/react';

import { IMPLEMENTED_QUERY_TYPES } from '../queries';
import { renderEditor, giveElementsASize } from '../test/editors';
import { CpiQuery } from '../types';
import { QueryEditor } from './QueryEditor';

// The menu is tall enough for every query type (13 rows of 32 px), so the virtualiser renders them all.
giveElementsASize({ clientHeight: 1000 });

// The editor does not call the data source: the default one answers nothing.
const setup = (initial: CpiQuery) => renderEditor(QueryEditor, initial);

describe('QueryEditor', () => {
  it('offers exactly the implemented query types', async () => {
    const { user } = setup({ refId: 'A', queryType: 'artifacts' });
    const picker = screen.getByRole('combobox', { name: /Query type/ });
    expect(picker).toHaveValue('Deployed artifacts');
    await user.click(picker);
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(
      IMPLEMENTED_QUERY_TYPES.map((t) => expect.stringContaining(t.label))
    );
  });

  it('picks an artifact status from the list', async () => {
    const { user, last, onRunQuery } = setup({ refId: 'A', queryType: 'artifacts' });
    await user.click(screen.getByRole('combobox', { name: /Status/ }));
    await user.click(await screen.findByRole('option', { name: /^ERROR/ }));
    expect(last()).toEqual({ refId: 'A', queryType: 'artifacts', artifactStatus: 'ERROR' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows a stored custom artifact type', () => {
    setup({ refId: 'A', queryType: 'artifacts', artifactType: '$artifact_type' });
    expect(screen.getByRole('combobox', { name: /Type/ })).toHaveValue('$artifact_type');
  });

  it('accepts a custom artifact type (e.g. a template variable)', async () => {
    const { user, last } = setup({ refId: 'A', queryType: 'artifacts' });
    await user.click(screen.getByRole('combobox', { name: /Type/ }));
    await user.keyboard('$artifact_type');
    await user.click(await screen.findByRole('option', { name: /\$artifact_type.*Use custom value/ }));
    expect(last()).toEqual({ refId: 'A', queryType: 'artifacts', artifactType: '$artifact_type' });
  });

  it('clears the artifact status back to any', async () => {
    const { user, last } = setup({ refId: 'A', queryType: 'artifacts', artifactStatus: 'ERROR' });
    await user.click(screen.getByRole('combobox', { name: /Status/ }));
    await user.click(await screen.findByRole('option', { name: /^Any status/ }));
    expect(last()).toEqual({ refId: 'A', queryType: 'artifacts', artifactStatus: undefined });
  });

  it('sets the name filter and runs the query on blur', async () => {
    const { user, last, onRunQuery } = setup({ refId: 'A', queryType: 'artifacts' });
    await user.click(screen.getByRole('textbox', { name: /Name/ }));
    await user.paste('Order');
    expect(last()).toMatchObject({ artifactName: 'Order' });
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('switches the format to numeric', async () => {
    const { user, last } = setup({ refId: 'A', queryType: 'artifacts', format: 'table' });
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last().format).toBe('numeric');
  });

  it('keeps only the shared keys when the type changes: a jms query becomes message counts without jmsMetric', async () => {
    const datasource = { type: 'seed-sapcpi-datasource', uid: 'prd' };
    const { user, last, onRunQuery } = setup({
      refId: 'B',
      datasource,
      hide: false,
      queryType: 'jms',
      format: 'numeric',
      jmsMetric: 'capacity',
    });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    await user.click(await screen.findByRole('option', { name: /^Message counts/ }));
    expect(await screen.findByRole('combobox', { name: /Group by/ })).toHaveValue('Status');
    expect(last()).toEqual({
      refId: 'B',
      datasource,
      hide: false,
      queryType: 'messageCounts',
      format: 'timeseries',
      groupBy: 'status',
    });
    expect(onRunQuery).toHaveBeenCalled();
  });
});
