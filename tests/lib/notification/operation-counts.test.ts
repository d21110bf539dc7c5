import { describe, expect, it } from 'vitest';
import { deriveOperationCounts, emptyStateCounts, type OperationCounts, type TargetStateCounts } from '@/lib/notification/operation-counts';

const now = new Date('2026-12-02T12:00:00Z');
const later = new Date('2026-12-02T13:00:00Z');
const earlier = new Date('2026-12-02T11:00:00Z');
const shown = (c: OperationCounts) => c.inProgress + c.succeeded + c.failed + c.cancelled + c.waiting + c.expired;
const total = (s: TargetStateCounts) => Object.values(s).reduce((a, b) => a + b, 0);

describe('deriveOperationCounts', () => {
  it('counts a cancel as Cancelled, never as Failed, and the columns add up to the total', () => {
    // 700 targets: 150 done, 50 were running when the cancel came and stopped, 500 never reached.
    const states = { ...emptyStateCounts(), SUCCEEDED: 150, CANCELLED: 550 };
    const counts = deriveOperationCounts({ states, validUntil: later, cancelledAt: now, now });
    expect(counts).toMatchObject({ succeeded: 150, failed: 0, cancelled: 550, waiting: 0, status: 'CANCELLED' });
    expect(shown(counts)).toBe(700);
  });

  it('adds up to the total in every state mix, before and after the validity and a cancel', () => {
    const states = { WAITING: 7, DELIVERED: 5, SUCCEEDED: 11, FAILED: 3, EXPIRED: 2, CANCELLED: 1 };
    for (const [validUntil, cancelledAt] of [
      [later, null],
      [earlier, null],
      [later, now],
    ] as const) {
      expect(shown(deriveOperationCounts({ states, validUntil, cancelledAt, now }))).toBe(total(states));
    }
    expect(deriveOperationCounts({ states, validUntil: later, cancelledAt: null, now })).toMatchObject({ inProgress: 5, waiting: 7, cancelled: 1 });
  });
});
