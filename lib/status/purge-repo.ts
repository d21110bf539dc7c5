import type pg from 'pg';

/** Rows past their time in one table: which, in what order, keyed how (for isolating one that cannot be deleted). */
export interface AgedRows {
  table: 'status_message' | 'status_processed_uid';
  key: 'id' | 'uid';
  keyType: 'bigint' | 'uuid';
  /** The rows' condition, with the cutoff as $1. */
  condition: string;
  order: string;
  cutoff: Date;
}

const agedSelect = (rows: AgedRows) =>
  `SELECT ${rows.key} FROM ${rows.table} WHERE ${rows.condition} AND NOT (${rows.key} = ANY($3::${rows.keyType}[])) ${rows.order} LIMIT $2`;

/** Deletes up to `limit` aged rows, leaving those keyed in `skip`; returns how many went. */
export async function deleteAgedBatch(db: pg.Pool, rows: AgedRows, limit: number, skip: readonly string[]): Promise<number> {
  const result = await db.query(`DELETE FROM ${rows.table} WHERE ${rows.key} IN (${agedSelect(rows)})`, [rows.cutoff, limit, skip]);
  return result.rowCount ?? 0;
}

/** The keys (as text) of the batch deleteAgedBatch would take. */
export async function selectAgedKeys(db: pg.Pool, rows: AgedRows, limit: number, skip: readonly string[]): Promise<string[]> {
  const { rows: batch } = await db.query<{ key: string }>(`SELECT ${rows.key}::text AS key FROM (${agedSelect(rows)}) x`, [rows.cutoff, limit, skip]);
  return batch.map((r) => r.key);
}

export async function deleteRowsByKey(db: pg.Pool, rows: AgedRows, keys: readonly string[]): Promise<number> {
  return (await db.query(`DELETE FROM ${rows.table} WHERE ${rows.key} = ANY($1::${rows.keyType}[])`, [keys])).rowCount ?? 0;
}
