import type pg from 'pg';
import { processSingleton } from '../process-singleton';
import { addToCounterShard, sumCounterShards } from './counters-repo';

/**
 * Counters of this process's ingest endpoint, for /api/metrics. Kept in a process singleton because
 * Next.js bundles each route separately: the ingest route and the metrics route must share them.
 */
export interface IngestCounters {
  requests: { accepted: number; partial: number; rejected: number; throttled: number; tooLarge: number };
  acceptedMessages: number;
  rejectedMessages: number;
  duplicateMessagesInBatch: number;
}

export function ingestCounters(): IngestCounters {
  return processSingleton<IngestCounters>('ingestCounters', () => ({
    requests: { accepted: 0, partial: 0, rejected: 0, throttled: 0, tooLarge: 0 },
    acceptedMessages: 0,
    rejectedMessages: 0,
    duplicateMessagesInBatch: 0,
  }));
}

/** Site-wide counters in status_counter: accepted into the inbox (by any process), and Status Manager's. */
export const statusCounterNames = ['accepted', 'processed', 'stored', 'duplicates', 'discarded', 'replicated', 'forwarded', 'purged'] as const;
export type StatusCounterName = (typeof statusCounterNames)[number];

// Rows per counter: concurrent Status Manager transactions each add to their own row.
const SHARDS = 16;

/** Adds to counters inside the caller's transaction, so they move exactly when the work commits. */
export async function addStatusCounters(
  db: pg.ClientBase | pg.Pool,
  increments: Partial<Record<StatusCounterName, number>>,
  shard = Math.floor(Math.random() * SHARDS),
): Promise<void> {
  const entries = Object.entries(increments).filter(([, n]) => n && n > 0) as [StatusCounterName, number][];
  if (!entries.length) return;
  await addToCounterShard(
    db,
    entries.map(([n]) => n),
    entries.map(([, v]) => v),
    shard % SHARDS,
  );
}

export async function readStatusCounters(db: pg.Pool | pg.ClientBase): Promise<Record<StatusCounterName, number>> {
  const rows = await sumCounterShards(db);
  const totals = Object.fromEntries(statusCounterNames.map((n) => [n, 0])) as Record<StatusCounterName, number>;
  for (const row of rows) if (row.name in totals) totals[row.name as StatusCounterName] = Number(row.total);
  return totals;
}
