import { reportAudit } from '../audit/report-audit';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import type { FilterRule, FilterRuleInput } from './status-filter-rule.schema';

/** Adds a status filter rule at the lowest priority; every Status Manager picks it up at once. */
export async function createFilterRule(options: { actor: Actor; input: FilterRuleInput }): Promise<FilterRule> {
  const rule = await repo.insertFilterRule(options.input);
  await repo.notifyFilterRulesChanged();
  await reportAudit({
    kind: 'created',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'StatusFilterRule',
    objectName: rule.name,
    newValue: options.input,
  });
  return rule;
}
