import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { reportServerMessage } from '../reporting/report-server-message';
import type { StatusMessage } from '../reporting/status-message.schema';
import { auditMessageIds, type AuditKind } from '../reporting/audit-message-ids';

export interface AuditEvent {
  kind: AuditKind;
  /** Who did it. */
  userName: string;
  /** From which address. */
  address: string;
  /** e.g. "ConsoleUser", "Device", "StatusFilterRule", "SiteControl". */
  objectType: string;
  objectName: string;
  /** For `performed`: what was done, e.g. "ResetPassword", "Approve". */
  verb?: string;
  oldValue?: unknown;
  newValue?: unknown;
  severity?: 'INFORMATIONAL' | 'WARNING';
  siteCode?: string;
}

const MAX_VALUE = 4096;
const asProperty = (value: unknown) => {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length <= MAX_VALUE) return text;
  // Never between the halves of a surrogate pair (an emoji): half of one cannot be stored, and the change would fail on its audit.
  const cut = MAX_VALUE - 1 - (/[\uD800-\uDBFF]/.test(text[MAX_VALUE - 2]) ? 1 : 0);
  return `${text.slice(0, cut)}…`;
};

/** The Audit-type status message for an administrative change. */
export function auditMessage(event: AuditEvent, now = new Date()): StatusMessage {
  const properties: Record<string, string> = {
    UserName: event.userName,
    Address: event.address,
    ObjectType: event.objectType,
    ObjectName: event.objectName,
  };
  const oldValue = asProperty(event.oldValue);
  const newValue = asProperty(event.newValue);
  if (oldValue !== undefined) properties.OldValue = oldValue;
  if (newValue !== undefined) properties.NewValue = newValue;
  const verb = event.kind === 'signedIn' || event.kind === 'signInFailed' || event.kind === 'signedOut' ? event.address : (event.verb ?? event.kind);
  return {
    uid: randomUUID(),
    messageId: auditMessageIds[event.kind],
    severity: event.severity ?? (event.kind === 'signInFailed' ? 'WARNING' : 'INFORMATIONAL'),
    type: 'AUDIT',
    source: 'PROVIDER',
    siteCode: event.siteCode ?? config().SITEBOX_SITE_CODE,
    systemName: serverName(),
    component: 'SMS_PROVIDER',
    sourceTime: now,
    processId: process.pid,
    insertionStrings: [event.userName, verb, event.objectType, event.objectName],
    properties,
  };
}

/**
 * Reports an administrative change as an Audit status message. It goes into Status
 * Manager's inbox like any other message, so filter rules, retention and the viewer apply.
 * Pass `db` (a client inside the change's transaction) to make the audit commit with it.
 */
export async function reportAudit(event: AuditEvent, db: pg.Pool | pg.PoolClient = pool()): Promise<void> {
  await reportServerMessage({ messages: auditMessage(event), db, origin: 'audit' });
}
