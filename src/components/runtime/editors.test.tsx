import { screen, waitFor } from '@testing-library/react';

import { runtimeFamily } from '../../queries/runtime';
import { fakeDataSource, giveElementsASize } from '../../test/editors';
import { setDashboardVariables } from '../../test/templateSrv';
import { CertificatesEditor } from './CertificatesEditor';
import { EndpointsEditor } from './EndpointsEditor';
import { InventoryEditor } from './InventoryEditor';
import { JmsEditor } from './JmsEditor';
import { renderEditor, TENANT } from './testing';

giveElementsASize();

const options = async () => (await screen.findAllByRole('option')).map((o) => o.textContent ?? '');

describe('runtime family', () => {
  it('has the four query types with their editors and variable kinds', () => {
    const types = runtimeFamily.queryTypes.map((q) => q.value);
    expect(types).toEqual(['endpoints', 'certificates', 'jms', 'inventory']);
    for (const t of types) {
      expect(runtimeFamily.editors[t]).toBeDefined();
    }
    expect(runtimeFamily.variableKinds.map((k) => k.value)).toEqual(['designPackages', 'certificateAliases']);
    expect(runtimeFamily.interpolated).toEqual(['endpointName', 'protocol', 'aliasContains', 'packageId']);
  });
});

describe('EndpointsEditor', () => {
  it('types a name and runs the query on blur only', async () => {
    const { user, last, onRunQuery } = renderEditor(EndpointsEditor, { refId: 'A', queryType: 'endpoints' });
    await user.click(screen.getByRole('textbox', { name: /Name/ }));
    await user.paste('order');
    expect(last()).toEqual({ refId: 'A', queryType: 'endpoints', endpointName: 'order' });
    expect(onRunQuery).not.toHaveBeenCalled();
    await user.tab();
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('picks a protocol and clears it back to any', async () => {
    const { user, last } = renderEditor(EndpointsEditor, { refId: 'A', queryType: 'endpoints' });
    await user.click(screen.getByRole('combobox', { name: /Protocol/ }));
    expect(await options()).toEqual(['Any protocol', 'SOAP', 'ODATAV2', 'REST', 'AS2', 'AS4']);
    await user.click(screen.getByRole('option', { name: 'ODATAV2' }));
    expect(last().protocol).toBe('ODATAV2');
    await user.click(screen.getByRole('combobox', { name: /Protocol/ }));
    await user.click(await screen.findByRole('option', { name: 'Any protocol' }));
    expect(last().protocol).toBeUndefined();
  });

  it('keeps a stored $variable as the protocol', () => {
    renderEditor(EndpointsEditor, { refId: 'A', queryType: 'endpoints', protocol: '$proto' });
    expect(screen.getByRole('combobox', { name: /Protocol/ })).toHaveValue('$proto');
  });
});

describe('CertificatesEditor', () => {
  it('offers the aliases of the chosen keystore and the dashboard variables', async () => {
    setDashboardVariables({ alias: 'bank_sftp_hostkey' });
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user, last, onRunQuery } = renderEditor(
      CertificatesEditor,
      { refId: 'A', queryType: 'certificates' },
      { datasource }
    );
    expect(getResource).not.toHaveBeenCalled(); // nothing is fetched before the menu opens
    await user.click(screen.getByRole('combobox', { name: /Alias/ }));
    await waitFor(async () => expect(await options()).toHaveLength(3));
    expect(getResource).toHaveBeenCalledWith('variables/certificateAliases', { filter: 'system' });
    expect(await options()).toEqual(['bank_sftp_hostkey', 'salesforce_jwt_signing', '$alias']);
    await user.click(screen.getByRole('option', { name: 'salesforce_jwt_signing' }));
    expect(last().aliasContains).toBe('salesforce_jwt_signing');
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('switches keystore, then asks for that keystore’s aliases', async () => {
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user, last } = renderEditor(CertificatesEditor, { refId: 'A', queryType: 'certificates' }, { datasource });
    await user.click(screen.getByRole('combobox', { name: /Keystore/ }));
    await user.click(await screen.findByRole('option', { name: /^backup_admin_system/ }));
    expect(last().keystoreName).toBe('backup_admin_system');
    await user.click(screen.getByRole('combobox', { name: /Alias/ }));
    await waitFor(() =>
      expect(getResource).toHaveBeenCalledWith('variables/certificateAliases', { filter: 'backup_admin_system' })
    );
    // Back to the default keystore: the option is dropped rather than stored.
    await user.click(screen.getByRole('combobox', { name: /Keystore/ }));
    await user.click(await screen.findByRole('option', { name: /^system/ }));
    expect(last().keystoreName).toBeUndefined();
  });

  it('accepts typed text as the alias filter', async () => {
    const { user, last } = renderEditor(CertificatesEditor, { refId: 'A', queryType: 'certificates' });
    await user.click(screen.getByRole('combobox', { name: /Alias/ }));
    await user.keyboard('sftp');
    await user.click(await screen.findByRole('option', { name: /sftp.*Use this value/ }));
    expect(last().aliasContains).toBe('sftp');
  });

  it('turns the chain on and the format to numeric', async () => {
    const { user, last } = renderEditor(CertificatesEditor, { refId: 'A', queryType: 'certificates' });
    await user.click(screen.getByRole('switch', { name: /Chain/ }));
    expect(last().withChain).toBe(true);
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last()).toEqual({ refId: 'A', queryType: 'certificates', withChain: true, format: 'numeric' });
  });

  it('still works when the aliases cannot be listed', async () => {
    // Combobox reports the failed look-up on the console; the editor carries on with typed values.
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { datasource } = fakeDataSource({});
    const { user, last } = renderEditor(CertificatesEditor, { refId: 'A', queryType: 'certificates' }, { datasource });
    await user.click(screen.getByRole('combobox', { name: /Alias/ }));
    // The look-up has failed (and been reported) before the user goes on.
    await waitFor(() =>
      expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('async options'), expect.any(Error))
    );
    await user.keyboard('bank');
    await user.click(await screen.findByRole('option', { name: /bank.*Use this value/ }));
    expect(last().aliasContains).toBe('bank');
    consoleError.mockRestore();
  });
});

