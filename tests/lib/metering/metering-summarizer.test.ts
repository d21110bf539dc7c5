// The metering summarizer on a real database: summaries right for a set of runs, each run counted
// exactly once — after a batch sent again, across passes and with two summarizers at once — and
// nothing counted by a pass that fails.
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { startMeteringSummarizer } from '@/lib/metering/metering-summarizer';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { addConcurrencySteps } from '@/lib/metering/summary-repo';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { statusMessageIds } from '@/lib/reporting/catalog';
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
    // A pass that fails after adding to the summaries, for a reason not in its runs (here a trigger
    // raising P0001, as a lost connection would fail it), rolls back: nothing counted, every run still waits.
    await pool().query(`CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the moment, not the data'; END $$`);
    await pool().query(`CREATE TRIGGER fail_once BEFORE INSERT OR UPDATE ON metering_user_last_run FOR EACH ROW EXECUTE FUNCTION fail_once()`);
    await expect(summarizeMeteringUsage({ db: pool() })).rejects.toThrow('the moment, not the data');
    expect(await uncounted()).toBe(400);
    expect(await summaries(2)).toEqual([]);
    await pool().query(`DROP TRIGGER fail_once ON metering_user_last_run; DROP FUNCTION fail_once()`);

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

  it('counts runs at the edges of the storable years without stalling: the last minute of 9999 and the first of year 1', async () => {
    // The end step of a run that ends in the last minute of 9999 falls on 10000-01-01.
    await insertMeteringUsage(pool(), 40, [run(5, 'last', 'zoe', '9999-12-31T23:58:10Z', 80), run(5, 'first', 'zoe', '0001-01-01T00:00:10Z', 300)]);
    expect(await summarizeMeteringUsage({ db: pool() })).toBe(2);
    expect(await uncounted()).toBe(0);
    const { rows } = await pool().query<{ day: string; net: number; max_rise: number }>(
      `SELECT day::text, net, max_rise FROM metering_concurrency_day WHERE rule_id = 5 ORDER BY metering_concurrency_day.day`,
    );
    // Year 1 lies before the horizon a new site starts with (1970-01-01): counted in the runs only.
    expect(rows).toEqual([
      { day: '9999-12-31', net: 1, max_rise: 1 },
      { day: '10000-01-01', net: -1, max_rise: 0 },
    ]);
    expect((await summaries(5)).map((r) => r.slice(0, 2))).toEqual([
      ['DAY', '0001-01-01'],
      ['DAY', '9999-12-31'],
      ['MONTH', '0001-01-01'],
      ['MONTH', '9999-12-01'],
    ]);
  });

  it('sets aside in the quarantine a run whose own data fails the pass, and counts the rest; retried, it is stored again', async () => {
    await insertMeteringUsage(pool(), 50, [run(6, 'p1', 'amy', '2026-12-05T08:00:00Z', 60), run(6, 'p3', 'ben', '2026-12-05T10:00:00Z', 60)]);
    await insertMeteringUsage(pool(), 51, [run(6, 'poison', 'amy', '2026-12-05T09:00:00Z', 60)]);
    // A check only the second computer's row fails (23514), as a value out of range would.
    await pool().query(`ALTER TABLE metering_computer_last_run ADD CONSTRAINT poison_run CHECK (last_run_at <> '2026-12-05T09:00:00Z') NOT VALID`);
    try {
      expect(await summarizeMeteringUsage({ db: pool() })).toBe(3);
    } finally {
      await pool().query(`ALTER TABLE metering_computer_last_run DROP CONSTRAINT poison_run`);
    }
    expect(await uncounted()).toBe(0);
    expect(await summaries(6)).toEqual([
      ['DAY', '2026-12-05', 2, 1, 2, 120],
      ['MONTH', '2026-12-01', 2, 1, 2, 120],
    ]);
    const { rows } = await pool().query<{ id: string; item_key: string; error_code: string }>(
      `SELECT id::text, item_key, error_code FROM quarantined_item WHERE source = 'metering-summarizer.usage'`,
    );
    expect(rows.map((r) => [r.item_key, r.error_code])).toEqual([['51/poison', '23514']]);
    expect(Number((await pool().query(`SELECT count(*) n FROM metering_usage WHERE usage_key = 'poison'`)).rows[0].n)).toBe(0);
    // An Error status message from the summarizer's component names it.
    const { rows: messages } = await pool().query<{ id: number; component: string }>(
      `SELECT (m->>'messageId')::int AS id, m->>'component' AS component FROM status_inbox, json_array_elements(messages::json) m`,
    );
    expect(messages).toContainEqual({ id: statusMessageIds.itemQuarantined, component: 'SMS_SOFTWARE_METERING_PROCESSOR' });

    // Retried, it goes back as a run not counted yet, and the next pass counts it.
    const admin = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
    expect(await decideQuarantinedItem({ id: rows[0].id, action: 'retry', actor: admin })).toMatchObject({ state: 'RETRIED' });
    expect(await uncounted()).toBe(1);
    expect(await summarizeMeteringUsage({ db: pool() })).toBe(1);
    expect((await summaries(6))[0]).toEqual(['DAY', '2026-12-05', 2, 2, 3, 180]);
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
