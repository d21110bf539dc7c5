import type pg from 'pg';

/** The thin data layer of the Software Metering reports: summaries and latest runs (plain pg). */

export interface UsagePoint {
  /** The period's first day, YYYY-MM-DD (UTC). */
  start: string;
  distinctUsers: number;
  distinctComputers: number;
  runCount: number;
  runSeconds: number;
}

/** The figures of a metering_summary row, as both readers select them. */
const SUMMARY_FIGURES = `distinct_users AS users, distinct_computers AS computers, run_count AS runs, run_seconds::text AS seconds`;
type SummaryFigures = { users: number; computers: number; runs: number; seconds: string };

const usagePoint = (start: string, r: SummaryFigures): UsagePoint => ({
  start,
  distinctUsers: r.users,
  distinctComputers: r.computers,
  runCount: r.runs,
  runSeconds: Number(r.seconds),
});

/** A rule's summaries of one kind of period from `from` (inclusive), oldest first; periods without runs are missing. */
export async function readUsageSeries(db: pg.Pool, ruleId: number, period: 'DAY' | 'MONTH', from: string): Promise<UsagePoint[]> {
  const { rows } = await db.query<SummaryFigures & { start: string }>(
    `SELECT to_char(period_start, 'YYYY-MM-DD') AS start, ${SUMMARY_FIGURES}
       FROM metering_summary WHERE rule_id = $1 AND period = $2::metering_period AND period_start >= $3::date
      ORDER BY period_start`,
    [ruleId, period, from],
  );
  return rows.map((r) => usagePoint(r.start, r));
}

/** The month summaries of these rules for the month starting `monthStart` (YYYY-MM-DD), by rule; a rule without runs is missing. */
export async function readMonthUsage(db: pg.Pool, ruleIds: number[], monthStart: string): Promise<Map<number, UsagePoint>> {
  const { rows } = await db.query<SummaryFigures & { rule_id: number }>(
    `SELECT rule_id, ${SUMMARY_FIGURES}
       FROM metering_summary WHERE rule_id = ANY($1::int[]) AND period = 'MONTH' AND period_start = $2::date`,
    [ruleIds, monthStart],
  );
  return new Map(rows.map((r) => [r.rule_id, usagePoint(monthStart, r)]));
}

export interface ComputerRun {
  deviceId: number;
  name: string | null;
  lastRunAt: Date;
  lastUser: string;
  runCount: number;
}

/** The computers that ran a rule's program, latest first, the first `limit` (null: all), with how many there are. */
export async function readComputerRuns(db: pg.Pool, ruleId: number, limit: number | null): Promise<{ total: number; computers: ComputerRun[] }> {
  const [{ rows }, { rows: count }] = await Promise.all([
    db.query<{ device_id: number; name: string | null; last_run_at: Date; last_user: string; run_count: number }>(
      `SELECT l.device_id, d.name, l.last_run_at, l.last_user, l.run_count
         FROM metering_computer_last_run l LEFT JOIN device d ON d.id = l.device_id
        WHERE l.rule_id = $1 ORDER BY l.last_run_at DESC, l.device_id LIMIT $2`,
      [ruleId, limit],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM metering_computer_last_run WHERE rule_id = $1`, [ruleId]),
  ]);
  return {
    total: count[0].n,
    computers: rows.map((r) => ({ deviceId: r.device_id, name: r.name, lastRunAt: r.last_run_at, lastUser: r.last_user, runCount: r.run_count })),
  };
}

/** The users who ran a rule's program, latest first, the first `limit` (null: all), with how many there are. */
export async function readUserRuns(
  db: pg.Pool,
  ruleId: number,
  limit: number | null,
): Promise<{ total: number; users: { userName: string; lastRunAt: Date; runCount: number }[] }> {
  const [{ rows }, { rows: count }] = await Promise.all([
    db.query<{ user_name: string; last_run_at: Date; run_count: number }>(
      `SELECT user_name, last_run_at, run_count FROM metering_user_last_run WHERE rule_id = $1 ORDER BY last_run_at DESC, user_name LIMIT $2`,
      [ruleId, limit],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM metering_user_last_run WHERE rule_id = $1`, [ruleId]),
  ]);
  return { total: count[0].n, users: rows.map((r) => ({ userName: r.user_name, lastRunAt: r.last_run_at, runCount: r.run_count })) };
}

