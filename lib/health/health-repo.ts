import type pg from 'pg';

/** One round trip to the database on `client`. */
export async function pingDatabase(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT 1');
}
