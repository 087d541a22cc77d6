import { screen } from '@testing-library/react';

import { renderEditor, giveElementsASize } from '../../test/editors';
import { ArtifactsEditor } from './ArtifactsEditor';

giveElementsASize();

describe('ArtifactsEditor format', () => {
  it('offers table, numeric and annotations', async () => {
    const { user, last, onRunQuery } = renderEditor(ArtifactsEditor, { refId: 'A', queryType: 'artifacts' });
    expect(screen.getByRole('radio', { name: 'Table' })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: 'Annotations' }));
    expect(last()).toEqual({ refId: 'A', queryType: 'artifacts', format: 'annotations' });
    expect(onRunQuery).toHaveBeenCalled();
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last().format).toBe('numeric');
  });

  it('shows a stored annotations format as chosen', () => {
    renderEditor(ArtifactsEditor, { refId: 'A', queryType: 'artifacts', format: 'annotations' as 'table' });
    expect(screen.getByRole('radio', { name: 'Annotations' })).toBeChecked();
  });
});

describe('ArtifactsEditor filters', () => {
  it('shows stored filters, runs a status choice at once and a name on blur; an emptied name is no filter', async () => {
    const { user, last, onRunQuery } = renderEditor(ArtifactsEditor, {
      refId: 'A',
      queryType: 'artifacts',
      artifactType: '$type',
      artifactName: 'order',
    });
    expect(screen.getByRole('combobox', { name: /Type/ })).toHaveValue('$type');
    expect(screen.getByRole('textbox', { name: /Name/ })).toHaveValue('order');

    await user.click(screen.getByRole('combobox', { name: /Status/ }));
    await user.click(await screen.findByRole('option', { name: 'ERROR' }));
    expect(last().artifactStatus).toBe('ERROR');
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    await user.clear(screen.getByRole('textbox', { name: /Name/ }));
    expect(last()).toEqual({ refId: 'A', queryType: 'artifacts', artifactType: '$type', artifactStatus: 'ERROR' });
    expect(last().artifactName).toBeUndefined();
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });
});
