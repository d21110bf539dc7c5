import type pg from 'pg';

/** Runs `work` in one transaction on a client of `db`: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(db: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

let savepoints = 0;

/**
 * Runs `work` inside a savepoint of the caller's open transaction: a failure rolls back only
 * what `work` did and leaves the transaction usable (for isolating one item of a batch).
 */
export async function inSavepoint<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  const name = `sp_${++savepoints}`;
  await client.query(`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await client.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
    throw error;
  }
}
