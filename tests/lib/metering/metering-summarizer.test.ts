// The metering summarizer on a real database: summaries right for a set of runs, each run counted
// exactly once — after a batch sent again, across passes and with two summarizers at once — and
// nothing counted by a pass that fails.
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { startMeteringSummarizer } from '@/lib/metering/metering-summarizer';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { addConcurrencySteps } from '@/lib/metering/summary-repo';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
import { useTestDatabase } from '../../support/database';

const run = (ruleId: number, usageKey: string, userName: string, start: string, seconds: number) => ({
  ruleId,
  usageKey,
  startedAt: new Date(start),
  endedAt: new Date(new Date(start).getTime() + seconds * 1000),
  userName,
  processId: 100,
  filePath: '/usr/bin/app',
  fileVersion: '1.0',
  endEstimated: false,
});

const summaries = async (ruleId: number) =>
  (
    await pool().query<{ period: string; start: string; users: number; computers: number; runs: number; seconds: string }>(
      `SELECT period::text, to_char(period_start, 'YYYY-MM-DD') AS start, distinct_users AS users, distinct_computers AS computers,
              run_count AS runs, run_seconds::text AS seconds
         FROM metering_summary WHERE rule_id = $1 ORDER BY period, period_start`,
      [ruleId],
    )
  ).rows.map((r) => [r.period, r.start, r.users, r.computers, r.runs, Number(r.seconds)]);
const uncounted = async () => Number((await pool().query(`SELECT count(*) n FROM metering_usage WHERE summarized_at IS NULL`)).rows[0].n);

