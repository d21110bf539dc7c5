import type pg from 'pg';
import type { Logger } from 'pino';
import { advisoryUnlock, tryAdvisoryLock } from '../db/advisory-lock';
import { channels } from '../db/channels';
import { listenShared } from '../db/listen-shared';
import { loop } from '../workers/define-worker';
import { defaultBatchLimits, loadPreparedBatch, prepareBatch, type BatchLimits, type LoadResult, type PreparedBatch } from './load-inventory-batch';
import { createProductCache, type ProductCache } from './product-cache';
import { inboxHasReports } from './loader-repo';

// One loader drains the inbox at a time, so a device's reports load in the order they came.
const LOADER_LOCK_KEY = 7_301_952_044_520n;

/**
 * Loads everything in the inventory inbox, batch after batch, until a batch finds it empty. While
 * the database writes one batch of a backlog, the next is read, decompressed, validated and
 * resolved (the two work on different cores). Returns the totals, or null when another loader is draining.
 */
export async function drainInventoryInbox(options: {
  db: pg.Pool;
  log: Logger;
  products?: ProductCache;
  limits?: BatchLimits;
  signal?: AbortSignal;
  now?: () => Date;
  onBatch?: (result: LoadResult) => void;
  /** After a small batch that emptied the inbox, how long to let reports gather before the next (0: at once). */
  gatherMs?: number;
}): Promise<LoadResult | null> {
  const { db, log } = options;
  const products = options.products ?? createProductCache(db);
  const limits = options.limits ?? defaultBatchLimits;
  const gatherMs = options.gatherMs ?? 0;
  const total: LoadResult = { loaded: 0, full: 0, delta: 0, refused: 0, skipped: 0, softwareRows: 0, quarantined: 0 };
  // An empty inbox (an idle site's every poll) costs one short read on whatever connection is
  // free, not a connection held for the lock and a second for the read: the pool's spare
  // connections then close, as an idle site's should.
  if (!(await inboxHasReports(db))) return total;
  const lockClient = await db.connect();
  try {
    if (!(await tryAdvisoryLock(lockClient, LOADER_LOCK_KEY))) return null;
    try {
      const prepare = (afterId: string) => {
        const next = prepareBatch({ db, products, afterId, limits });
        next.catch(() => undefined); // awaited below; a pass that stops first must not leave it unhandled
        return next;
      };
      let next: Promise<PreparedBatch> = prepare('0');
      while (!options.signal?.aborted) {
        const batch: PreparedBatch = await next;
        if (!batch.items.length && !batch.unreadable.length) break;
        // A backlog: the next batch is read while this one is written. The inbox read empty past
        // this batch: the next is read once it is written, and takes every report that came
        // meanwhile — reports arriving one by one load in batches as large as the write is long,
        // not in a transaction each, and a lone report still loads at once.
        const ahead = batch.drained ? null : prepare(batch.lastId);
        const started = performance.now();
        const result = await loadPreparedBatch({ db, batch, log, now: options.now });
        // Reports streaming in one by one (a fleet's deltas): a moment's wait lets the next batch
        // hold a hundred of them instead of a handful — one transaction, one status message, for all.
        if (!ahead && gatherMs && batch.items.length < limits.maxReports / 4) await new Promise((r) => setTimeout(r, gatherMs));
        next = ahead ?? prepare(batch.lastId);
        for (const key of Object.keys(total) as (keyof LoadResult)[]) total[key] += result[key];
        options.onBatch?.(result);
        log.debug({ ...result, ms: Math.round(performance.now() - started) }, 'inventory batch loaded');
      }
      return total;
    } finally {
      await advisoryUnlock(lockClient, LOADER_LOCK_KEY);
    }
  } finally {
    lockClient.release();
  }
}

/**
 * The inventory loader: drains the inbox when a management point says it stored a report
 * (NOTIFY), and every `pollMs` in case a notification was missed.
 */
export function startInventoryLoader(options: {
  db: pg.Pool;
  connectionString: string;
  log: Logger;
  signal: AbortSignal;
  pollMs?: number;
  limits?: BatchLimits;
  gatherMs?: number;
}) {
  const { db, log, signal } = options;
  const products = createProductCache(db);
  const cycle = loop({
    intervalMs: options.pollMs ?? 10_000,
    signal,
    log,
    tick: async () => {
      const result = await drainInventoryInbox({ db, log, products, limits: options.limits, signal, gatherMs: options.gatherMs ?? 100 });
      if (result?.loaded || result?.quarantined || result?.refused || result?.skipped) {
        log.info(result, 'inventory reports loaded');
        // Another pass from the start: reports committed out of id order while this one ran.
        cycle.wake();
      }
    },
  });
  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.inventoryInbox],
    onNotification: () => cycle.wake(),
    // Reports stored before LISTEN was in place (or while it was down) are taken at once.
    onListening: () => cycle.wake(),
  });
  return {
    /** Settles once the loader hears management points' notifications. */
    listening: listener.listening,
    async stop() {
      await listener.close();
      await cycle.done;
    },
  };
}
