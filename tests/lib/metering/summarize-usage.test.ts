import { describe, expect, it } from 'vitest';
import { runSeconds, summarizeUsage, usagePeriods } from '@/lib/metering/summarize-usage';

const at = (iso: string) => new Date(iso);
const run = (ruleId: number, deviceId: number, userName: string, start: string, end: string) => ({
  ruleId,
  deviceId,
  userName,
  startedAt: at(start),
  endedAt: at(end),
});

describe('summarizeUsage', () => {
  it('buckets a run in the UTC day and month it started in, past midnight included', () => {
    expect(usagePeriods(at('2026-11-30T23:59:00Z'))).toEqual({ DAY: '2026-11-30', MONTH: '2026-11-01' });
    expect(usagePeriods(at('2026-12-01T00:00:00Z'))).toEqual({ DAY: '2026-12-01', MONTH: '2026-12-01' });
    expect(runSeconds(run(1, 1, 'a', '2026-11-30T23:59:00Z', '2026-12-01T00:01:30Z'))).toBe(150);
    expect(runSeconds(run(1, 1, 'a', '2026-12-01T10:00:00Z', '2026-12-01T09:00:00Z'))).toBe(0);
  });

  it('adds runs, seconds, users and computers per rule and period, and the latest run per computer and user', () => {
    const increments = summarizeUsage([
      run(7, 1, 'alice', '2026-11-30T23:00:00Z', '2026-12-01T01:00:00Z'),
      run(7, 1, 'alice', '2026-12-01T08:00:00Z', '2026-12-01T08:10:00Z'),
      run(7, 2, 'bob', '2026-12-01T09:00:00Z', '2026-12-01T09:00:30Z'),
      run(3, 2, 'bob', '2026-12-02T09:00:00Z', '2026-12-02T09:01:00Z'),
    ]);
    expect(increments.periods).toEqual([
      { ruleId: 3, period: 'DAY', periodStart: '2026-12-02', runCount: 1, runSeconds: 60, users: ['bob'], deviceIds: [2] },
      { ruleId: 3, period: 'MONTH', periodStart: '2026-12-01', runCount: 1, runSeconds: 60, users: ['bob'], deviceIds: [2] },
      { ruleId: 7, period: 'DAY', periodStart: '2026-11-30', runCount: 1, runSeconds: 7200, users: ['alice'], deviceIds: [1] },
      { ruleId: 7, period: 'DAY', periodStart: '2026-12-01', runCount: 2, runSeconds: 630, users: ['alice', 'bob'], deviceIds: [1, 2] },
      { ruleId: 7, period: 'MONTH', periodStart: '2026-11-01', runCount: 1, runSeconds: 7200, users: ['alice'], deviceIds: [1] },
      { ruleId: 7, period: 'MONTH', periodStart: '2026-12-01', runCount: 2, runSeconds: 630, users: ['alice', 'bob'], deviceIds: [1, 2] },
    ]);
    expect(increments.computers).toEqual([
      { ruleId: 3, key: 2, lastRunAt: at('2026-12-02T09:00:00Z'), lastUser: 'bob', runCount: 1 },
      { ruleId: 7, key: 1, lastRunAt: at('2026-12-01T08:00:00Z'), lastUser: 'alice', runCount: 2 },
      { ruleId: 7, key: 2, lastRunAt: at('2026-12-01T09:00:00Z'), lastUser: 'bob', runCount: 1 },
    ]);
    expect(increments.users.map((u) => [u.ruleId, u.key, u.runCount])).toEqual([
      [3, 'bob', 1],
      [7, 'alice', 2],
      [7, 'bob', 1],
    ]);
  });
});
