import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs } from '@/lib/retry-delay';

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('5')).toBe(5000);
    const now = Date.parse('2026-11-23T08:00:00Z');
    expect(retryAfterMs('Mon, 23 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});

describe('backoffMs', () => {
  it('doubles up to the cap, with jitter between half and all of it', () => {
    expect(backoffMs({ attempt: 0, initialMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(1000);
    expect(backoffMs({ attempt: 3, initialMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(8000);
    expect(backoffMs({ attempt: 3, initialMs: 1000, maxMs: 60_000, random: () => 0 })).toBe(4000);
    expect(backoffMs({ attempt: 30, initialMs: 1000, maxMs: 60_000, random: () => 1 })).toBe(60_000);
  });
});
