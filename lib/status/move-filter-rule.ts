import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import type { FilterRule } from './status-filter-rule.schema';

/**
 * Moves a rule one place up (evaluated earlier) or down, in one transaction with its audit; at
 * either end nothing changes and nothing is audited. Returns the new order.
 */
export async function moveFilterRule(options: { actor: Actor; id: number; direction: 'up' | 'down' }): Promise<FilterRule[]> {
  await inTransaction(pool(), async (client) => {
    const { rule, moved } = notFoundOrThrow(
      await repo.swapWithNeighbour(client, options.id, options.direction, options.actor.principal.userName),
      'That status filter rule',
    );
    if (!moved) return;
    await repo.notifyFilterRulesChanged(client);
    await reportAudit(
      {
        kind: 'performed',
        verb: options.direction === 'up' ? 'MoveUp' : 'MoveDown',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusFilterRule',
        objectName: rule.name,
      },
      client,
    );
  });
  return repo.listFilterRules();
}
