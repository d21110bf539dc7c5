import type pg from 'pg';
import { inTransaction } from '../db/transaction';

/**
 * client_operation_target and live_query_row are partitioned by range of operation_id, one
 * partition per block of OPERATIONS_PER_PARTITION operations (<table>_b<block>), so aged
 * operations go by dropping whole blocks (see delete-aged-client-operations.ts). There is no
 * default partition: the block an operation needs is always made before its rows are written.
 */
export const OPERATIONS_PER_PARTITION = 100;
const TABLES = ['client_operation_target', 'live_query_row'] as const;

const blockOf = (operationId: number) => Math.floor(operationId / OPERATIONS_PER_PARTITION);
const partitionName = (table: string, block: number) => `${table}_b${block}`;

/**
 * Makes the partitions of the block holding `operationId` where missing, inside the caller's
 * transaction (the one that creates the operation), and holds them until it commits. The block is
 * normally there already: the first block comes with the schema and each start makes the next one
 * after its commit (makeNextOperationBlock), so a push seldom waits for the lock making one takes.
 */
export async function ensureOperationPartitions(client: pg.PoolClient, operationId: number): Promise<void> {
  await makeBlock(client, blockOf(operationId));
  // Held until the operation is committed: a purge dropping this block waits for it, then sees it.
  await client.query(`LOCK TABLE ${partitionName(TABLES[0], blockOf(operationId))} IN ACCESS SHARE MODE`);
}

/** Makes the block after the one holding `operationId` where missing, in a transaction of its own, off the push's path. */
export async function makeNextOperationBlock(db: pg.Pool, operationId: number): Promise<void> {
  await inTransaction(db, (client) => makeBlock(client, blockOf(operationId) + 1));
}

async function makeBlock(client: pg.PoolClient, block: number): Promise<void> {
  const wanted = TABLES.map((table) => ({ table, name: partitionName(table, block) }));
  // One look for both: usually neither is missing.
  const { rows: missing } = await client.query<{ name: string }>(`SELECT n AS name FROM unnest($1::text[]) n WHERE to_regclass(n) IS NULL`, [
    wanted.map((w) => w.name),
  ]);
  const missingNames = new Set(missing.map((r) => r.name));
  for (const { table, name } of wanted) {
    if (!missingNames.has(name)) continue;
    // Two starts may make the same block at once: the second's CREATE is a no-op after the first commits,
    // and a lost race on the catalog (duplicate type) leaves the savepoint, not the transaction.
    await client.query('SAVEPOINT make_partition');
    try {
      const from = block * OPERATIONS_PER_PARTITION;
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM (${from}) TO (${from + OPERATIONS_PER_PARTITION})`,
      );
      await client.query('RELEASE SAVEPOINT make_partition');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT make_partition');
      if (!['42P07', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
}

/**
 * Refreshes the planner's statistics of the target partition holding `operationId`. A fleet-wide
 * operation's thousands of targets are written in one statement, after which the partition's
 * statistics still describe what it held before (often nothing): each flush of answers then
 * planned its update as a scan of the whole partition (10–25 ms a batch at 25,000 targets)
 * instead of looking its rows up by key.
 */
export async function analyzeOperationTargets(db: pg.Pool, operationId: number): Promise<void> {
  await db.query(`ANALYZE ${partitionName(TABLES[0], blockOf(operationId))}`);
}

/** The blocks whose partitions exist, oldest first. */
export async function listOperationBlocks(db: pg.Pool): Promise<number[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'client_operation_target'::regclass`,
  );
  return rows
    .map((r) => Number(/_b(\d+)$/.exec(r.name)?.[1] ?? NaN))
    .filter((b) => Number.isInteger(b))
    .sort((a, b) => a - b);
}

/**
 * Drops one block when every operation it can hold has been started and ended (validity over, or
 * cancelled) before `before`: its partitions of live query rows and of per-device results go
 * whole, then its operations (and their pushes). Nothing happens when an operation of the block
 * is not due yet, or when ids of the block are still to be given out. Returns the operations
 * deleted, or null when the block stays. One short transaction; a lock it cannot have within a
 * moment is tried again at the next run.
 */
export async function dropBlockIfAged(db: pg.Pool, block: number, before: Date): Promise<number[] | null> {
  const from = block * OPERATIONS_PER_PARTITION;
  const to = from + OPERATIONS_PER_PARTITION;
  return inTransaction(db, async (client) => {
    await client.query(`SET LOCAL lock_timeout = '2s'`);
    const existing: { table: string; name: string }[] = [];
    for (const table of TABLES) {
      const name = partitionName(table, block);
      const found = await client.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [name]);
      if (found.rows[0].ok) existing.push({ table, name });
    }
    // Locked first: an operation of the block still being started holds its lock until it commits,
    // and is then seen by the check below.
    for (const { name } of existing) await client.query(`LOCK TABLE ${name} IN ACCESS EXCLUSIVE MODE`);
    const { rows } = await client.query<{ due: boolean; issued: boolean }>(
      `SELECT coalesce(bool_and(valid_until < $3 OR coalesce(cancelled_at < $3, false)), true) AS due,
              (SELECT last_value >= $2 - 1 FROM client_operation_id_seq) AS issued
         FROM client_operation WHERE id >= $1 AND id < $2`,
      [from, to, before],
    );
    if (!rows[0].due || !rows[0].issued) return null;
    // Detached before dropped: a detach takes only a moment's lock on the parent, the drop none.
    for (const { table, name } of existing.reverse()) {
      await client.query(`ALTER TABLE ${table} DETACH PARTITION ${name}`);
      await client.query(`DROP TABLE ${name}`);
    }
    const deleted = await client.query<{ id: number }>(`DELETE FROM client_operation WHERE id >= $1 AND id < $2 RETURNING id`, [from, to]);
    return deleted.rows.map((r) => r.id);
  });
}
