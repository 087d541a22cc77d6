import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { IMPLEMENTED_QUERY_TYPES } from '../queries';
import type { CpiQuery } from '../types';
import { QueryEditorHelp } from './QueryEditorHelp';

describe('QueryEditorHelp', () => {
  it('shows an example per query type and puts the clicked one into the editor', async () => {
    const user = userEvent.setup({ delay: null });
    const onClickExample = jest.fn<void, [CpiQuery]>();
    render(
      <QueryEditorHelp
        datasource={{} as never}
        query={{ refId: 'B', queryType: 'artifacts' }}
        onClickExample={onClickExample}
      />
    );
    for (const t of IMPLEMENTED_QUERY_TYPES) {
      expect(screen.getByTestId(`help-${t.value}`)).toHaveTextContent(t.label);
    }
    expect(screen.getAllByRole('button', { name: /^Use: / })).toHaveLength(13);

    await user.click(screen.getByRole('button', { name: /^Use: JMS broker capacity/ }));
    expect(onClickExample).toHaveBeenCalledWith({
      refId: 'B',
      queryType: 'jms',
      jmsMetric: 'capacity',
      format: 'numeric',
    });
    await user.click(screen.getByRole('button', { name: /^Use: Failed messages of the range as log lines/ }));
    expect(onClickExample).toHaveBeenLastCalledWith({
      refId: 'B',
      queryType: 'messages',
      statuses: ['FAILED'],
      format: 'logs',
    });
    expect(screen.getByTestId('help-messages')).toHaveTextContent('Messages · statuses: FAILED · format: logs');
  });
});
