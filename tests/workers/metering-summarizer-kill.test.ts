// The metering summarizer in a worker process killed with SIGKILL in the middle of a pass: the
// runs that pass held are counted by the next process, once, and the summaries are what the runs
// stored give when counted afresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { summarizeUsage, type UsageRun } from '@/lib/metering/summarize-usage';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
import { useTestDatabase } from '../support/database';
import { holdTable, until, workerProcesses } from '../support/worker-processes';

// Three passes of the worker's 5,000 runs each.
const RUNS = 12_000;
const DAY_MS = 86_400_000;

const counted = async () => Number((await pool().query(`SELECT count(*) AS n FROM metering_usage WHERE summarized_at IS NOT NULL`)).rows[0].n);

/** The summaries as stored, in the shape summarizeUsage gives them. */
async function stored() {
  const periods = await pool().query<{
    rule_id: number;
    period: string;
    start: string;
    users: number;
    computers: number;
    runs: number;
    seconds: string;
  }>(
    `SELECT rule_id, period::text, to_char(period_start, 'YYYY-MM-DD') AS start, distinct_users AS users,
            distinct_computers AS computers, run_count AS runs, run_seconds::text AS seconds
       FROM metering_summary ORDER BY 1, 2, 3`,
  );
  const computers = await pool().query<{ rule_id: number; device_id: number; last_run_at: Date; run_count: number }>(
    `SELECT rule_id, device_id, last_run_at, run_count FROM metering_computer_last_run ORDER BY 1, 2`,
  );
  const users = await pool().query<{ rule_id: number; user_name: string; last_run_at: Date; run_count: number }>(
    `SELECT rule_id, user_name, last_run_at, run_count FROM metering_user_last_run ORDER BY 1, 2`,
  );
  const steps = await pool().query<{ rule_id: number; at: Date; delta: number }>(
    `SELECT rule_id, at, delta FROM metering_concurrency WHERE delta <> 0 ORDER BY 1, 2`,
  );
  return {
    periods: periods.rows.map((r) => [r.rule_id, r.period, r.start, r.users, r.computers, r.runs, Number(r.seconds)]),
    computers: computers.rows.map((r) => [r.rule_id, r.device_id, r.last_run_at.toISOString(), r.run_count]),
    users: users.rows.map((r) => [r.rule_id, r.user_name, r.last_run_at.toISOString(), r.run_count]),
    steps: steps.rows.map((r) => [r.rule_id, r.at.toISOString(), r.delta]),
  };
}

/** The summaries counted afresh from every run stored, in one go. */
async function recomputed() {
  const { rows } = await pool().query<{ rule_id: number; device_id: number; user_name: string; started_at: Date; ended_at: Date }>(
    `SELECT rule_id, device_id, user_name, started_at, ended_at FROM metering_usage`,
  );
  const runs: UsageRun[] = rows.map((r) => ({
    ruleId: r.rule_id,
    deviceId: r.device_id,
    userName: r.user_name,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  }));
  const all = summarizeUsage(runs);
  const byKey = (a: unknown[], b: unknown[]) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1);
  return {
    periods: all.periods.map((p) => [p.ruleId, p.period, p.periodStart, p.users.length, p.deviceIds.length, p.runCount, p.runSeconds]),
    computers: all.computers
      .map((c) => [c.ruleId, c.key, c.lastRunAt.toISOString(), c.runCount])
      .sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])),
    users: all.users.map((u) => [u.ruleId, u.key, u.lastRunAt.toISOString(), u.runCount]).sort(byKey),
    steps: all.concurrency.map((c) => [c.ruleId, c.at.toISOString(), c.delta]),
  };
}

describe('the metering summarizer killed with SIGKILL mid-pass', () => {
  let url: string;
  const { start, kill, killAll } = workerProcesses(() => url);
  let release = async () => {};

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    // Runs over three rules, 40 computers, 23 users and five days, from a second to two hours long.
    const day0 = Date.parse('2026-11-29T00:00:00Z');
    for (let device = 1; device <= 40; device++) {
      const runs = Array.from({ length: RUNS / 40 }, (_, i) => {
        const n = device * 1_000 + i;
        const startedAt = new Date(day0 + ((n * 7_919) % ((5 * DAY_MS) / 1000)) * 1000);
        return {
          ruleId: 1 + (n % 3),
          usageKey: `boot:${n}:1:${1 + (n % 3)}`,
          startedAt,
          endedAt: new Date(startedAt.getTime() + (1 + ((n * 31) % 7_200)) * 1000),
          userName: `user${n % 23}`,
          processId: n,
          filePath: '/usr/bin/app',
          fileVersion: '1.0',
          endEstimated: false,
        };
      });
      await insertMeteringUsage(pool(), device, runs);
    }
  }, 60_000);
  afterAll(async () => {
    await release();
    await killAll();
  });

  it('counts every run once after a restart: the summaries are those of the runs counted afresh', async () => {
    const worker = await start('metering-summarizer');
    // A pass committed; the next one then waits, in the middle of its transaction (its day and
    // month sums and latest runs written), on the runs-at-once table held here.
    await until('a pass counted', async () => (await counted()) > 0);
    const held = await holdTable(url, 'metering_concurrency_day');
    release = held.release;
    await held.waiting();
    await kill(worker);
    await held.release();
    // What the killed pass held is not counted: it waits for the next process.
    expect(await counted()).toBeLessThan(RUNS);

    await start('metering-summarizer');
    await until('every run counted', async () => (await counted()) === RUNS);
    expect(await stored()).toEqual(await recomputed());
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM quarantined_item`);
    expect(rows[0].n).toBe(0);
  }, 90_000);
});
