import { CoreApp } from '@grafana/data';
import { screen } from '@testing-library/react';

import { noDashboard } from '../../test/templateSrv';
import { giveElementsASize, savedQuery } from '../../test/editors';
import type {
  ErrorGroupsQuery,
  MessageCountsQuery,
  MessageDurationsQuery,
  MessagesQuery,
  StuckMessagesQuery,
} from '../../types';
import { ErrorGroupsEditor } from './ErrorGroupsEditor';
import { MessageCountsEditor } from './MessageCountsEditor';
import { MessageDurationsEditor } from './MessageDurationsEditor';
import { MessagesEditor } from './MessagesEditor';
import { StuckMessagesEditor } from './StuckMessagesEditor';
import { picker, renderEditor } from './testing';

giveElementsASize();
beforeEach(() => noDashboard());

/** The labels of the radio choices shown, in order. */
function radioChoices(): string[] {
  return screen.getAllByRole('radio').map((r) => r.parentElement?.textContent?.trim() ?? '');
}

function checkedFormat(): string | undefined {
  return screen
    .getAllByRole('radio')
    .find((r) => (r as HTMLInputElement).checked)
    ?.parentElement?.textContent?.trim();
}

describe('MessagesEditor', () => {
  const base: MessagesQuery = { refId: 'A', queryType: 'messages' };

  it('writes the table format of a panel into a new query and shows the defaults', () => {
    const { last, onRunQuery } = renderEditor(MessagesEditor, base);
    expect(last()).toEqual({ ...base, format: 'table' });
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(screen.getByRole('spinbutton', { name: /Max rows/ })).toHaveAttribute('placeholder', '10000');
    expect(screen.getByRole('switch', { name: /Error text/ })).toBeChecked();
    expect(checkedFormat()).toBe('Table');
  });

  it('defaults to logs in Explore', () => {
    const { last } = renderEditor(MessagesEditor, base, { app: CoreApp.Explore });
    expect(last()).toEqual({ ...base, format: 'logs' });
    expect(checkedFormat()).toBe('Logs');
  });

  it('keeps a chosen table format in Explore and does not touch a valid query', () => {
    const { onChange } = renderEditor(MessagesEditor, { ...base, format: 'table' }, { app: CoreApp.Explore });
    expect(onChange).not.toHaveBeenCalled();
    expect(checkedFormat()).toBe('Table');
  });

  it('replaces a format the messages query does not have (left from another type)', () => {
    const { last } = renderEditor(MessagesEditor, savedQuery(base, { format: 'timeseries' }));
    expect(last().format).toBe('table');
  });

  it('sets the row cap when the field is left, refuses an invalid one and clears back to the default', async () => {
    const { user, last, onRunQuery, onChange } = renderEditor(MessagesEditor, { ...base, format: 'table' });
    const field = screen.getByRole('spinbutton', { name: /Max rows/ });
    await user.click(field);
    await user.paste('500');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(last()).toEqual({ ...base, format: 'table', maxRows: 500 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);

    await user.clear(field);
    await user.paste('0');
    await user.keyboard('{Enter}');
    expect(screen.getByText('A whole number from 1 to 1000000')).toBeInTheDocument();
    await user.tab();
    expect(last().maxRows).toBe(500);

    await user.clear(field);
    await user.tab();
    expect(last().maxRows).toBeUndefined();
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('turns the error text off', async () => {
    const { user, last } = renderEditor(MessagesEditor, { ...base, format: 'table' });
    await user.click(screen.getByRole('switch', { name: /Error text/ }));
    expect(last().withErrorText).toBe(false);
  });

  it('switches to logs', async () => {
    const { user, last } = renderEditor(MessagesEditor, { ...base, format: 'table', maxRows: 200 });
    expect(radioChoices()).toEqual(['Table', 'Logs']);
    await user.click(screen.getByRole('radio', { name: 'Logs' }));
    expect(last()).toEqual({ ...base, format: 'logs', maxRows: 200 });
  });
});

describe('MessageCountsEditor', () => {
  const base: MessageCountsQuery = { refId: 'A', queryType: 'messageCounts' };

  it('writes the defaults: by status, as time series', () => {
    const { last } = renderEditor(MessageCountsEditor, base);
    expect(last()).toEqual({ ...base, format: 'timeseries', groupBy: 'status' });
    expect(picker(/Group by/)).toHaveValue('Status');
    expect(checkedFormat()).toBe('Time series');
  });

  it('offers every grouping and stores the chosen one', async () => {
    const { user, last, onRunQuery } = renderEditor(MessageCountsEditor, {
      ...base,
      groupBy: 'status',
      format: 'numeric',
    });
    await user.click(picker(/Group by/));
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringMatching(/^Status/),
      expect.stringMatching(/^iFlow/),
      expect.stringMatching(/^Package/),
      expect.stringMatching(/^Sender/),
      expect.stringMatching(/^Receiver/),
      expect.stringMatching(/^iFlow × status/),
    ]);
    await user.click(screen.getByRole('option', { name: /iFlow × status/ }));
    expect(last()).toEqual({ ...base, groupBy: 'iflowStatus', format: 'numeric' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('offers time series, numeric and table', async () => {
    const { user, last } = renderEditor(MessageCountsEditor, { ...base, groupBy: 'iflow', format: 'timeseries' });
    expect(radioChoices()).toEqual(['Time series', 'Numeric', 'Table']);
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last().format).toBe('numeric');
    await user.click(screen.getByRole('radio', { name: 'Table' }));
    expect(last().format).toBe('table');
  });

  it('replaces options left from another query type', () => {
    const { last } = renderEditor(
      MessageCountsEditor,
      savedQuery({ ...base, statuses: ['FAILED'] }, { groupBy: 'none', format: 'logs' })
    );
    expect(last()).toEqual({ ...base, groupBy: 'status', format: 'timeseries', statuses: ['FAILED'] });
  });
});

describe('MessageDurationsEditor', () => {
  const base: MessageDurationsQuery = { refId: 'A', queryType: 'messageDurations' };

  it('writes the defaults: per iFlow, as time series', () => {
    const { last } = renderEditor(MessageDurationsEditor, base);
    expect(last()).toEqual({ ...base, format: 'timeseries', groupBy: 'iflow' });
  });

  it('groups over all messages and shows a table', async () => {
    const { user, last } = renderEditor(MessageDurationsEditor, { ...base, format: 'timeseries', groupBy: 'iflow' });
    await user.click(screen.getByRole('radio', { name: 'All messages' }));
    expect(last().groupBy).toBe('none');
    await user.click(screen.getByRole('radio', { name: 'Table' }));
    expect(last()).toEqual({ ...base, format: 'table', groupBy: 'none' });
    expect(screen.queryByRole('radio', { name: 'Numeric' })).not.toBeInTheDocument();
  });

  it('replaces a grouping by status (from message counts) with per iFlow', () => {
    const { last } = renderEditor(MessageDurationsEditor, savedQuery(base, { format: 'numeric', groupBy: 'status' }));
    expect(last()).toEqual({ ...base, format: 'timeseries', groupBy: 'iflow' });
  });
});

describe('ErrorGroupsEditor', () => {
  const base: ErrorGroupsQuery = { refId: 'A', queryType: 'errorGroups' };

  it('writes the table format and leaves retries out by default', () => {
    const { last } = renderEditor(ErrorGroupsEditor, base);
    expect(last()).toEqual({ ...base, format: 'table' });
    expect(screen.getByRole('switch', { name: /Retries too/ })).not.toBeChecked();
  });

  it('includes RETRY and ESCALATED and gives numbers for alerts', async () => {
    const { user, last, onRunQuery } = renderEditor(ErrorGroupsEditor, {
      ...base,
      format: 'table',
      iflows: ['$iflow'],
    });
    await user.click(screen.getByRole('switch', { name: /Retries too/ }));
    expect(last().includeRetry).toBe(true);
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last()).toEqual({ ...base, format: 'numeric', includeRetry: true, iflows: ['$iflow'] });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('offers failure bursts as annotations', async () => {
    const { user, last } = renderEditor(ErrorGroupsEditor, { ...base, format: 'table' });
    await user.click(screen.getByRole('radio', { name: 'Annotations' }));
    expect(last()).toEqual({ ...base, format: 'annotations' });
  });
});

describe('StuckMessagesEditor', () => {
  const base: StuckMessagesQuery = { refId: 'A', queryType: 'stuckMessages' };

  it('writes the table format; 60 minutes is the default threshold', () => {
    const { last } = renderEditor(StuckMessagesEditor, base);
    expect(last()).toEqual({ ...base, format: 'table' });
    expect(screen.getByRole('spinbutton', { name: /Stuck for/ })).toHaveAttribute('placeholder', '60');
  });

  it('sets the threshold and the numeric format', async () => {
    const { user, last } = renderEditor(StuckMessagesEditor, { ...base, format: 'table' });
    await user.click(screen.getByRole('spinbutton', { name: /Stuck for/ }));
    await user.paste('15');
    await user.keyboard('{Enter}');
    expect(last().stuckMinutes).toBe(15);
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last()).toEqual({ ...base, format: 'numeric', stuckMinutes: 15 });
  });

  it('shows a stored threshold and refuses one beyond the retention', async () => {
    const { user, onChange } = renderEditor(StuckMessagesEditor, { ...base, format: 'table', stuckMinutes: 240 });
    const field = screen.getByRole('spinbutton', { name: /Stuck for/ });
    expect(field).toHaveValue(240);
    await user.clear(field);
    await user.paste('50000');
    await user.tab();
    expect(screen.getByText('A whole number from 1 to 43200')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
  });
});
