import { screen, waitFor } from '@testing-library/react';

import { IMPLEMENTED_QUERY_TYPES, INTERPOLATED_OPTIONS, QUERY_EDITORS, VARIABLE_KINDS } from '../../queries';
import { editorRenderer, fakeDataSource, giveElementsASize, savedQuery } from '../../test/editors';
import { AuditLogsEditor } from './AuditLogsEditor';
import { LogFilesEditor, resourceErrorText } from './LogFilesEditor';

giveElementsASize();

const NEO_FILES: Record<string, unknown> = {
  'variables/logFiles': [
    { text: 'http_access_d5c7663_2026-11-21.log', value: 'http_access_d5c7663_2026-11-21.log' },
    { text: 'ljs_trace_d5c7663_2026-11-21.log', value: 'ljs_trace_d5c7663_2026-11-21.log' },
  ],
  'variables/logFiles?filter=http': [
    { text: 'http_access_d5c7663_2026-11-21.log', value: 'http_access_d5c7663_2026-11-21.log' },
  ],
  'variables/logFiles?filter=trace': [
    { text: 'ljs_trace_d5c7663_2026-11-21.log', value: 'ljs_trace_d5c7663_2026-11-21.log' },
  ],
};

/** The shared renderEditor, with a data source answering NEO_FILES unless one is given. */
const setup = editorRenderer(NEO_FILES);

describe('logs family', () => {
  it('registers both query types, their editors, interpolated options and the logFiles variable kind', () => {
    const types = IMPLEMENTED_QUERY_TYPES.map((t) => t.value);
    expect(types).toEqual(expect.arrayContaining(['auditLogs', 'logFiles']));
    expect(QUERY_EDITORS.auditLogs).toBe(AuditLogsEditor);
    expect(QUERY_EDITORS.logFiles).toBe(LogFilesEditor);
    expect(INTERPOLATED_OPTIONS).toEqual(expect.arrayContaining(['category', 'userContains', 'fileName']));
    expect(VARIABLE_KINDS.map((k) => k.value)).toContain('logFiles');
  });
});

