import type pg from 'pg';
import { statusMessageIds } from '../reporting/catalog';
import { addStatusCounters } from './counters';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';

// Any fixed key; every Status Manager that runs the task tries the same one.
const PURGE_LOCK_KEY = 7_301_952_044_410n;

export interface PurgeResult {
  /** False when another Status Manager was already running the task. */
  ran: boolean;
  messages: number;
  ledger: number;
}

/**
 * "Delete Aged Status Messages": removes stored messages whose retention (stamped as
 * expires_at when they were written) has passed, and processed-uid ledger entries older than
 * `ledgerDays`, in batches of `batchSize` rows so no statement holds locks or bloats WAL for
 * long. One Status Manager runs it at a time (advisory lock); safe to run again at any time.
 */
export async function deleteAgedStatusMessages(options: {
  db: pg.Pool;
  ledgerDays: number;
  now?: Date;
  batchSize?: number;
  signal?: AbortSignal;
}): Promise<PurgeResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 10_000;
  const lockClient = await options.db.connect();
  try {
    const { rows } = await lockClient.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1) AS ok`, [PURGE_LOCK_KEY.toString()]);
    if (!rows[0].ok) return { ran: false, messages: 0, ledger: 0 };
    try {
      const messages = await deleteInBatches(options.db, batchSize, options.signal, (limit) => ({
        text: `DELETE FROM status_message WHERE id IN (
                 SELECT id FROM status_message WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
        values: [now, limit],
      }));
      const ledgerBefore = new Date(now.getTime() - options.ledgerDays * 86_400_000);
      const ledger = await deleteInBatches(options.db, batchSize, options.signal, (limit) => ({
        text: `DELETE FROM status_processed_uid WHERE uid IN (
                 SELECT uid FROM status_processed_uid WHERE processed_at < $1 LIMIT $2)`,
        values: [ledgerBefore, limit],
      }));
      if (messages) {
        await addStatusCounters(options.db, { purged: messages });
        await reportServerMessage({
          messages: serverMessage({
            messageId: statusMessageIds.agedMessagesDeleted,
            component: 'SMS_STATUS_MANAGER',
            insertionStrings: [String(messages)],
          }),
        });
      }
      return { ran: true, messages, ledger };
    } finally {
      await lockClient.query(`SELECT pg_advisory_unlock($1)`, [PURGE_LOCK_KEY.toString()]);
    }
  } finally {
    lockClient.release();
  }
}

async function deleteInBatches(
  db: pg.Pool,
  batchSize: number,
  signal: AbortSignal | undefined,
  statement: (limit: number) => { text: string; values: unknown[] },
): Promise<number> {
  let total = 0;
  for (;;) {
    if (signal?.aborted) return total;
    const result = await db.query(statement(batchSize));
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < batchSize) return total;
  }
}
