import type pg from 'pg';

/** Takes session advisory lock `key` on `client` if no other session holds it; true when taken. */
export async function tryAdvisoryLock(client: pg.ClientBase, key: bigint): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1) AS ok`, [key.toString()]);
  return rows[0].ok;
}

export async function advisoryUnlock(client: pg.ClientBase, key: bigint): Promise<void> {
  await client.query(`SELECT pg_advisory_unlock($1)`, [key.toString()]);
}
