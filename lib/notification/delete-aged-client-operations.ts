import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import { dropBlockIfAged, listOperationBlocks } from './operation-partitions-repo';

const DAY_MS = 86_400_000;

/**
 * Deletes the client operations — with their per-device states, results, Run Script outputs and
 * live query rows — whose validity ended or that were cancelled more than `retentionDays` ago (the
 * site's maintenance.deleteAgedClientOperations.retentionDays). Their rows are kept in partitions
 * of 100 operations each (operation-partitions-repo.ts), and a block goes whole, by dropping its
 * partitions, once every operation in it is due: an operation may so stay a while past its
 * retention, never less. Until then they stay readable, whether or not a console was open when
 * they ran. Safe to run from several processes. Returns the operations deleted.
 */
export async function deleteAgedClientOperations(options: {
  db: pg.Pool;
  retentionDays: number;
  clock?: Clock;
  signal?: AbortSignal;
}): Promise<number[]> {
  const before = new Date((options.clock ?? systemClock).now().getTime() - options.retentionDays * DAY_MS);
  const deleted: number[] = [];
  for (const block of await listOperationBlocks(options.db)) {
    if (options.signal?.aborted) break;
    // A block with an operation not yet due stays; a later one may go (validities differ).
    deleted.push(...((await dropBlockIfAged(options.db, block, before)) ?? []));
  }
  return deleted;
}
