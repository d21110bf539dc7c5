import { describe, expect, it } from 'vitest';
import { spreadInterval } from '@/lib/workers/define-worker';

describe('spreadInterval', () => {
  it('waits within a tenth either side of the interval', () => {
    expect(spreadInterval(60_000, () => 0)).toBe(54_000);
    expect(spreadInterval(60_000, () => 0.5)).toBe(60_000);
    expect(spreadInterval(60_000, () => 0.999_999)).toBeCloseTo(66_000, -1);
  });

  it('spreads loops of intervals that divide one another, so they stop waking at the same moments', () => {
    // Loops of 10 s and 60 s started together: their wake-ups over ten minutes.
    const wakeUps = (intervalMs: number) => {
      const times: number[] = [];
      for (let t = spreadInterval(intervalMs); t < 600_000; t += spreadInterval(intervalMs)) times.push(t);
      return times;
    };
    const ten = wakeUps(10_000);
    const sixty = wakeUps(60_000);
    const together = sixty.filter((t) => ten.some((u) => Math.abs(u - t) < 50)).length;
    // Unspread, all ten of the minute loop's wake-ups coincide with one of the other's.
    expect(sixty.length).toBeGreaterThanOrEqual(9);
    expect(together).toBeLessThan(5);
  });

  it('never exceeds the longest delay setTimeout takes (a longer one would fire at once)', () => {
    expect(spreadInterval(2_147_483_647, () => 0.99)).toBe(2_147_483_647);
  });
});