describe('JmsEditor', () => {
  it('shows the numbers choice only for the numeric format', async () => {
    const { user, last } = renderEditor(JmsEditor, { refId: 'A', queryType: 'jms' });
    expect(screen.queryByRole('radio', { name: 'Queue states' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Numeric' }));
    expect(last().format).toBe('numeric');
    await user.click(screen.getByRole('radio', { name: 'Queue states' }));
    expect(last().jmsMetric).toBe('queueStates');
    await user.click(screen.getByRole('radio', { name: 'All' }));
    expect(last().jmsMetric).toBeUndefined();
  });
});

describe('InventoryEditor', () => {
  it('picks a design-time package by name and stores its id', async () => {
    setDashboardVariables({});
    const { datasource, getResource } = fakeDataSource(TENANT);
    const { user, last } = renderEditor(InventoryEditor, { refId: 'A', queryType: 'inventory' }, { datasource });
    await user.click(screen.getByRole('combobox', { name: /Package/ }));
    await user.click(await screen.findByRole('option', { name: /Bank Communication/ }));
    expect(getResource).toHaveBeenCalledWith('variables/designPackages', {});
    expect(last().packageId).toBe('ZBankCommunication');
    // The picker shows the package's name, the query keeps its id.
    expect(screen.getByRole('combobox', { name: /Package/ })).toHaveValue('Bank Communication');
  });

  it('filters by state and back to all', async () => {
    const { user, last } = renderEditor(InventoryEditor, { refId: 'A', queryType: 'inventory' });
    await user.click(screen.getByRole('combobox', { name: /State/ }));
    expect(await options()).toEqual([
      'All states',
      expect.stringContaining('Version drift'),
      expect.stringContaining('Not in any package'),
      expect.stringContaining('Not deployed'),
      expect.stringContaining('Same version'),
    ]);
    await user.click(screen.getByRole('option', { name: /Version drift/ }));
    expect(last().drift).toBe('versionDrift');
    await user.click(screen.getByRole('combobox', { name: /State/ }));
    await user.click(await screen.findByRole('option', { name: 'All states' }));
    expect(last().drift).toBeUndefined();
  });

  it('shows a stored package id', () => {
    renderEditor(InventoryEditor, { refId: 'A', queryType: 'inventory', packageId: '$pkg' });
    expect(screen.getByRole('combobox', { name: /Package/ })).toHaveValue('$pkg');
  });
});
