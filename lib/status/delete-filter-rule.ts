import { reportAudit } from '../audit/report-audit';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';

export async function deleteFilterRule(options: { actor: Actor; id: number }): Promise<void> {
  const rule = notFoundOrThrow(await repo.findFilterRule(options.id), 'That status filter rule');
  await repo.deleteFilterRuleRow(rule.id);
  await repo.notifyFilterRulesChanged();
  await reportAudit({
    kind: 'deleted',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'StatusFilterRule',
    objectName: rule.name,
    oldValue: rule,
  });
}
