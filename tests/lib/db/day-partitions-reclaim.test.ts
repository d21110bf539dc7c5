import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { dayPartitionName, dayStart, dropDayPartitionsBefore, ensureDayPartitions, type DayPartitionedTable } from '@/lib/db/day-partitions';
import { useTestDatabase } from '../../support/database';

const DAY = 86_400_000;
const table: DayPartitionedTable = { parent: 'reclaim_probe', column: 'at' };
const count = async (sql: string, params: unknown[] = []) => Number((await pool().query(sql, params)).rows[0].n);
const exists = async (name: string) => count(`SELECT count(*) n FROM pg_class WHERE relname = $1`, [name]);

/** A day-partitioned table like status_message: a primary key (dropped with its constraint), a unique index and a plain one. */
async function makeTable(now: Date) {
  await pool().query(`DROP TABLE IF EXISTS reclaim_probe`);
  await pool().query(
    `CREATE TABLE reclaim_probe (id bigint NOT NULL, at timestamptz NOT NULL, note text NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
  );
  await pool().query(`CREATE TABLE reclaim_probe_default PARTITION OF reclaim_probe DEFAULT`);
  await pool().query(`CREATE UNIQUE INDEX ON reclaim_probe (note, at)`);
  await pool().query(`CREATE INDEX ON reclaim_probe (at)`);
  await ensureDayPartitions(table, { db: pool(), now: new Date(now.getTime() - DAY), daysAhead: 2 });
  // About 2 MB in yesterday's partition, heap and indexes together.
  await pool().query(`INSERT INTO reclaim_probe SELECT g, $1::timestamptz, md5(g::text) FROM generate_series(1, 10000) g`, [
    new Date(now.getTime() - DAY),
  ]);
}

/** The pieces of a partition's files: each index, then the table itself. */
async function pieces(name: string): Promise<{ indexBytes: number[]; tableBytes: number }> {
  const { rows } = await pool().query<{ bytes: string }>(
    `SELECT pg_relation_size(indexrelid)::text AS bytes FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`,
    [name],
  );
  return { indexBytes: rows.map((r) => Number(r.bytes)), tableBytes: await count(`SELECT pg_table_size($1::regclass) n`, [name]) };
}

describe('dropDayPartitionsBefore: freeing a due partition', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('takes the rows out of the table at once, then frees its files a piece at a time at the pace asked', async () => {
    const now = new Date();
    await makeTable(now);
    const yesterday = dayPartitionName(table, dayStart(new Date(now.getTime() - DAY)));
    const { indexBytes, tableBytes } = await pieces(yesterday);
    expect(indexBytes).toHaveLength(3);
    const bytesPerSecond = 4 * 1024 * 1024;

    let detachedAt = 0;
    let rowsWhenDetached = -1;
    let seenWhenDetached: Promise<[number, number]> | undefined;
    const started = performance.now();
    const result = await dropDayPartitionsBefore(table, {
      db: pool(),
      before: dayStart(now),
      reclaimBytesPerSecond: bytesPerSecond,
      onDetached: (partition, rows) => {
        detachedAt = performance.now();
        rowsWhenDetached = rows;
        // Asked as the partition leaves: its rows are out of the parent, its files not yet gone.
        seenWhenDetached = Promise.all([count(`SELECT count(*) n FROM reclaim_probe`), exists(partition)]);
      },
    });
    const finished = performance.now();
    expect(result).toMatchObject({ rows: 10000, dropped: [yesterday], kept: [] });
    expect(rowsWhenDetached).toBe(10000);
    expect(await seenWhenDetached).toEqual([0, 1]);
    expect(await exists(yesterday)).toBe(0);
    // Each index waited for the one before it; the table waited for the largest index.
    const paced = indexBytes.reduce((sum, bytes) => sum + bytes, 0) / bytesPerSecond;
    expect(finished - detachedAt).toBeGreaterThanOrEqual(paced * 1000 - 5);
    // The table's own size is not waited out after it: nothing follows it.
    expect(finished - started).toBeLessThan((paced + tableBytes / bytesPerSecond) * 1000 + 2_000);
    // The partitions whose day has not passed are still attached.
    expect(await count(`SELECT count(*) n FROM pg_inherits WHERE inhparent = 'reclaim_probe'::regclass`)).toBe(3);
  });

  it('stopped while freeing, leaves the rest of the detached table for the next run, which drops it', async () => {
    const now = new Date();
    await makeTable(now);
    const yesterday = dayPartitionName(table, dayStart(new Date(now.getTime() - DAY)));
    const stop = new AbortController();
    const first = await dropDayPartitionsBefore(table, {
      db: pool(),
      before: dayStart(now),
      // Slow enough that the first index's wait is still running when it is stopped.
      reclaimBytesPerSecond: 1024,
      signal: stop.signal,
      onDetached: () => setTimeout(() => stop.abort(), 50),
    });
    expect(first.dropped).toEqual([yesterday]);
    // Detached, partly freed, still there.
    expect(await exists(yesterday)).toBe(1);
    expect(await count(`SELECT count(*) n FROM pg_inherits WHERE inhrelid = $1::regclass`, [yesterday])).toBe(0);
    expect((await pieces(yesterday)).indexBytes.length).toBeLessThan(3);

    const next = await dropDayPartitionsBefore(table, { db: pool(), before: dayStart(now) });
    expect(next.dropped).toEqual([]);
    expect(await exists(yesterday)).toBe(0);
  });
});
