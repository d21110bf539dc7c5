// A bulk change of more rules than one request may name goes in turns, and the answers add up.
import { describe, expect, it } from 'vitest';
import { bulkChangeInTurns } from '@/components/metering/bulk-change-in-turns';
import { MAX_BULK_RULES, meteringRulesBulkSchema, type MeteringRulesBulkChange } from '@/lib/metering/metering-rule.schema';

describe('bulkChangeInTurns', () => {
  it('sends at most MAX_BULK_RULES ids a request, every id once, each request one the route accepts', async () => {
    const ids = Array.from({ length: 2 * MAX_BULK_RULES + 5 }, (_, i) => i + 1);
    const sent: MeteringRulesBulkChange[] = [];
    const result = await bulkChangeInTurns('disable', ids, async (change) => {
      expect(meteringRulesBulkSchema.safeParse(change).success).toBe(true);
      sent.push(change);
      return { action: change.action, changed: change.ids.length - 2, unchanged: 1, notFound: [change.ids[0]] };
    });
    expect(sent.map((c) => c.ids.length)).toEqual([MAX_BULK_RULES, MAX_BULK_RULES, 5]);
    expect(sent.flatMap((c) => c.ids)).toEqual(ids);
    expect(result).toEqual({ action: 'disable', changed: ids.length - 6, unchanged: 3, notFound: [1, MAX_BULK_RULES + 1, 2 * MAX_BULK_RULES + 1] });
  });

  it('stops at the first failure, leaving the rest unsent', async () => {
    let calls = 0;
    const ids = Array.from({ length: MAX_BULK_RULES + 1 }, (_, i) => i + 1);
    await expect(
      bulkChangeInTurns('delete', ids, async () => {
        calls++;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(calls).toBe(1);
  });
});