export interface UnusedComputer {
  deviceId: number;
  name: string;
  /** The installed package that makes the program count as installed there (null: only known from an earlier run). */
  packageName: string | null;
  packageVersion: string | null;
  /** Its latest run of the program, if it ever ran it. */
  lastRunAt: Date | null;
}

/**
 * Computers of the rule's site where the program is installed — a package named as the rule's
 * product or its file (case ignored; of a version the rule's pattern takes) — or that ran it
 * before, and that have not run it since `since`: licences to reclaim. At most `limit` (null: all),
 * the longest unused first, with how many there are.
 */
export async function readUnusedComputers(
  db: pg.Pool,
  options: { ruleId: number; siteCode: string; packageNames: string[]; versionLike: string | null; since: Date; limit: number | null },
): Promise<{ total: number; computers: UnusedComputer[] }> {
  const { rows } = await db.query<{
    device_id: number;
    name: string;
    package_name: string | null;
    package_version: string | null;
    last_run_at: Date | null;
    total: number;
  }>(
    `WITH installed AS (
       SELECT DISTINCT ON (ds.device_id) ds.device_id, p.name AS package_name, p.version AS package_version
         FROM software_product p JOIN device_software ds ON ds.product_id = p.id
        WHERE lower(p.name) = ANY($3::text[]) AND ($4::text IS NULL OR p.version LIKE $4)
        ORDER BY ds.device_id, p.name),
     candidates AS (
       SELECT device_id FROM installed
        UNION SELECT device_id FROM metering_computer_last_run WHERE rule_id = $1)
     SELECT d.id AS device_id, d.name, i.package_name, i.package_version, l.last_run_at, count(*) OVER ()::int AS total
       FROM candidates c
       JOIN device d ON d.id = c.device_id
       JOIN site s ON s.id = d.site_id AND s.code = $2
       LEFT JOIN installed i ON i.device_id = d.id
       LEFT JOIN metering_computer_last_run l ON l.rule_id = $1 AND l.device_id = d.id
      WHERE d.approval <> 'REVOKED' AND (l.last_run_at IS NULL OR l.last_run_at < $5)
      ORDER BY l.last_run_at ASC NULLS FIRST, d.name
      LIMIT $6`,
    [options.ruleId, options.siteCode, options.packageNames, options.versionLike, options.since, options.limit],
  );
  return {
    total: rows[0]?.total ?? 0,
    computers: rows.map((r) => ({
      deviceId: r.device_id,
      name: r.name,
      packageName: r.package_name,
      packageVersion: r.package_version,
      lastRunAt: r.last_run_at,
    })),
  };
}

/** One UTC day of a rule's runs in progress at once (see MeteringConcurrencyDay in the schema). */
export interface AtOnceDay {
  day: string;
  net: number;
  maxRise: number;
  maxRiseAt: Date | null;
}

/**
 * readRunsAtOnceDays for several rules at once: per rule, the count in progress at `from`'s start
 * and its days with a step up to `to` (a rule with neither is missing).
 */
export async function readRunsAtOnceDaysOfRules(
  db: pg.Pool,
  ruleIds: number[],
  from: string,
  to: string,
): Promise<Map<number, { opening: number; days: AtOnceDay[] }>> {
  const { rows } = await db.query<{
    rule_id: number;
    opening: number;
    days: { day: string; net: number; max_rise: number; max_rise_at: string | null }[] | null;
  }>(
    `SELECT rule_id,
            coalesce(sum(net) FILTER (WHERE day < $2::date), 0)::int AS opening,
            json_agg(json_build_object('day', to_char(day, 'YYYY-MM-DD'), 'net', net, 'max_rise', max_rise, 'max_rise_at', max_rise_at) ORDER BY day)
              FILTER (WHERE day >= $2::date) AS days
       FROM metering_concurrency_day WHERE rule_id = ANY($1::int[]) AND day <= $3::date
      GROUP BY rule_id`,
    [ruleIds, from, to],
  );
  return new Map(
    rows.map((r) => [
      r.rule_id,
      {
        opening: r.opening,
        days: (r.days ?? []).map((d) => ({ day: d.day, net: d.net, maxRise: d.max_rise, maxRiseAt: d.max_rise_at ? new Date(d.max_rise_at) : null })),
      },
    ]),
  );
}

