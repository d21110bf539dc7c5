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

export interface UsageIncrements {
  periods: PeriodIncrement[];
  computers: LastRun<number>[];
  users: LastRun<string>[];
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
 * batches), and per rule the latest run of each computer and of each user.
 */
export function summarizeUsage(runs: readonly UsageRun[]): UsageIncrements {
  const periods = new Map<string, PeriodIncrement & { userSet: Set<string>; deviceSet: Set<number> }>();
  const computers = new Map<string, LastRun<number>>();
  const users = new Map<string, LastRun<string>>();
  for (const run of runs) {
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
  };
}
