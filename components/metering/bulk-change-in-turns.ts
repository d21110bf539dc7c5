import type { BulkChangeResult } from '@/lib/metering/bulk-change-metering-rules';
import { MAX_BULK_RULES, type MeteringRulesBulkChange } from '@/lib/metering/metering-rule.schema';

/**
 * A bulk change of any number of rules, sent `MAX_BULK_RULES` ids at a time (one request names no
 * more), with the answers added up. `send` posts one request.
 */
export async function bulkChangeInTurns(
  action: MeteringRulesBulkChange['action'],
  ids: readonly number[],
  send: (change: MeteringRulesBulkChange) => Promise<BulkChangeResult>,
): Promise<BulkChangeResult> {
  const total: BulkChangeResult = { action, changed: 0, unchanged: 0, notFound: [] };
  for (let at = 0; at < ids.length; at += MAX_BULK_RULES) {
    const part = await send({ action, ids: ids.slice(at, at + MAX_BULK_RULES) });
    total.changed += part.changed;
    total.unchanged += part.unchanged;
    total.notFound.push(...part.notFound);
  }
  return total;
}