/**
 * A rule's days of runs in progress at once from `from` to `to` (YYYY-MM-DD, both included): how
 * many were in progress at `from`'s start, and each day that had a step (a day without one holds
 * the count it started with all day).
 */
export async function readRunsAtOnceDays(db: pg.Pool, ruleId: number, from: string, to: string): Promise<{ opening: number; days: AtOnceDay[] }> {
  const { rows } = await db.query<{ opening: number; day: string | null; net: number; max_rise: number; max_rise_at: Date | null }>(
    `WITH opening AS (SELECT coalesce(sum(net), 0)::int AS level FROM metering_concurrency_day WHERE rule_id = $1 AND day < $2::date)
     SELECT o.level AS opening, to_char(d.day, 'YYYY-MM-DD') AS day, d.net, d.max_rise, d.max_rise_at
       FROM opening o LEFT JOIN metering_concurrency_day d ON d.rule_id = $1 AND d.day >= $2::date AND d.day <= $3::date
      ORDER BY d.day`,
    [ruleId, from, to],
  );
  return {
    opening: rows[0]?.opening ?? 0,
    days: rows.flatMap((r) => (r.day === null ? [] : [{ day: r.day, net: r.net, maxRise: r.max_rise, maxRiseAt: r.max_rise_at }])),
  };
}

/**
 * How far the metering summarizer has come: the runs of a rule stored but not counted yet (the
 * reports leave them out) with the oldest one's arrival, and when it last counted any run.
 */
export async function readSummarizerProgress(
  db: pg.Pool,
  ruleId: number,
): Promise<{ waiting: number; oldestWaitingAt: Date | null; lastCountedAt: Date | null }> {
  const { rows } = await db.query<{ waiting: number; oldest: Date | null; last: Date | null }>(
    `SELECT count(*)::int AS waiting, min(received_at) AS oldest, (SELECT max(summarized_at) FROM metering_usage) AS last
       FROM metering_usage WHERE summarized_at IS NULL AND rule_id = $1`,
    [ruleId],
  );
  return { waiting: rows[0].waiting, oldestWaitingAt: rows[0].oldest, lastCountedAt: rows[0].last };
}

/**
 * A rule's runs-at-once steps in [from, to), oldest first, with the count in progress at `from`
 * (a UTC midnight: the sum of the earlier days' changes).
 */
export async function readConcurrencySteps(
  db: pg.Pool,
  ruleId: number,
  from: Date,
  to: Date,
): Promise<{ opening: number; steps: { at: Date; delta: number }[] }> {
  const [{ rows: opening }, { rows: steps }] = await Promise.all([
    db.query<{ level: number }>(
      `SELECT coalesce(sum(net), 0)::int AS level FROM metering_concurrency_day WHERE rule_id = $1 AND day < ($2::timestamptz AT TIME ZONE 'UTC')::date`,
      [ruleId, from],
    ),
    db.query<{ at: Date; delta: number }>(`SELECT at, delta FROM metering_concurrency WHERE rule_id = $1 AND at >= $2 AND at < $3 ORDER BY at`, [
      ruleId,
      from,
      to,
    ]),
  ]);
  return { opening: opening[0].level, steps };
}

/** A site's time zone (UTC for a site code no site has). */
export async function readSiteTimeZone(db: pg.Pool, siteCode: string): Promise<string> {
  const { rows } = await db.query<{ time_zone: string }>(`SELECT time_zone FROM site WHERE code = $1`, [siteCode]);
  return rows[0]?.time_zone ?? 'UTC';
}
