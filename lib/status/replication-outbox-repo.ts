import type pg from 'pg';

/** A replication_outbox row as the forwarder takes it. */
export interface OutboxRow {
  id: string;
  uid: string;
  priority_name: string;
  payload: unknown;
  attempts: number;
}

/** Locks up to `limit` due outbox rows, highest priority first; others forwarding skip them. */
export async function lockDueOutboxRows(client: pg.ClientBase, limit: number): Promise<OutboxRow[]> {
  const { rows } = await client.query<OutboxRow>(
    `SELECT id, uid, priority::text AS priority_name, payload, attempts FROM replication_outbox
      WHERE next_try_at <= now()
      ORDER BY priority DESC, id
      LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function deleteOutboxRows(client: pg.ClientBase, ids: readonly string[]): Promise<void> {
  await client.query(`DELETE FROM replication_outbox WHERE id = ANY($1::bigint[])`, [ids]);
}

/** Rows in the outbox, counted up to `cap` so a long outage never makes this slow. */
export async function countOutboxRows(db: pg.Pool | pg.ClientBase, cap: number): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM (SELECT 1 FROM replication_outbox LIMIT $1) o`, [cap]);
  return Number(rows[0].n);
}
