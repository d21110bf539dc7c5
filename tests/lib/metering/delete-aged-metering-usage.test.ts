// The retention of raw metering usage on a real database: day partitions of metering_usage made
// ahead, runs that landed in the default partition moved into their day's partition when it is
// made, and only due days whose every run the metering summarizer has counted dropped.
import { beforeAll, describe, expect, it } from 'vitest';
import { dayPartitionName, dayStart, listDayPartitions } from '@/lib/db/day-partitions';
import { pool } from '@/lib/db/pool';
import {
  deleteAgedConcurrencySteps,
  deleteAgedMeteringUsage,
  ensureMeteringUsagePartitions,
  meteringUsageTable,
} from '@/lib/metering/delete-aged-metering-usage';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { addConcurrencySteps, lockConcurrencyHorizon } from '@/lib/metering/summary-repo';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
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

  it('makes no partition for a day past the retention, however many days runs name, and deletes their counted runs instead', async () => {
    const now = Date.now();
    // A client whose clock is years off, or one that means harm, names hundreds of days long gone:
    // a partition (a table and its indexes) each would keep Status Manager's start busy for minutes.
    const longAgo = Date.UTC(1990, 0, 1);
    for (let i = 0; i < 200; i++) await storeRun(new Date(longAgo + i * DAY), i % 2 === 0);
    const old = `SELECT count(*) n FROM metering_usage_default WHERE started_at < '2000-01-01'`;
    const atStart = await ensureMeteringUsagePartitions({ db: pool(), now: new Date(now), daysAhead: 2, retentionDays: 90 });
    expect(atStart.created).toEqual([]);
    const result = await deleteAgedMeteringUsage({ db: pool(), retentionDays: 90, now: new Date(now), partitionDaysAhead: 2 });
    expect(result.partitionsCreated).toEqual([]);
    expect((await partitions()).filter((name) => name < partitionOf(now - 90 * DAY))).toEqual([]);
    // The summarizer's counted runs go; the others wait for it, as in a day partition.
    expect(await count(old)).toBe(100);
    await pool().query(`UPDATE metering_usage SET summarized_at = now() WHERE summarized_at IS NULL AND started_at < '2000-01-01'`);
    await deleteAgedMeteringUsage({ db: pool(), retentionDays: 90, now: new Date(now), partitionDaysAhead: 2 });
    expect(await count(old)).toBe(0);
  });

  it('deletes runs-at-once minute rows older than the retention (31 days at least), keeps day rows, and leaves later runs of those days out', async () => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    const step = (daysAgo: number, hour: number, delta: number) => ({ ruleId: 9, at: new Date(today - daysAgo * DAY + hour * 3_600_000), delta });
    const client = await pool().connect();
    try {
      for (const daysAgo of [100, 40, 10]) await addConcurrencySteps(client, [step(daysAgo, 10, 1), step(daysAgo, 11, -1)]);
    } finally {
      client.release();
    }
    const minuteDays = async () =>
      (
        await pool().query<{ day: string }>(
          `SELECT DISTINCT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM metering_concurrency WHERE rule_id = 9 ORDER BY 1`,
        )
      ).rows.map((r) => r.day);
    const dayRows = async () => Number((await pool().query(`SELECT count(*) n FROM metering_concurrency_day WHERE rule_id = 9`)).rows[0].n);
    const isoDay = (daysAgo: number) => new Date(today - daysAgo * DAY).toISOString().slice(0, 10);

    const result = await deleteAgedMeteringUsage({ db: pool(), retentionDays: 90, now: new Date(), partitionDaysAhead: 1 });
    expect(result).toMatchObject({ concurrencyStepsDeleted: 2, concurrencyHorizon: isoDay(90) });
    expect(await minuteDays()).toEqual([isoDay(40), isoDay(10)]);
    expect(await dayRows()).toBe(3);
    // A retention under 31 days keeps the minute rows the time-of-day profile reads.
    expect(await deleteAgedMeteringUsage({ db: pool(), retentionDays: 5, now: new Date(), partitionDaysAhead: 1 })).toMatchObject({
      concurrencyStepsDeleted: 2,
      concurrencyHorizon: isoDay(31),
    });
    expect(await minuteDays()).toEqual([isoDay(10)]);
    // A shorter retention never moves the horizon back.
    expect((await deleteAgedMeteringUsage({ db: pool(), retentionDays: 365, now: new Date(), partitionDaysAhead: 1 })).concurrencyHorizon).toBe(
      isoDay(31),
    );

    // A run that reaches the site after its day's minutes went counts in the summaries, not in runs at once.
    const run = (key: string, daysAgo: number) => ({
      ruleId: 9,
      usageKey: key,
      startedAt: new Date(today - daysAgo * DAY + 9 * 3_600_000),
      endedAt: new Date(today - daysAgo * DAY + 12 * 3_600_000),
      userName: 'late',
      processId: 1,
      filePath: '/usr/bin/x',
      fileVersion: '',
      endEstimated: false,
    });
    await insertMeteringUsage(pool(), 5, [run('late', 35), run('recent', 3)]);
    while (await summarizeMeteringUsage({ db: pool() }));
    expect(await minuteDays()).toEqual([isoDay(10), isoDay(3)]);
    expect(await dayRows()).toBe(4);
    const { rows } = await pool().query(`SELECT run_count FROM metering_summary WHERE rule_id = 9 AND period = 'DAY' ORDER BY period_start`);
    expect(rows).toEqual([{ run_count: 1 }, { run_count: 1 }]);
  });

  it('waits for a summarizer pass that holds the horizon before deleting minute rows', async () => {
    const pass = await pool().connect();
    try {
      await pass.query('BEGIN');
      await lockConcurrencyHorizon(pass);
      let done = false;
      const deleting = deleteAgedConcurrencySteps(pool(), { retentionDays: 60, now: new Date() }).then((r) => ((done = true), r));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await pass.query('COMMIT');
      // It ran once the pass ended (the horizon never moves back, so it stays where the test before left it).
      expect(await deleting).toMatchObject({ deleted: 0 });
      expect(done).toBe(true);
    } finally {
      pass.release();
    }
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