describe('AuditLogsEditor', () => {
  it('shows a stored query: custom category, user, CPI filter on by default, table', () => {
    setup(AuditLogsEditor, { refId: 'A', queryType: 'auditLogs', category: '$category', userContains: 'anna' });
    expect(screen.getByRole('combobox', { name: /Category/ })).toHaveValue('$category');
    expect(screen.getByLabelText(/User/)).toHaveValue('anna');
    expect(screen.getByRole('switch', { name: /Cloud Integration only/ })).toBeChecked();
    expect(screen.getByRole('radio', { name: 'Table' })).toBeChecked();
  });

  it('picks a category from the list and runs the query', async () => {
    const { user, last, onRunQuery } = setup(AuditLogsEditor, { refId: 'A', queryType: 'auditLogs' });
    await user.click(screen.getByRole('combobox', { name: /Category/ }));
    await user.click(await screen.findByRole('option', { name: /^Configuration/ }));
    expect(last()).toEqual({ refId: 'A', queryType: 'auditLogs', category: 'audit.configuration' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    // Back to any category removes the option.
    await user.click(screen.getByRole('combobox', { name: /Category/ }));
    await user.click(await screen.findByRole('option', { name: /^Any category/ }));
    expect(last().category).toBeUndefined();
  });

  it('runs the user filter on blur, not on every key', async () => {
    const { user, last, onRunQuery } = setup(AuditLogsEditor, { refId: 'A', queryType: 'auditLogs' });
    await user.type(screen.getByLabelText(/User/), 'li.wei');
    expect(last().userContains).toBe('li.wei');
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await user.clear(screen.getByLabelText(/User/));
    expect(last().userContains).toBeUndefined();
  });

  it('turns the Cloud Integration filter off and on', async () => {
    const { user, last } = setup(AuditLogsEditor, { refId: 'A', queryType: 'auditLogs' });
    await user.click(screen.getByRole('switch', { name: /Cloud Integration only/ }));
    expect(last().cpiOnly).toBe(false);
    await user.click(screen.getByRole('switch', { name: /Cloud Integration only/ }));
    expect(last().cpiOnly).toBe(true);
  });

  it('switches to the logs format', async () => {
    const { user, last, onRunQuery } = setup(AuditLogsEditor, { refId: 'A', queryType: 'auditLogs', format: 'table' });
    await user.click(screen.getByRole('radio', { name: 'Logs' }));
    expect(last()).toEqual({ refId: 'A', queryType: 'auditLogs', format: 'logs' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('replaces a format left over from another query type by table, without running', async () => {
    const { last, onRunQuery } = setup(
      AuditLogsEditor,
      savedQuery({ refId: 'A', queryType: 'auditLogs' }, { format: 'timeseries' })
    );
    await waitFor(() => expect(last().format).toBe('table'));
    expect(onRunQuery).not.toHaveBeenCalled();
  });
});

describe('LogFilesEditor', () => {
  it('lists the tenant files of the chosen type and picks one', async () => {
    const { datasource, getResource } = fakeDataSource(NEO_FILES);
    const { user, last, onRunQuery } = setup(
      LogFilesEditor,
      { refId: 'A', queryType: 'logFiles', logFileType: 'http' },
      { datasource }
    );
    expect(getResource).toHaveBeenCalledWith('variables/logFiles', { filter: 'http' });
    expect(screen.getByRole('combobox', { name: /File/ })).toHaveValue('List the files');
    await user.click(screen.getByRole('combobox', { name: /File/ }));
    const options = (await screen.findAllByRole('option')).map((o) => o.textContent);
    expect(options).toEqual([expect.stringContaining('List the files'), 'http_access_d5c7663_2026-11-21.log']);
    await user.click(screen.getByRole('option', { name: 'http_access_d5c7663_2026-11-21.log' }));
    expect(last()).toEqual({
      refId: 'A',
      queryType: 'logFiles',
      logFileType: 'http',
      fileName: 'http_access_d5c7663_2026-11-21.log',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('query-logfile-error')).not.toBeInTheDocument();
  });

  it('reloads the files when the type changes; Any lists both kinds', async () => {
    const { datasource, getResource } = fakeDataSource(NEO_FILES);
    const { user, last } = setup(LogFilesEditor, { refId: 'A', queryType: 'logFiles' }, { datasource });
    expect(getResource).toHaveBeenLastCalledWith('variables/logFiles', undefined);
    expect(screen.getByRole('radio', { name: 'Any' })).toBeChecked();
    await user.click(screen.getByRole('radio', { name: 'Trace' }));
    expect(last().logFileType).toBe('trace');
    await waitFor(() => expect(getResource).toHaveBeenLastCalledWith('variables/logFiles', { filter: 'trace' }));
    await user.click(screen.getByRole('radio', { name: 'Any' }));
    expect(last().logFileType).toBeUndefined();
  });

  it('shows why log files are not available (Cloud Foundry)', async () => {
    const neoOnly = 'Log files are available only for Cloud Integration tenants in the Neo environment';
    const { datasource } = fakeDataSource({}, { reject: { status: 502, data: { error: neoOnly } } });
    setup(LogFilesEditor, { refId: 'A', queryType: 'logFiles' }, { datasource });
    expect(await screen.findByTestId('query-logfile-error')).toHaveTextContent(neoOnly);
  });

  it('keeps a stored file name that is not (or no longer) in the list, and the logs format', async () => {
    setup(LogFilesEditor, { refId: 'A', queryType: 'logFiles', fileName: '$file', format: 'logs' });
    expect(screen.getByRole('combobox', { name: /File/ })).toHaveValue('$file');
    expect(screen.getByRole('radio', { name: 'Logs' })).toBeChecked();
    await waitFor(() => expect(screen.queryByTestId('query-logfile-error')).not.toBeInTheDocument());
  });
});

describe('resourceErrorText', () => {
  it.each([
    [{ data: { error: 'backend says' } }, 'backend says'],
    [{ data: { message: 'grafana says' } }, 'grafana says'],
    [new Error('thrown'), 'thrown'],
    ['plain', 'plain'],
  ])('%p → %s', (err, want) => {
    expect(resourceErrorText(err)).toBe(want);
  });
});
