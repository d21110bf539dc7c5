/** A raw run as the metering summarizer reads it. */
export interface UsageRun {
  ruleId: number;
  deviceId: number;
  userName: string;
  startedAt: Date;
  endedAt: Date;
}

export type MeteringPeriodKind = 'DAY' | 'MONTH';

/** What a batch of runs adds to one rule's period. */
export interface PeriodIncrement {
  ruleId: number;
  period: MeteringPeriodKind;
  /** The period's first day, YYYY-MM-DD (UTC). */
  periodStart: string;
  runCount: number;
  runSeconds: number;
  users: string[];
  deviceIds: number[];
}

/** The latest run of a rule's program on one computer or by one user, and how many in the batch. */
export interface LastRun<K> {
  ruleId: number;
  key: K;
  lastRunAt: Date;
  lastUser: string;
  runCount: number;
}

/** What a batch of runs changes in a rule's count of runs in progress at one minute. */
export interface ConcurrencyStep {
  ruleId: number;
  at: Date;
  delta: number;
}

export interface UsageIncrements {
  periods: PeriodIncrement[];
  computers: LastRun<number>[];
  users: LastRun<string>[];
  concurrency: ConcurrencyStep[];
}

const MINUTE_MS = 60_000;
const nextWholeMinute = (t: Date) => Math.ceil(t.getTime() / MINUTE_MS) * MINUTE_MS;

/**
 * The whole minutes a run was in progress at, as [first, end): from the first whole minute at or
 * after its start to the first at or after its end. Null for a run that held no minute's start
 * (shorter than a minute and within one), which adds nothing to "how many at once".
 */
export function runMinutes(run: Pick<UsageRun, 'startedAt' | 'endedAt'>): { first: number; end: number } | null {
  const first = nextWholeMinute(run.startedAt);
  const end = nextWholeMinute(run.endedAt);
  return first < end ? { first, end } : null;
}

/** The UTC day and month a run counts in: the ones it started in (a run past midnight is not split). */
export function usagePeriods(startedAt: Date): { DAY: string; MONTH: string } {
  const day = startedAt.toISOString().slice(0, 10);
  return { DAY: day, MONTH: `${day.slice(0, 8)}01` };
}

/** A run's length in whole seconds; an end before the start counts as none. */
export function runSeconds(run: Pick<UsageRun, 'startedAt' | 'endedAt'>): number {
  return Math.max(0, Math.round((run.endedAt.getTime() - run.startedAt.getTime()) / 1000));
}

function lastRun<K>(into: Map<string, LastRun<K>>, id: string, ruleId: number, key: K, run: UsageRun) {
  const seen = into.get(id);
  if (!seen) into.set(id, { ruleId, key, lastRunAt: run.startedAt, lastUser: run.userName, runCount: 1 });
  else {
    seen.runCount += 1;
    if (run.startedAt > seen.lastRunAt) Object.assign(seen, { lastRunAt: run.startedAt, lastUser: run.userName });
  }
}

/**
 * What a batch of runs adds to the summaries: per rule and period the runs, their seconds and the
 * users and computers seen (the database counts each towards the distinct figures once, across
 * batches), per rule the latest run of each computer and of each user, and per rule and minute
 * how the runs change the count of those in progress (see runMinutes) — leaving out a run whose
 * first minute falls before `concurrencyFrom`: that day's minutes are no longer kept
 * (MeteringConcurrencyHorizon).
 */
export function summarizeUsage(runs: readonly UsageRun[], options: { concurrencyFrom?: Date } = {}): UsageIncrements {
  const concurrencyFrom = options.concurrencyFrom?.getTime() ?? Number.NEGATIVE_INFINITY;
  const periods = new Map<string, PeriodIncrement & { userSet: Set<string>; deviceSet: Set<number> }>();
  const computers = new Map<string, LastRun<number>>();
  const users = new Map<string, LastRun<string>>();
  const steps = new Map<string, ConcurrencyStep & { ms: number }>();
  const step = (ruleId: number, ms: number, delta: number) => {
    const id = `${ruleId}/${ms}`;
    const seen = steps.get(id);
    if (seen) seen.delta += delta;
    else steps.set(id, { ruleId, ms, at: new Date(ms), delta });
  };
  for (const run of runs) {
    const minutes = runMinutes(run);
    if (minutes && minutes.first >= concurrencyFrom) {
      step(run.ruleId, minutes.first, 1);
      step(run.ruleId, minutes.end, -1);
    }
    const starts = usagePeriods(run.startedAt);
    for (const period of ['DAY', 'MONTH'] as const) {
      const id = `${run.ruleId}/${period}/${starts[period]}`;
      let entry = periods.get(id);
      if (!entry) {
        entry = {
          ruleId: run.ruleId,
          period,
          periodStart: starts[period],
          runCount: 0,
          runSeconds: 0,
          users: [],
          deviceIds: [],
          userSet: new Set(),
          deviceSet: new Set(),
        };
        periods.set(id, entry);
      }
      entry.runCount += 1;
      entry.runSeconds += runSeconds(run);
      entry.userSet.add(run.userName);
      entry.deviceSet.add(run.deviceId);
    }
    lastRun(computers, `${run.ruleId}/${run.deviceId}`, run.ruleId, run.deviceId, run);
    lastRun(users, `${run.ruleId}/${run.userName}`, run.ruleId, run.userName, run);
  }
  // In key order, so concurrent summarizers update shared rows in the same order (no deadlock).
  const byKey = <T extends { ruleId: number }>(rows: T[], key: (row: T) => string | number) =>
    rows.sort((a, b) => a.ruleId - b.ruleId || String(key(a)).localeCompare(String(key(b))));
  return {
    periods: byKey([...periods.values()], (p) => `${p.period}/${p.periodStart}`).map(({ userSet, deviceSet, ...p }) => ({
      ...p,
      users: [...userSet].sort(),
      deviceIds: [...deviceSet].sort((a, b) => a - b),
    })),
    computers: byKey([...computers.values()], (c) => String(c.key).padStart(10, '0')),
    users: byKey([...users.values()], (u) => u.key),
    concurrency: [...steps.values()]
      .filter((c) => c.delta !== 0)
      .sort((a, b) => a.ruleId - b.ruleId || a.ms - b.ms)
      .map(({ ruleId, at, delta }) => ({ ruleId, at, delta })),
  };
}
