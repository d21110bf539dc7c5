import { describe, expect, it } from 'vitest';
import type { ClientOperationPage, ClientOperationRow } from '@/lib/notification/client-operation.schema';
import { applyProgress, keepLaterCounts } from '@/lib/notification/later-counts';
import { deriveOperationCounts, emptyStateCounts } from '@/lib/notification/operation-counts';

const now = new Date('2026-12-07T12:00:00Z');

function row(id: number, states: Partial<ClientOperationRow['states']>, countsAsOf: number, cancelledAt: string | null = null): ClientOperationRow {
  const all = { ...emptyStateCounts(), ...states };
  const validUntil = '2026-12-08T12:00:00.000Z';
  return {
    id,
    action: 'FULL_SCAN',
    scriptName: null,
    liveQuery: null,
    collectionId: 1,
    targetName: 'Clients',
    startedBy: 'operator',
    startedAt: '2026-12-07T11:59:00.000Z',
    validUntil,
    cancelledAt,
    cancelledBy: cancelledAt ? 'operator' : null,
    states: all,
    countsAsOf,
    total: 30,
    onlineAtStart: 21,
    counts: deriveOperationCounts({ states: all, validUntil, cancelledAt, now }),
  };
}

const page = (...rows: ClientOperationRow[]): ClientOperationPage => ({ rows, total: rows.length, page: 1, pageSize: 50 });

describe('keeping the later counting of an operation', () => {
  it('keeps pushed counts a list read before them would put back', () => {
    // Pushed: every scan stopped by the cancel. Fetched: the list read just before those results.
    const held = page(row(2, { CANCELLED: 30 }, 2_000, '2026-12-07T11:59:30.000Z'), row(1, { SUCCEEDED: 21, WAITING: 9 }, 1_000));
    const fetched = page(row(2, { DELIVERED: 21, CANCELLED: 9 }, 1_500, '2026-12-07T11:59:30.000Z'), row(1, { SUCCEEDED: 21, WAITING: 9 }, 1_500));
    const merged = keepLaterCounts(held, fetched, now);
    expect(merged.rows[0].counts).toMatchObject({ cancelled: 30, inProgress: 0, status: 'CANCELLED' });
    expect(merged.rows[0].countsAsOf).toBe(2_000);
    expect(merged.rows[1]).toBe(fetched.rows[1]);
  });

  it('takes the fetched counts when they are the later, and its other columns always', () => {
    const held = page(row(2, { DELIVERED: 21, WAITING: 9 }, 1_000));
    const fetched = page(row(2, { DELIVERED: 21, CANCELLED: 9 }, 1_500, '2026-12-07T11:59:30.000Z'));
    expect(keepLaterCounts(held, fetched, now)).toEqual(fetched);
    // Held counts later than the fetch, on a row the fetch says is cancelled: derived with the cancel.
    const later = keepLaterCounts(page(row(2, { DELIVERED: 20, SUCCEEDED: 1, WAITING: 9 }, 2_000)), fetched, now);
    expect(later.rows[0]).toMatchObject({
      cancelledAt: '2026-12-07T11:59:30.000Z',
      counts: { inProgress: 20, succeeded: 1, cancelled: 9, waiting: 0 },
    });
  });

  it('applies a pushed counting only when it is later than the row', () => {
    const held = page(row(2, { DELIVERED: 21, CANCELLED: 9 }, 1_500));
    expect(applyProgress(held, [{ id: 2, states: { ...emptyStateCounts(), CANCELLED: 30 }, asOf: 1_400 }], now)).toEqual(held);
    const applied = applyProgress(held, [{ id: 2, states: { ...emptyStateCounts(), CANCELLED: 30 }, asOf: 1_600 }], now);
    expect(applied.rows[0]).toMatchObject({ countsAsOf: 1_600, counts: { cancelled: 30, inProgress: 0 } });
    expect(applyProgress(held, [{ id: 7, states: emptyStateCounts(), asOf: 9_999 }], now)).toEqual(held);
  });

  it('takes a first page as fetched', () => {
    const fetched = page(row(1, { WAITING: 30 }, 1_000));
    expect(keepLaterCounts(undefined, fetched, now)).toBe(fetched);
  });
});
