import { describe, expect, it } from 'vitest';
import { signInDelayMs, signInWaitMs } from '@/lib/auth/sign-in-throttle';

describe('sign-in throttling', () => {
  it('allows three free attempts, then doubles the wait from one second', () => {
    expect([0, 1, 2].map(signInDelayMs)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6].map(signInDelayMs)).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than fifteen minutes', () => {
    expect(signInDelayMs(40)).toBe(15 * 60_000);
  });

  it('counts the wait from the last failure', () => {
    const lastFailureAt = new Date('2026-01-01T00:00:00Z');
    expect(signInWaitMs({ failures: 5, lastFailureAt, now: new Date('2026-01-01T00:00:01Z') })).toBe(3000);
    expect(signInWaitMs({ failures: 5, lastFailureAt, now: new Date('2026-01-01T00:00:04Z') })).toBe(0);
    expect(signInWaitMs({ failures: 5, lastFailureAt: null, now: new Date() })).toBe(0);
  });
});
