import type pg from 'pg';
import { inTransaction } from '../db/transaction';
import { analyzeOperationTargets } from './operation-partitions-repo';
import * as repo from './repo';

/** Targets written at once from which the partition's statistics are refreshed (see analyzeOperationTargets). */
const ANALYZE_AFTER_TARGETS = 1000;

/**
 * Writes the target rows of started operations that have none yet (of `operationIds`, or every
 * one). A start only fixes its targets, so the push is not held up by thousands of inserts; the
 * rows are written by the first that needs them: a notification server before it records the
 * first deliveries or results, the per-device drill-down, or Notification Manager on its cycle.
 * Safe to run anywhere at once: each operation is written once, under its row lock. Returns the
 * operations it wrote.
 */
export async function materializeOperationTargets(options: { db: pg.Pool; operationIds?: number[] }): Promise<number[]> {
  if (options.operationIds && !options.operationIds.length) return [];
  const written: number[] = [];
  for (const id of await repo.pendingOperationIds(options.db, options.operationIds)) {
    const targets = await inTransaction(options.db, (client) => repo.materializeTargets(client, id));
    if (targets === null) continue;
    written.push(id);
    // Statistics only steer plans: should refreshing them fail, the answers are still recorded.
    if (targets >= ANALYZE_AFTER_TARGETS) await analyzeOperationTargets(options.db, id).catch(() => undefined);
  }
  return written;
}
