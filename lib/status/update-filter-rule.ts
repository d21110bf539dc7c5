import { reportAudit } from '../audit/report-audit';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import { filterRuleInputSchema, type FilterRule, type FilterRuleInput } from './status-filter-rule.schema';

const editable = Object.keys(filterRuleInputSchema.shape) as (keyof FilterRuleInput)[];

function asInput(rule: FilterRule): FilterRuleInput {
  return Object.fromEntries(editable.map((k) => [k, rule[k]])) as FilterRuleInput;
}

/**
 * Changes some of a rule's fields (enable / disable is `{ enabled }`); the result is validated
 * as a whole rule, so a change cannot leave, say, a database write without a retention.
 */
export async function updateFilterRule(options: { actor: Actor; id: number; patch: Record<string, unknown> }): Promise<FilterRule> {
  const unknown = Object.keys(options.patch).filter((k) => !editable.includes(k as keyof FilterRuleInput));
  if (unknown.length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The change names fields a rule does not have.',
      details: { fields: unknown.map((path) => ({ path, message: 'is not a rule field' })) },
    });
  }
  const { before, input, rule } = notFoundOrThrow(
    await repo.updateFilterRuleRow(options.id, (stored) => filterRuleInputSchema.parse({ ...asInput(stored), ...options.patch })),
    'That status filter rule',
  );
  await repo.notifyFilterRulesChanged();
  const changed = Object.fromEntries(Object.keys(options.patch).map((k) => [k, input[k as keyof FilterRuleInput]]));
  await reportAudit({
    kind: 'modified',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'StatusFilterRule',
    objectName: rule.name,
    oldValue: Object.fromEntries(Object.keys(options.patch).map((k) => [k, before[k as keyof FilterRule]])),
    newValue: changed,
  });
  return rule;
}
