import { screen } from '@testing-library/react';

import { QueryEditor } from '../components/QueryEditor';
import { renderEditor } from '../components/messages/testing';
import { giveElementsASize } from '../test/editors';
import { noDashboard } from '../test/templateSrv';
import { IMPLEMENTED_QUERY_TYPES, INTERPOLATED_OPTIONS, QUERY_EDITORS, VARIABLE_KINDS } from './index';
import { messagesFamily } from './messages';

giveElementsASize();
beforeEach(() => noDashboard());

const TYPES = ['messages', 'messageCounts', 'messageDurations', 'errorGroups', 'stuckMessages'] as const;

describe('messages family', () => {
  it('registers the five message query types with an editor each', () => {
    expect(messagesFamily.queryTypes.map((t) => [t.value, t.label])).toEqual([
      ['messages', 'Messages'],
      ['messageCounts', 'Message counts'],
      ['messageDurations', 'Processing times'],
      ['errorGroups', 'Error groups'],
      ['stuckMessages', 'Stuck messages'],
    ]);
    for (const t of TYPES) {
      expect(IMPLEMENTED_QUERY_TYPES.map((i) => i.value)).toContain(t);
      expect(QUERY_EDITORS[t]).toBe(messagesFamily.editors[t]);
      expect(QUERY_EDITORS[t]).toBeDefined();
    }
    for (const t of messagesFamily.queryTypes) {
      expect(t.description.length).toBeGreaterThan(20);
    }
  });

  it('interpolates every filter, lists and free text alike', () => {
    expect([...messagesFamily.interpolated].sort()).toEqual(
      [
        'iflows',
        'packages',
        'statuses',
        'senders',
        'receivers',
        'messageId',
        'correlationId',
        'applicationMessageId',
        'applicationMessageType',
        'customStatus',
        'customHeaderName',
        'customHeaderValue',
      ].sort()
    );
    for (const key of messagesFamily.interpolated) {
      expect(INTERPOLATED_OPTIONS).toContain(key);
    }
  });

  it('offers the five variable kinds of the backend', () => {
    const kinds = messagesFamily.variableKinds.map((k) => k.value);
    expect(kinds).toEqual(['iflows', 'packages', 'statuses', 'senders', 'receivers']);
    for (const k of kinds) {
      expect(VARIABLE_KINDS.map((v) => v.value)).toContain(k);
    }
  });

  it('lets the query editor offer the five types and switch to one with other options', async () => {
    const { user, last } = renderEditor(QueryEditor, { refId: 'A', queryType: 'messages' });
    const typePicker = screen.getByRole('combobox', { name: /Query type/ });
    expect(typePicker).toHaveValue('Messages');
    expect(screen.getByRole('spinbutton', { name: /Max rows/ })).toBeInTheDocument();

    await user.click(typePicker);
    const offered = (await screen.findAllByRole('option')).map((o) => o.textContent ?? '');
    for (const label of ['Messages', 'Message counts', 'Processing times', 'Error groups', 'Stuck messages']) {
      expect(offered.some((o) => o.startsWith(label))).toBe(true);
    }
    await user.click(screen.getByRole('option', { name: /^Stuck messages/ }));
    expect(await screen.findByRole('spinbutton', { name: /Stuck for/ })).toBeInTheDocument();
    expect(screen.queryByRole('spinbutton', { name: /Max rows/ })).not.toBeInTheDocument();
    expect(last()).toEqual({ refId: 'A', queryType: 'stuckMessages', format: 'table' });
  });

  it('keeps a format the new type accepts and gives the new type its defaults', async () => {
    const { user, last } = renderEditor(QueryEditor, { refId: 'A', queryType: 'stuckMessages', format: 'table' });
    await user.click(screen.getByRole('combobox', { name: /Query type/ }));
    await user.click(await screen.findByRole('option', { name: /^Message counts/ }));
    expect(await screen.findByRole('combobox', { name: /Group by/ })).toHaveValue('Status');
    // The new type starts from its own defaults; nothing of stuck messages is kept.
    expect(last()).toEqual({
      refId: 'A',
      queryType: 'messageCounts',
      format: 'timeseries',
      groupBy: 'status',
    });
  });
});
