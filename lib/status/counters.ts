import type pg from 'pg';
import { processSingleton } from '../process-singleton';

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
export const statusCounterNames = [
  'accepted',
  'processed',
  'stored',
  'duplicates',
  'discarded',
  'replicated',
  'forwarded',
  'purged',
] as const;
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
  await db.query(
    `INSERT INTO status_counter (name, shard, value)
     SELECT name, $3, value FROM unnest($1::text[], $2::bigint[]) AS t(name, value)
     ON CONFLICT (name, shard) DO UPDATE SET value = status_counter.value + EXCLUDED.value`,
    [entries.map(([n]) => n), entries.map(([, v]) => v), shard % SHARDS],
  );
}

export async function readStatusCounters(db: pg.Pool | pg.ClientBase): Promise<Record<StatusCounterName, number>> {
  const { rows } = await db.query<{ name: string; total: string }>(
    `SELECT name, sum(value)::text AS total FROM status_counter GROUP BY name`,
  );
  const totals = Object.fromEntries(statusCounterNames.map((n) => [n, 0])) as Record<StatusCounterName, number>;
  for (const row of rows) if (row.name in totals) totals[row.name as StatusCounterName] = Number(row.total);
  return totals;
}
