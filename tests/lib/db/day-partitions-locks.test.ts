import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { dayPartitionName, dayStart, ensureDayPartitions, type DayPartitionedTable } from '@/lib/db/day-partitions';
import { useTestDatabase } from '../../support/database';

const DAY = 86_400_000;
const table: DayPartitionedTable = { parent: 'lock_probe', column: 'at' };
const clients: pg.Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.end().catch(() => undefined);
});

describe('ensureDayPartitions beside a reader of the whole table', () => {
  let url = '';
  beforeAll(async () => {
    url = (await useTestDatabase()).url;
  });

  it('locks the parent before the default partition, as ANALYZE and queries of the parent do, so they never deadlock', async () => {
    const now = new Date();
    await pool().query(`DROP TABLE IF EXISTS lock_probe`);
    await pool().query(`CREATE TABLE lock_probe (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)`);
    await pool().query(`CREATE TABLE lock_probe_default PARTITION OF lock_probe DEFAULT`);
    await ensureDayPartitions(table, { db: pool(), now, daysAhead: 1 });
    // A row for a day without a partition yet: the next run creates that day's and moves the row in.
    const later = new Date(dayStart(now).getTime() + 5 * DAY + 3_600_000);
    await pool().query(`INSERT INTO lock_probe VALUES (1, $1)`, [later]);

    // What ANALYZE lock_probe (an operator's, say) holds first: the parent's share update exclusive lock.
    const reader = new pg.Client({ connectionString: url });
    clients.push(reader);
    await reader.connect();
    await reader.query('BEGIN');
    await reader.query('LOCK TABLE ONLY lock_probe IN SHARE UPDATE EXCLUSIVE MODE');

    const run = ensureDayPartitions(table, { db: pool(), now, daysAhead: 5 });
    // The partition run waits for the parent now; the reader goes on to each partition, as ANALYZE
    // does. With the default partition locked first by the run, this waited on it: a deadlock.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reader.query(`SET LOCAL statement_timeout = '800ms'`);
    const read = await reader.query<{ n: string }>(`SELECT count(*)::text AS n FROM lock_probe_default`);
    expect(read.rows[0].n).toBe('1');
    await reader.query('COMMIT');

    const { created, moved } = await run;
    expect(created).toContain(dayPartitionName(table, dayStart(later)));
    expect(moved).toBe(1);
    const { rows } = await pool().query<{ n: string }>(`SELECT count(*)::text AS n FROM ${dayPartitionName(table, dayStart(later))}`);
    expect(rows[0].n).toBe('1');
  });
});
