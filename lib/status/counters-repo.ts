import type pg from 'pg';

/** Adds `values[i]` to counter `names[i]` in the given shard row. */
export async function addToCounterShard(
  db: pg.ClientBase | pg.Pool,
  names: readonly string[],
  values: readonly number[],
  shard: number,
): Promise<void> {
  await db.query(
    `INSERT INTO status_counter (name, shard, value)
     SELECT name, $3, value FROM unnest($1::text[], $2::bigint[]) AS t(name, value)
     ON CONFLICT (name, shard) DO UPDATE SET value = status_counter.value + EXCLUDED.value`,
    [names, values, shard],
  );
}

/** Each counter's total over its shards, as text (bigint). */
export async function sumCounterShards(db: pg.Pool | pg.ClientBase): Promise<{ name: string; total: string }[]> {
  const { rows } = await db.query<{ name: string; total: string }>(`SELECT name, sum(value)::text AS total FROM status_counter GROUP BY name`);
  return rows;
}
