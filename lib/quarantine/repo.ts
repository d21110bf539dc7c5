import type pg from 'pg';

/** The thin data layer for quarantined items (plain pg: consumers write inside their own transactions). */

type Db = pg.Pool | pg.ClientBase;

export type QuarantineState = 'QUARANTINED' | 'RETRIED' | 'DISCARDED';

export interface QuarantinedItemRow {
  id: string;
  source: string;
  itemKey: string;
  payload: string;
  error: string;
  errorCode: string | null;
  state: QuarantineState;
  attempts: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedBy: string | null;
  resolvedAt: Date | null;
}

const COLUMNS = `id::text, source, item_key AS "itemKey", payload, error, error_code AS "errorCode", state::text, attempts,
  first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", resolved_by AS "resolvedBy", resolved_at AS "resolvedAt"`;

/**
 * Sets an item aside, or, when the same source already set it aside (a retried item that
 * failed again, a re-delivery), counts another attempt with the latest error and payload.
 */
export async function upsertQuarantinedItem(
  db: Db,
  item: { source: string; itemKey: string; payload: string; error: string; errorCode: string | null; at: Date },
): Promise<QuarantinedItemRow> {
  const { rows } = await db.query<QuarantinedItemRow>(
    `INSERT INTO quarantined_item (source, item_key, payload, error, error_code, first_seen_at, last_seen_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $6)
     ON CONFLICT (source, item_key) DO UPDATE SET
       payload = EXCLUDED.payload, error = EXCLUDED.error, error_code = EXCLUDED.error_code, state = 'QUARANTINED',
       attempts = quarantined_item.attempts + 1, last_seen_at = EXCLUDED.last_seen_at,
       resolved_by = NULL, resolved_at = NULL, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [item.source, item.itemKey, item.payload, item.error, item.errorCode, item.at],
  );
  return rows[0];
}

/** Items still waiting for a decision, most recently seen first. */
export async function listQuarantinedItems(db: Db, options: { state: QuarantineState; limit: number; offset: number }) {
  const [{ rows }, count] = await Promise.all([
    db.query<QuarantinedItemRow>(
      `SELECT ${COLUMNS} FROM quarantined_item WHERE state = $1::quarantine_state ORDER BY last_seen_at DESC, id DESC LIMIT $2 OFFSET $3`,
      [options.state, options.limit, options.offset],
    ),
    countQuarantinedItems(db, options.state),
  ]);
  return { rows, total: count };
}

export async function countQuarantinedItems(db: Db, state: QuarantineState = 'QUARANTINED'): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM quarantined_item WHERE state = $1::quarantine_state`, [state]);
  return rows[0].n;
}

/** The item, locked for a decision inside the caller's transaction. */
export async function lockQuarantinedItem(db: pg.ClientBase, id: string): Promise<QuarantinedItemRow | null> {
  const { rows } = await db.query<QuarantinedItemRow>(`SELECT ${COLUMNS} FROM quarantined_item WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

export async function markQuarantinedItem(db: Db, options: { id: string; state: 'RETRIED' | 'DISCARDED'; by: string; at: Date }): Promise<void> {
  await db.query(`UPDATE quarantined_item SET state = $2::quarantine_state, resolved_by = $3, resolved_at = $4, updated_at = $4 WHERE id = $1`, [
    options.id,
    options.state,
    options.by,
    options.at,
  ]);
}

/**
 * Keys of a source's items waiting for a decision: for consumers that find their work again on
 * every pass (collections due, deployments due), which skip these until they are retried.
 */
export async function quarantinedKeys(db: Db, source: string): Promise<Set<string>> {
  const { rows } = await db.query<{ item_key: string }>(`SELECT item_key FROM quarantined_item WHERE source = $1 AND state = 'QUARANTINED'`, [
    source,
  ]);
  return new Set(rows.map((r) => r.item_key));
}
