import { describe, expect, it } from 'vitest';
import { runsAtOncePerDay, runsAtOncePerMonth } from '@/lib/metering/read-metering-report';
import { runMinutes, runSeconds, summarizeUsage, usagePeriods } from '@/lib/metering/summarize-usage';

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

  it('counts a run in progress at the start of each whole minute it held, as steps per rule and minute', () => {
    const ms = (iso: string) => at(iso).getTime();
    expect(runMinutes(run(1, 1, 'a', '2026-12-01T10:00:30Z', '2026-12-01T10:05:10Z'))).toEqual({
      first: ms('2026-12-01T10:01:00Z'),
      end: ms('2026-12-01T10:06:00Z'),
    });
    // A start on the minute holds that minute; an end on it does not.
    expect(runMinutes(run(1, 1, 'a', '2026-12-01T10:00:00Z', '2026-12-01T10:02:00Z'))).toEqual({
      first: ms('2026-12-01T10:00:00Z'),
      end: ms('2026-12-01T10:02:00Z'),
    });
    // Within one minute, or ended before it began: no minute's start held.
    expect(runMinutes(run(1, 1, 'a', '2026-12-01T10:00:10Z', '2026-12-01T10:00:50Z'))).toBeNull();
    expect(runMinutes(run(1, 1, 'a', '2026-12-01T10:05:00Z', '2026-12-01T10:01:00Z'))).toBeNull();

    const { concurrency } = summarizeUsage([
      run(2, 1, 'a', '2026-12-01T10:00:30Z', '2026-12-01T10:05:10Z'),
      run(1, 2, 'b', '2026-12-01T10:00:05Z', '2026-12-01T10:03:00Z'),
      // Its end and the run above's first minute both fall on 10:01: the two steps cancel out.
      run(1, 3, 'c', '2026-12-01T09:58:00Z', '2026-12-01T10:00:40Z'),
      run(1, 3, 'c', '2026-12-01T10:00:10Z', '2026-12-01T10:00:20Z'),
    ]);
    expect(concurrency.map((c) => [c.ruleId, c.at.toISOString().slice(11, 16), c.delta])).toEqual([
      [1, '09:58', 1],
      [1, '10:03', -1],
      [2, '10:01', 1],
      [2, '10:06', -1],
    ]);
    // A run whose first minute falls before the minutes kept (the horizon) adds no step; its runs still count.
    const late = summarizeUsage(
      [run(1, 2, 'b', '2026-11-30T23:58:30Z', '2026-12-01T00:10:00Z'), run(1, 2, 'b', '2026-12-01T00:00:30Z', '2026-12-01T00:02:00Z')],
      {
        concurrencyFrom: at('2026-12-01T00:00:00Z'),
      },
    );
    expect(late.concurrency.map((c) => [c.at.toISOString().slice(11, 16), c.delta])).toEqual([
      ['00:01', 1],
      ['00:02', -1],
    ]);
    expect(late.periods.find((p) => p.period === 'MONTH' && p.periodStart === '2026-11-01')?.runCount).toBe(1);
  });
});

describe('runs at once per day and month', () => {
  const day = (d: string, net: number, maxRise: number, maxRiseAt: string | null) => ({
    day: d,
    net,
    maxRise,
    maxRiseAt: maxRiseAt ? at(maxRiseAt) : null,
  });
  const shown = (points: { mostAtOnce: number; mostAtOnceAt: Date | null }[]) =>
    points.map((p) => [p.mostAtOnce, p.mostAtOnceAt?.toISOString() ?? null]);

  it('carries the count in progress through days without steps, and adds the most each day rose above its start', () => {
    const days = ['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'];
    const perDay = runsAtOncePerDay(days, 1, [
      day('2026-11-30', 1, 2, '2026-11-30T09:15:00Z'),
      // Only fell: the most at once were there from midnight.
      day('2026-12-02', -1, 0, null),
      day('2026-12-03', -1, 0, null),
    ]);
    expect(shown(perDay)).toEqual([
      [1, '2026-11-29T00:00:00.000Z'],
      [3, '2026-11-30T09:15:00.000Z'],
      [2, '2026-12-01T00:00:00.000Z'],
      [2, '2026-12-02T00:00:00.000Z'],
      [1, '2026-12-03T00:00:00.000Z'],
      [0, null],
    ]);
    // A month's most is its busiest day's, the first of equals; a month with none is 0.
    expect(shown(runsAtOncePerMonth(days, perDay, ['2026-10-01', '2026-11-01', '2026-12-01']))).toEqual([
      [0, null],
      [3, '2026-11-30T09:15:00.000Z'],
      [2, '2026-12-01T00:00:00.000Z'],
    ]);
    expect(runsAtOncePerDay(['2026-12-01'], 0, [])).toEqual([{ mostAtOnce: 0, mostAtOnceAt: null }]);
  });
});
