import { pool } from '../db/pool';
import * as repo from './repo';
import type { ListQuarantineQuery, QuarantinePage } from './quarantine.schema';

/** A page of quarantined items for the console, most recently seen first. */
export async function listQuarantinedItems(query: ListQuarantineQuery): Promise<QuarantinePage> {
  const { rows, total } = await repo.listQuarantinedItems(pool(), query);
  return {
    total,
    rows: rows.map((r) => ({
      ...r,
      firstSeenAt: r.firstSeenAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
    })),
  };
}
