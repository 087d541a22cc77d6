/*
 * Option values of the log query types, shared by the editors and src/queries/logs.ts (kept here so that the
 * family module, which imports the editors, is not imported back by them).
 */

/** The audit log categories SAP predefines (Cloud Foundry and Neo). */
export const AUDIT_CATEGORIES = [
  'audit.security-events',
  'audit.configuration',
  'audit.data-access',
  'audit.data-modification',
] as const;

export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export type LogFileType = 'http' | 'trace';

/** Formats of the log query types: a table for panels, or a logs frame (Explore, logs panel). */
export type LogsFormat = 'table' | 'logs';
