/*
 * Test helpers of the runtime editors (only tests import this file): the tenant's answers. What every editor test
 * needs is in src/test/editors.tsx.
 */
import { editorRenderer } from '../../test/editors';
import type { VariableValue } from '../../variables';

/** What the simulated tenant answers to GET variables/<kind> (pkg/simulator). */
export const TENANT: Record<string, VariableValue[]> = {
  'variables/designPackages': [
    { text: 'Bank Communication', value: 'ZBankCommunication' },
    { text: 'Finance Integration S/4HANA', value: 'ZFinanceS4HANA' },
  ],
  'variables/certificateAliases?filter=system': [
    { text: 'bank_sftp_hostkey', value: 'bank_sftp_hostkey' },
    { text: 'salesforce_jwt_signing', value: 'salesforce_jwt_signing' },
  ],
  'variables/certificateAliases?filter=backup_admin_system': [
    { text: 'bank_sftp_hostkey', value: 'bank_sftp_hostkey' },
  ],
};

/** The shared renderEditor (src/test/editors.tsx), with a data source answering as TENANT unless one is given. */
export const renderEditor = editorRenderer(TENANT);
