import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import * as repo from './repo';

const DAY_MS = 86_400_000;
/** Operations deleted per statement: one may hold tens of thousands of per-device rows. */
const BATCH = 20;

/**
 * Deletes the client operations — with their per-device states, results and Run Script outputs —
 * whose validity ended or that were cancelled more than `retentionDays` ago (the site's
 * maintenance.deleteAgedClientOperations.retentionDays), a few at a time. Until then they stay
 * readable, whether or not a console was open when they ran. Safe to run from several processes.
 */
export async function deleteAgedClientOperations(options: {
  db: pg.Pool;
  retentionDays: number;
  clock?: Clock;
  signal?: AbortSignal;
}): Promise<number[]> {
  const before = new Date((options.clock ?? systemClock).now().getTime() - options.retentionDays * DAY_MS);
  const deleted: number[] = [];
  for (;;) {
    if (options.signal?.aborted) break;
    const batch = await repo.deleteOperationsEndedBefore(options.db, before, BATCH);
    deleted.push(...batch);
    if (batch.length < BATCH) break;
  }
  return deleted;
}
