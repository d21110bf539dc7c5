import type pg from 'pg';
import type { MeteringUsageRecord } from '../protocol/metering-usage.schema';
import type { ConcurrencyStep, LastRun, PeriodIncrement, UsageRun } from './summarize-usage';

/** The thin data layer of the metering summarizer: raw runs in, summaries out (plain pg). */

/**
 * The day before which runs-at-once minute rows have been deleted (null: none), read with a share
 * lock so that a deletion waits for the passes adding steps, and a pass for a deletion.
 */
export async function lockConcurrencyHorizon(client: pg.ClientBase): Promise<Date | null> {
  const { rows } = await client.query<{ before: string }>(
    `SELECT to_char(before, 'YYYY-MM-DD') AS before FROM metering_concurrency_horizon WHERE id = 1 FOR SHARE`,
  );
  return rows[0] ? new Date(`${rows[0].before}T00:00:00Z`) : null;
}

/** Locks up to `limit` runs not counted yet, oldest first; another summarizer skips them. */
export async function lockUncountedRuns(client: pg.ClientBase, limit: number): Promise<(UsageRun & { id: string })[]> {
  const { rows } = await client.query<{ id: string; rule_id: number; device_id: number; user_name: string; started_at: Date; ended_at: Date }>(
    `SELECT id::text, rule_id, device_id, user_name, started_at, ended_at FROM metering_usage
      WHERE summarized_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    ruleId: r.rule_id,
    deviceId: r.device_id,
    userName: r.user_name,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  }));
}

/** Takes a run out of metering_usage (it is locked by this transaction) and returns it as stored, for the quarantine. */
export async function setRunAside(
  client: pg.ClientBase,
  run: { id: string; startedAt: Date },
): Promise<{ deviceId: number; run: MeteringUsageRecord } | null> {
  const { rows } = await client.query<{
    device_id: number;
    rule_id: number;
    usage_key: string;
    started_at: Date;
    ended_at: Date;
    user_name: string;
    process_id: number;
    file_path: string;
    file_version: string;
    end_estimated: boolean;
  }>(
    `DELETE FROM metering_usage WHERE id = $1 AND started_at = $2
     RETURNING device_id, rule_id, usage_key, started_at, ended_at, user_name, process_id, file_path, file_version, end_estimated`,
    [run.id, run.startedAt],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    deviceId: r.device_id,
    run: {
      ruleId: r.rule_id,
      usageKey: r.usage_key,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      userName: r.user_name,
      processId: r.process_id,
      filePath: r.file_path,
      fileVersion: r.file_version,
      endEstimated: r.end_estimated,
    },
  };
}

/** Marks runs counted (they are locked by this transaction). */
export async function markRunsCounted(client: pg.ClientBase, runs: readonly { id: string; startedAt: Date }[]): Promise<void> {
  await client.query(
    `UPDATE metering_usage u SET summarized_at = now()
       FROM unnest($1::bigint[], $2::timestamptz[]) AS r(id, started_at)
      WHERE u.id = r.id AND u.started_at = r.started_at`,
    [runs.map((r) => r.id), runs.map((r) => r.startedAt)],
  );
}

/**
 * Adds a batch's increments to the period summaries: members are inserted first, and only those
 * new to their period raise its distinct users and computers.
 */
export async function addPeriodIncrements(client: pg.ClientBase, increments: readonly PeriodIncrement[]): Promise<void> {
  if (!increments.length) return;
  const members = <T>(pick: (p: PeriodIncrement) => T[]) => increments.flatMap((p) => pick(p).map((member) => ({ p, member })));
  const users = members((p) => p.users);
  const computers = members((p) => p.deviceIds);
  await client.query(
    `WITH new_users AS (
       INSERT INTO metering_summary_user (rule_id, period, period_start, user_name)
       SELECT * FROM unnest($1::int[], $2::metering_period[], $3::date[], $4::text[])
       ON CONFLICT DO NOTHING RETURNING rule_id, period, period_start),
     new_computers AS (
       INSERT INTO metering_summary_computer (rule_id, period, period_start, device_id)
       SELECT * FROM unnest($5::int[], $6::metering_period[], $7::date[], $8::int[])
       ON CONFLICT DO NOTHING RETURNING rule_id, period, period_start),
     added AS (
       SELECT i.rule_id, i.period, i.period_start, i.runs, i.seconds,
              (SELECT count(*) FROM new_users n WHERE (n.rule_id, n.period, n.period_start) = (i.rule_id, i.period, i.period_start))::int AS users,
              (SELECT count(*) FROM new_computers n WHERE (n.rule_id, n.period, n.period_start) = (i.rule_id, i.period, i.period_start))::int AS computers
         FROM unnest($9::int[], $10::metering_period[], $11::date[], $12::int[], $13::bigint[]) AS i(rule_id, period, period_start, runs, seconds))
     INSERT INTO metering_summary AS s (rule_id, period, period_start, distinct_users, distinct_computers, run_count, run_seconds)
     SELECT rule_id, period, period_start, users, computers, runs, seconds FROM added
     ON CONFLICT (rule_id, period, period_start) DO UPDATE SET
       distinct_users = s.distinct_users + excluded.distinct_users,
       distinct_computers = s.distinct_computers + excluded.distinct_computers,
       run_count = s.run_count + excluded.run_count,
       run_seconds = s.run_seconds + excluded.run_seconds`,
    [
      users.map((u) => u.p.ruleId),
      users.map((u) => u.p.period),
      users.map((u) => u.p.periodStart),
      users.map((u) => u.member),
      computers.map((c) => c.p.ruleId),
      computers.map((c) => c.p.period),
      computers.map((c) => c.p.periodStart),
      computers.map((c) => c.member),
      increments.map((p) => p.ruleId),
      increments.map((p) => p.period),
      increments.map((p) => p.periodStart),
      increments.map((p) => p.runCount),
      increments.map((p) => p.runSeconds),
    ],
  );
}

/** Raises each computer's and each user's latest run and run count per rule. */
export async function addLastRuns(client: pg.ClientBase, computers: readonly LastRun<number>[], users: readonly LastRun<string>[]): Promise<void> {
  if (computers.length) {
    await client.query(
      `INSERT INTO metering_computer_last_run AS l (rule_id, device_id, last_run_at, last_user, run_count)
       SELECT * FROM unnest($1::int[], $2::int[], $3::timestamptz[], $4::text[], $5::int[])
       ON CONFLICT (rule_id, device_id) DO UPDATE SET
         run_count = l.run_count + excluded.run_count,
         last_user = CASE WHEN excluded.last_run_at > l.last_run_at THEN excluded.last_user ELSE l.last_user END,
         last_run_at = greatest(l.last_run_at, excluded.last_run_at)`,
      [
        computers.map((c) => c.ruleId),
        computers.map((c) => c.key),
        computers.map((c) => c.lastRunAt),
        computers.map((c) => c.lastUser),
        computers.map((c) => c.runCount),
      ],
    );
  }
  if (users.length) {
    await client.query(
      `INSERT INTO metering_user_last_run AS l (rule_id, user_name, last_run_at, run_count)
       SELECT * FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::int[])
       ON CONFLICT (rule_id, user_name) DO UPDATE SET
         run_count = l.run_count + excluded.run_count,
         last_run_at = greatest(l.last_run_at, excluded.last_run_at)`,
      [users.map((u) => u.ruleId), users.map((u) => u.key), users.map((u) => u.lastRunAt), users.map((u) => u.runCount)],
    );
  }
}

/**
 * Adds a batch's steps to each rule's count of runs in progress, then rewrites the day rows of the
 * days they fall in from those days' steps. The day rows are locked first, in key order, so that
 * two summarizers adding to one day rewrite it in turn, the second seeing the first's steps.
 */
export async function addConcurrencySteps(client: pg.ClientBase, steps: readonly ConcurrencyStep[]): Promise<void> {
  if (!steps.length) return;
  // The days come from the database: a step may fall past year 9999 (a run that ended in its last
  // minute), which a date string made in JavaScript would not survive.
  const stepArrays = [steps.map((c) => c.ruleId), steps.map((c) => c.at), steps.map((c) => c.delta)];
  const affected = `SELECT DISTINCT rule_id, (at AT TIME ZONE 'UTC')::date AS day FROM unnest($1::int[], $2::timestamptz[]) AS s(rule_id, at)`;
  await client.query(
    `INSERT INTO metering_concurrency_day AS d (rule_id, day, net, max_rise)
     SELECT rule_id, day, 0, 0 FROM (${affected}) AS a ORDER BY rule_id, day
     ON CONFLICT (rule_id, day) DO UPDATE SET net = d.net`,
    stepArrays.slice(0, 2),
  );
  await client.query(
    `INSERT INTO metering_concurrency AS c (rule_id, at, delta)
     SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::int[])
     ON CONFLICT (rule_id, at) DO UPDATE SET delta = c.delta + excluded.delta`,
    stepArrays,
  );
  await client.query(
    `WITH affected AS (${affected}),
     steps AS (
       SELECT a.rule_id, a.day, c.at, c.delta, sum(c.delta) OVER (PARTITION BY a.rule_id, a.day ORDER BY c.at) AS rise
         FROM affected a JOIN metering_concurrency c ON c.rule_id = a.rule_id
          AND c.at >= a.day::timestamp AT TIME ZONE 'UTC' AND c.at < (a.day + 1)::timestamp AT TIME ZONE 'UTC'),
     summed AS (
       SELECT DISTINCT ON (rule_id, day) rule_id, day, sum(delta) OVER (PARTITION BY rule_id, day) AS net, rise, at
         FROM steps ORDER BY rule_id, day, rise DESC, at)
     UPDATE metering_concurrency_day d
        SET net = s.net, max_rise = greatest(s.rise, 0), max_rise_at = CASE WHEN s.rise > 0 THEN s.at END
       FROM summed s WHERE d.rule_id = s.rule_id AND d.day = s.day`,
    stepArrays.slice(0, 2),
  );
}

/** Moves the runs-at-once horizon to `day` (YYYY-MM-DD) unless it is later already; returns where it stands. */
export async function raiseConcurrencyHorizon(client: pg.ClientBase, day: string): Promise<string> {
  const { rows } = await client.query<{ before: string }>(
    `INSERT INTO metering_concurrency_horizon AS h (id, before) VALUES (1, $1::date)
     ON CONFLICT (id) DO UPDATE SET before = greatest(h.before, excluded.before)
     RETURNING to_char(before, 'YYYY-MM-DD') AS before`,
    [day],
  );
  return rows[0].before;
}

/** Deletes the runs-at-once minute rows before the UTC day `day` (YYYY-MM-DD); returns how many. */
export async function deleteConcurrencyStepsBefore(client: pg.ClientBase, day: string): Promise<number> {
  // Rule by rule through the key (rule_id, at): a scan of the whole table would read every day kept.
  const { rowCount } = await client.query(
    `DELETE FROM metering_concurrency
      WHERE rule_id = ANY((SELECT array_agg(DISTINCT rule_id) FROM metering_concurrency_day)::int[])
        AND at < ($1::date)::timestamp AT TIME ZONE 'UTC'`,
    [day],
  );
  return rowCount ?? 0;
}
