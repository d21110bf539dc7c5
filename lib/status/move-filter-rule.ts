import { reportAudit } from '../audit/report-audit';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import type { FilterRule } from './status-filter-rule.schema';

/** Moves a rule one place up (evaluated earlier) or down; at either end nothing changes. Returns the new order. */
export async function moveFilterRule(options: { actor: Actor; id: number; direction: 'up' | 'down' }): Promise<FilterRule[]> {
  const rule = notFoundOrThrow(await repo.findFilterRule(options.id), 'That status filter rule');
  if (await repo.swapWithNeighbour(rule.id, options.direction, options.actor.principal.userName)) {
    await repo.notifyFilterRulesChanged();
    await reportAudit({
      kind: 'performed',
      verb: options.direction === 'up' ? 'MoveUp' : 'MoveDown',
      userName: options.actor.principal.userName,
      address: options.actor.address,
      objectType: 'StatusFilterRule',
      objectName: rule.name,
    });
  }
  return repo.listFilterRules();
}