describe('metering summarizer', () => {
  beforeAll(async () => {
    await useTestDatabase();
  });

  it('keeps distinct users and computers, runs and time per rule, day and month, each run once', async () => {
    const deviceA = [run(1, 'a1', 'alice', '2026-11-30T22:00:00Z', 600), run(1, 'a2', 'alice', '2026-12-01T08:00:00Z', 60)];
    const deviceB = [run(1, 'b1', 'bob', '2026-12-01T09:00:00Z', 30), run(1, 'b2', 'alice', '2026-12-01T10:00:00Z', 30)];
    expect(await insertMeteringUsage(pool(), 11, deviceA)).toBe(2);
    expect(await insertMeteringUsage(pool(), 12, deviceB)).toBe(2);
    expect(await summarizeMeteringUsage({ db: pool(), limit: 3 })).toBe(3);
    expect(await summarizeMeteringUsage({ db: pool(), limit: 3 })).toBe(1);
    expect(await summarizeMeteringUsage({ db: pool() })).toBe(0);
    const expected = [
      ['DAY', '2026-11-30', 1, 1, 1, 600],
      ['DAY', '2026-12-01', 2, 2, 3, 120],
      ['MONTH', '2026-11-01', 1, 1, 1, 600],
      ['MONTH', '2026-12-01', 2, 2, 3, 120],
    ];
    expect(await summaries(1)).toEqual(expected);

    // A batch sent again (its answer was lost) stores nothing, so nothing is counted twice.
    expect(await insertMeteringUsage(pool(), 12, deviceB)).toBe(0);
    expect(await summarizeMeteringUsage({ db: pool() })).toBe(0);
    // A new run by a user and on a computer already counted that day adds a run, not a distinct one.
    await insertMeteringUsage(pool(), 11, [run(1, 'a3', 'bob', '2026-12-01T12:00:00Z', 10)]);
    expect(await summarizeMeteringUsage({ db: pool() })).toBe(1);
    expect(await summaries(1)).toEqual([expected[0], ['DAY', '2026-12-01', 2, 2, 4, 130], expected[2], ['MONTH', '2026-12-01', 2, 2, 4, 130]]);
    const { rows: computers } = await pool().query(
      `SELECT device_id, run_count, last_user, last_run_at FROM metering_computer_last_run WHERE rule_id = 1 ORDER BY device_id`,
    );
    expect(computers).toEqual([
      { device_id: 11, run_count: 3, last_user: 'bob', last_run_at: new Date('2026-12-01T12:00:00Z') },
      { device_id: 12, run_count: 2, last_user: 'alice', last_run_at: new Date('2026-12-01T10:00:00Z') },
    ]);
    const { rows: users } = await pool().query(`SELECT user_name, run_count FROM metering_user_last_run WHERE rule_id = 1 ORDER BY user_name`);
    expect(users).toEqual([
      { user_name: 'alice', run_count: 3 },
      { user_name: 'bob', run_count: 2 },
    ]);
    // Runs at once: each run once, +1 at its first whole minute and -1 at the one after its end.
    const { rows: steps } = await pool().query<{ at: Date; delta: number }>(
      `SELECT at, delta FROM metering_concurrency WHERE rule_id = 1 ORDER BY at`,
    );
    expect(steps.map((r) => `${r.at.toISOString().slice(5, 16)} ${r.delta}`)).toEqual([
      '11-30T22:00 1',
      '11-30T22:10 -1',
      '12-01T08:00 1',
      '12-01T08:01 -1',
      '12-01T09:00 1',
      '12-01T09:01 -1',
      '12-01T10:00 1',
      '12-01T10:01 -1',
      '12-01T12:00 1',
      '12-01T12:01 -1',
    ]);
    const { rows: days } = await pool().query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, net, max_rise, max_rise_at FROM metering_concurrency_day WHERE rule_id = 1 ORDER BY day`,
    );
    expect(days).toEqual([
      { day: '2026-11-30', net: 0, max_rise: 1, max_rise_at: new Date('2026-11-30T22:00:00Z') },
      { day: '2026-12-01', net: 0, max_rise: 1, max_rise_at: new Date('2026-12-01T08:00:00Z') },
    ]);
  });

  it('counts each run once with two summarizers at once, and nothing in a pass that fails', async () => {
    const runs = Array.from({ length: 400 }, (_, i) => run(2, `k${i}`, `user${i % 7}`, `2026-12-02T${String(i % 24).padStart(2, '0')}:00:00Z`, 1));
    for (let device = 20; device < 25; device++) await insertMeteringUsage(pool(), device, runs.slice((device - 20) * 80, (device - 19) * 80));
    // A pass that fails after adding to the summaries rolls back: nothing counted, every run still waits.
    await pool().query(`ALTER TABLE metering_user_last_run ADD CONSTRAINT fail_once CHECK (run_count < 0) NOT VALID`);
    await expect(summarizeMeteringUsage({ db: pool() })).rejects.toThrow();
    expect(await uncounted()).toBe(400);
    expect(await summaries(2)).toEqual([]);
    await pool().query(`ALTER TABLE metering_user_last_run DROP CONSTRAINT fail_once`);

    const passes = async () => {
      let total = 0;
      for (let n = await summarizeMeteringUsage({ db: pool(), limit: 50 }); n; n = await summarizeMeteringUsage({ db: pool(), limit: 50 }))
        total += n;
      return total;
    };
    const [first, second] = await Promise.all([passes(), passes()]);
    expect(first + second).toBe(400);
    expect(await uncounted()).toBe(0);
    expect(await summaries(2)).toEqual([
      ['DAY', '2026-12-02', 7, 5, 400, 400],
      ['MONTH', '2026-12-01', 7, 5, 400, 400],
    ]);
    // 400 one-second runs on the hour, each holding its hour's first minute: +1 there and -1 a minute on.
    const { rows: steps } = await pool().query<{ n: number; up: number; down: number }>(
      `SELECT count(*)::int AS n, sum(delta) FILTER (WHERE delta > 0)::int AS up, sum(delta) FILTER (WHERE delta < 0)::int AS down
         FROM metering_concurrency WHERE rule_id = 2`,
    );
    expect(steps[0]).toEqual({ n: 48, up: 400, down: -400 });
    // Both summarizers added to that day: its row holds every step (17 runs held 00:00, the hour with most).
    const { rows: day } = await pool().query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, net, max_rise, max_rise_at FROM metering_concurrency_day WHERE rule_id = 2`,
    );
    expect(day).toEqual([{ day: '2026-12-02', net: 0, max_rise: 17, max_rise_at: new Date('2026-12-02T00:00:00Z') }]);
  });

  it('rewrites a day in turn when two summarizers add steps to it at once, the second seeing the first', async () => {
    const first = await pool().connect();
    const second = await pool().connect();
    const step = (at: string, delta: number) => ({ ruleId: 4, at: new Date(at), delta });
    // The day has a row already (a run of the morning), so neither waits on the other's new row.
    await addConcurrencySteps(first, [step('2026-12-04T08:00:00Z', 1), step('2026-12-04T08:30:00Z', -1)]);
    try {
      await first.query('BEGIN');
      await addConcurrencySteps(first, [step('2026-12-04T10:00:00Z', 1), step('2026-12-04T12:00:00Z', -1)]);
      await second.query('BEGIN');
      const adding = addConcurrencySteps(second, [step('2026-12-04T11:00:00Z', 1), step('2026-12-04T11:30:00Z', -1)]).then(() =>
        second.query('COMMIT'),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await first.query('COMMIT');
      await adding;
    } finally {
      first.release();
      second.release();
    }
    const { rows } = await pool().query(`SELECT net, max_rise, max_rise_at FROM metering_concurrency_day WHERE rule_id = 4`);
    expect(rows).toEqual([{ net: 0, max_rise: 2, max_rise_at: new Date('2026-12-04T11:00:00Z') }]);
  });

  it('the running summarizer counts runs as soon as a management point says they are stored', async () => {
    const stop = new AbortController();
    const summarizer = startMeteringSummarizer({
      db: pool(),
      connectionString: process.env.DATABASE_URL!,
      log: pino({ level: 'silent' }),
      signal: stop.signal,
      pollMs: 3_600_000,
    });
    try {
      await summarizer.listening;
      await insertMeteringUsage(pool(), 30, [run(3, 'n1', 'carol', '2026-12-03T08:00:00Z', 5)]);
      await pool().query(`NOTIFY sitebox_metering_usage`);
      await expect
        .poll(() => summaries(3), { timeout: 10_000 })
        .toEqual([
          ['DAY', '2026-12-03', 1, 1, 1, 5],
          ['MONTH', '2026-12-01', 1, 1, 1, 5],
        ]);
    } finally {
      stop.abort();
      await summarizer.stop();
    }
  });
});
