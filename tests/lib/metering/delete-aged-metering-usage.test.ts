// The retention of raw metering usage on a real database: day partitions of metering_usage made
// ahead, runs that landed in the default partition moved into their day's partition when it is
// made, and only due days whose every run the metering summarizer has counted dropped.
import { beforeAll, describe, expect, it } from 'vitest';
import { dayPartitionName, dayStart, listDayPartitions } from '@/lib/db/day-partitions';
import { pool } from '@/lib/db/pool';
import { deleteAgedMeteringUsage, meteringUsageTable } from '@/lib/metering/delete-aged-metering-usage';
import { useTestDatabase } from '../../support/database';
import { startTestStatusManager } from '../../support/status-manager-settings';

const DAY = 86_400_000;
const count = async (sql: string) => Number((await pool().query<{ n: string }>(sql)).rows[0].n);
let key = 0;

/** Stores one run started at `startedAt` straight into metering_usage (routed to its partition). */
async function storeRun(startedAt: Date, summarized: boolean) {
  await pool().query(
    `INSERT INTO metering_usage (device_id, rule_id, usage_key, started_at, ended_at, user_name, process_id, file_path, summarized_at)
     VALUES (1, 1, $1, $2, $2::timestamptz + interval '1 minute', 'alice', 42, '/usr/bin/x', $3)`,
    [`k${++key}`, startedAt, summarized ? new Date() : null],
  );
}
const partitions = async () => (await listDayPartitions(pool(), meteringUsageTable)).map((p) => p.name);
const partitionOf = (time: number) => dayPartitionName(meteringUsageTable, dayStart(new Date(time)));

describe('deleteAgedMeteringUsage', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('makes partitions ahead, moves runs out of the default partition, and drops only due days the summarizer has counted', async () => {
    const now = Date.now();
    // Before any partition exists every run lands in the default partition, kept.
    await storeRun(new Date(now - 100 * DAY), true);
    await storeRun(new Date(now - 95 * DAY), true);
    await storeRun(new Date(now - 95 * DAY), false);
    await storeRun(new Date(now - 10 * DAY), false);
    await storeRun(new Date(now), true);
    expect(await count(`SELECT count(*) n FROM metering_usage_default`)).toBe(5);

    // A long retention: partitions made (ahead and for the waiting days), nothing dropped.
    const first = await deleteAgedMeteringUsage({ db: pool(), retentionDays: 365, now: new Date(now), partitionDaysAhead: 2 });
    expect(first).toMatchObject({ ran: true, dropped: [], rows: 0, waitingForSummarizer: [] });
    expect(first.partitionsCreated).toEqual(
      [now - 100 * DAY, now - 95 * DAY, now - 10 * DAY, now, now + DAY, now + 2 * DAY].map((t) => partitionOf(t)),
    );
    expect(await count(`SELECT count(*) n FROM metering_usage_default`)).toBe(0);
    expect(await count(`SELECT count(*) n FROM ${partitionOf(now - 95 * DAY)}`)).toBe(2);

    // 90 days: the day 100 days back is counted and goes; the day 95 days back still holds an
    // uncounted run and waits; the day 10 days back is not due.
    const second = await deleteAgedMeteringUsage({ db: pool(), retentionDays: 90, now: new Date(now), partitionDaysAhead: 2 });
    expect(second).toMatchObject({ dropped: [partitionOf(now - 100 * DAY)], rows: 1, waitingForSummarizer: [partitionOf(now - 95 * DAY)] });
    expect(await count(`SELECT count(*) n FROM metering_usage`)).toBe(4);

    // Once the summarizer has counted it, the waiting day goes too.
    await pool().query(`UPDATE metering_usage SET summarized_at = now() WHERE summarized_at IS NULL`);
    const third = await deleteAgedMeteringUsage({ db: pool(), retentionDays: 90, now: new Date(now), partitionDaysAhead: 2 });
    expect(third).toMatchObject({ dropped: [partitionOf(now - 95 * DAY)], waitingForSummarizer: [] });
    expect(await partitions()).toEqual([now - 10 * DAY, now, now + DAY, now + 2 * DAY].map((t) => partitionOf(t)));
    expect(await count(`SELECT count(*) n FROM metering_usage`)).toBe(2);

    // A run arriving for a day whose partition was dropped lands in the default partition, kept.
    await storeRun(new Date(now - 95 * DAY), false);
    expect(await count(`SELECT count(*) n FROM metering_usage_default`)).toBe(1);
  });

  it('skips when another process holds the task', async () => {
    const holder = await pool().connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(7301952044411)`);
      expect(await deleteAgedMeteringUsage({ db: pool(), retentionDays: 90, partitionDaysAhead: 1 })).toMatchObject({ ran: false });
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(7301952044411)`);
      holder.release();
    }
  });

  it('Status Manager makes the metering_usage partitions of the days ahead when it starts', async () => {
    const controller = new AbortController();
    const manager = await startTestStatusManager(controller.signal);
    try {
      // 14 days ahead unless configured otherwise, as for status_message.
      expect(await partitions()).toContain(partitionOf(Date.now() + 14 * DAY));
    } finally {
      controller.abort();
      await manager.stop();
    }
  });
});
