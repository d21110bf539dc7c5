import type pg from 'pg';
import { advisoryUnlock, tryAdvisoryLock } from '../db/advisory-lock';
import { classifyFailure } from '../quarantine/classify-failure';
import { isolateFailures } from '../quarantine/isolate-failures';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { quarantinedKeys } from '../quarantine/repo';
import { statusMessageIds } from '../reporting/catalog';
import { addStatusCounters } from './counters';
import { dropDuePartitions, ensureStatusPartitions } from './partition-repo';
import { deleteAgedBatch, deleteRowsByKey, selectAgedKeys, type AgedRows } from './purge-repo';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';

// Any fixed key; every Status Manager that runs the task tries the same one.
const PURGE_LOCK_KEY = 7_301_952_044_410n;

/** Delete Aged Status Messages in the quarantine: an item is one ledger row it could not delete, keyed "table:key". */
export const PURGE_QUARANTINE: QuarantineSource = { name: 'status-manager.purge', component: 'SMS_STATUS_MANAGER' };

export interface PurgeResult {
  /** False when another Status Manager was already running the task. */
  ran: boolean;
  messages: number;
  ledger: number;
  /** Day partitions of status_message made ahead (or for rows waiting in the default partition). */
  partitionsCreated: string[];
}

/** Days of status_message partitions made ahead of today unless told otherwise. */
export const DEFAULT_PARTITION_DAYS_AHEAD = 14;

/**
 * "Delete Aged Status Messages": drops the day partitions of status_message whose whole UTC day
 * has passed (every message in them is past the retention stamped as expires_at when it was
 * written), so a day of messages goes at once, without deleting rows; then deletes processed-uid
 * ledger entries older than `ledgerDays` in batches of `batchSize` rows. First it makes the
 * partitions of the next `partitionDaysAhead` days and moves rows out of the default partition
 * into their day's partition. One Status Manager runs it at a time (advisory lock); safe to run
 * again at any time.
 */
export async function deleteAgedStatusMessages(options: {
  db: pg.Pool;
  ledgerDays: number;
  now?: Date;
  batchSize?: number;
  partitionDaysAhead?: number;
  signal?: AbortSignal;
  /** Called as each due day leaves status_message, before its files are freed. */
  onDetached?: (partition: string, rows: number) => void;
}): Promise<PurgeResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 10_000;
  const lockClient = await options.db.connect();
  try {
    if (!(await tryAdvisoryLock(lockClient, PURGE_LOCK_KEY))) return { ran: false, messages: 0, ledger: 0, partitionsCreated: [] };
    try {
      const { created } = await ensureStatusPartitions({
        db: options.db,
        now,
        daysAhead: options.partitionDaysAhead ?? DEFAULT_PARTITION_DAYS_AHEAD,
      });
      const messages = await dropDuePartitions({ db: options.db, now, signal: options.signal, onDetached: options.onDetached });
      const ledgerBefore = new Date(now.getTime() - options.ledgerDays * 86_400_000);
      const ledger = await deleteAged(options.db, batchSize, options.signal, {
        table: 'status_processed_uid',
        key: 'uid',
        keyType: 'uuid',
        condition: 'processed_at < $1',
        order: '',
        cutoff: ledgerBefore,
      });
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
      return { ran: true, messages, ledger, partitionsCreated: created };
    } finally {
      await advisoryUnlock(lockClient, PURGE_LOCK_KEY);
    }
  } finally {
    lockClient.release();
  }
}

/**
 * Deletes the rows in batches of `batchSize`, one statement each. A batch the database refuses
 * on account of one row (a data or integrity error) is deleted again in halves, and the row that
 * fails alone is set aside in quarantine and left in place, so the purge goes on past it (and
 * later purges skip it until someone retries it).
 */
async function deleteAged(db: pg.Pool, batchSize: number, signal: AbortSignal | undefined, rows: AgedRows): Promise<number> {
  const skip = [...(await quarantinedKeys(db, PURGE_QUARANTINE.name))]
    .filter((key) => key.startsWith(`${rows.table}:`))
    .map((key) => key.slice(rows.table.length + 1));
  let total = 0;
  for (;;) {
    if (signal?.aborted) return total;
    try {
      const deleted = await deleteAgedBatch(db, rows, batchSize, skip);
      total += deleted;
      if (deleted < batchSize) return total;
    } catch (error) {
      if (classifyFailure(error) === 'transient') throw error;
      const outcome = await isolateFailures({
        items: await selectAgedKeys(db, rows, batchSize, skip),
        run: (keys) => deleteRowsByKey(db, rows, keys),
        onPoison: async (key, failure) => {
          skip.push(key);
          await quarantineItem({ source: PURGE_QUARANTINE, itemKey: `${rows.table}:${key}`, item: { table: rows.table, key }, error: failure, db });
        },
      });
      total += outcome.results.reduce((sum, n) => sum + n, 0);
    }
  }
}
