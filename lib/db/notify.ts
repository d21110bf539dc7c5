import type pg from 'pg';

/**
 * Sends a PostgreSQL NOTIFY on `channel` through `db`: inside a transaction's client it is
 * delivered when that transaction commits, so listeners never hear of rows they cannot read yet.
 */
export async function notify(db: pg.Pool | pg.ClientBase, channel: string, payload = ''): Promise<void> {
  await db.query(`SELECT pg_notify($1, $2)`, [channel, payload]);
}
