import { AuditLogsEditor } from '../components/logs/AuditLogsEditor';
import { LogFilesEditor } from '../components/logs/LogFilesEditor';
import type { LogFileType } from '../components/logs/options';
import type { QueryFamily } from './family';

export { AUDIT_CATEGORIES } from '../components/logs/options';
export type { AuditCategory, LogFileType, LogsFormat } from '../components/logs/options';

/* Options of the log query types (Go: pkg/models/logs.go, same JSON names). Both read the panel's time range. */

export interface AuditLogsOptions {
  /** One category (or several, comma-separated); empty = all. */
  category?: string;
  /** Case-insensitive part of the user; empty = all users. */
  userContains?: string;
  /** Only events written by Cloud Integration (default true). */
  cpiOnly?: boolean;
}

export interface LogFilesOptions {
  /** Neo only: http access logs or trace logs; empty = both. */
  logFileType?: LogFileType;
  /** The file whose lines (in the time range) are shown; empty = list the files. */
  fileName?: string;
}

export const logsFamily: QueryFamily = {
  queryTypes: [
    {
      value: 'auditLogs',
      label: 'Audit log',
      description: 'Who changed, deployed or read what: the subaccount audit log, Cloud Integration events by default',
    },
    {
      value: 'logFiles',
      label: 'Log files (Neo)',
      description: 'System log files of a Neo tenant, and the lines of one HTTP access or trace log',
    },
  ],
  editors: { auditLogs: AuditLogsEditor, logFiles: LogFilesEditor },
  interpolated: ['category', 'userContains', 'fileName'],
  variableKinds: [
    {
      value: 'logFiles',
      label: 'Log files (Neo)',
      description: 'Names of the log files of a Neo tenant, newest first; filter: http or trace',
    },
  ],
};
