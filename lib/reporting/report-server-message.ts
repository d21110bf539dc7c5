import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { componentLogger } from '../logger';
import { processSingleton } from '../process-singleton';
import { catalog } from './catalog';
import { appendToInbox, type InboxOrigin } from './inbox-repo';
import { statusMessageSchema, type MessageType, type Severity, type StatusMessage } from './status-message.schema';
import { createSyslogSink, type SyslogSink } from './syslog';

/**
 * A status message from a server component of this site, with the catalog's severity and
 * type for its ID unless given.
 */
export function serverMessage(options: {
  messageId: number;
  component: string;
  insertionStrings?: string[];
  properties?: Record<string, string>;
  severity?: Severity;
  type?: MessageType;
  siteCode?: string;
  systemName?: string;
  now?: Date;
}): StatusMessage {
  const known = catalog.get(options.messageId);
  return {
    uid: randomUUID(),
    messageId: options.messageId,
    severity: options.severity ?? known?.severity ?? 'INFORMATIONAL',
    type: options.type ?? known?.type ?? 'MILESTONE',
    source: 'SERVER',
    siteCode: options.siteCode ?? config().SITEBOX_SITE_CODE,
    systemName: options.systemName ?? serverName(),
    component: options.component,
    sourceTime: options.now ?? new Date(),
    processId: process.pid,
    insertionStrings: options.insertionStrings ?? [],
    properties: options.properties ?? {},
  };
}

/** Whether a server component's own settings ask for its messages in the system log (SITEBOX_SYSLOG_COMPONENTS). */
export function componentWritesToSyslog(component: string, list = config().SITEBOX_SYSLOG_COMPONENTS): boolean {
  if (!list) return false;
  const names = list
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  return names.includes('*') || names.includes(component.toLowerCase());
}

function sourceSyslog(): SyslogSink {
  return processSingleton('sourceSyslog', () => createSyslogSink({ target: config().SITEBOX_SYSLOG, log: componentLogger('syslog') }));
}

/**
 * Reports messages from server components, as the reference's site server does: a component
 * that asks for it writes the message to the system log first; then the message is appended to
 * Status Manager's inbox, committed before this resolves (one small statement: these messages are
 * few), so a process killed once it returns loses nothing. Pass `db`, a client inside a
 * transaction, to make the message commit or roll back with a change (audit).
 */
export async function reportServerMessage(options: {
  messages: StatusMessage | readonly StatusMessage[];
  db?: pg.Pool | pg.PoolClient;
  origin?: Extract<InboxOrigin, 'server' | 'audit'>;
}): Promise<void> {
  const list = Array.isArray(options.messages) ? options.messages : [options.messages as StatusMessage];
  const messages = list.map((m) => statusMessageSchema.parse(m));
  for (const message of messages) {
    if (componentWritesToSyslog(message.component)) sourceSyslog().write(message);
  }
  await appendToInbox({ db: options.db ?? pool(), messages, origin: options.origin ?? 'server' });
}
