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
