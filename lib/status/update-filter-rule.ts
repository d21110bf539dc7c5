import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import { filterRuleInputSchema, type FilterRule, type FilterRuleInput, type FilterRulePatch } from './status-filter-rule.schema';

const editable = Object.keys(filterRuleInputSchema.shape) as (keyof FilterRuleInput)[];

function asInput(rule: FilterRule): FilterRuleInput {
  return Object.fromEntries(editable.map((k) => [k, rule[k]])) as FilterRuleInput;
}

/**
 * Changes some of a rule's fields (enable / disable is `{ enabled }`); the result is validated
 * as a whole rule, so a change cannot leave, say, a database write without a retention. A change
 * made from an older version than the current one (`baseUpdatedAt`) is refused (409). The change
 * commits with its audit, or neither is made.
 */
export async function updateFilterRule(options: { actor: Actor; id: number; patch: FilterRulePatch }): Promise<FilterRule> {
  const { baseUpdatedAt, ...patch } = options.patch;
  const unknown = Object.keys(patch).filter((k) => !editable.includes(k as keyof FilterRuleInput));
  if (unknown.length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The change names fields a rule does not have.',
      details: { fields: unknown.map((path) => ({ path, message: 'is not a rule field' })) },
    });
  }
  return inTransaction(pool(), async (client) => {
    const { before, input, rule } = notFoundOrThrow(
      await repo.updateFilterRuleRow(client, options.id, options.actor.principal.userName, (stored, updatedBy) => {
        if (baseUpdatedAt && stored.updatedAt?.getTime() !== baseUpdatedAt.getTime())
          throw new AppError('CONFLICT', {
            userMessage: `${updatedBy || 'Someone'} changed the rule after you opened it; cancel, then edit it again to start from their version.`,
          });
        return filterRuleInputSchema.parse({ ...asInput(stored), ...patch });
      }),
      'That status filter rule',
    );
    await repo.notifyFilterRulesChanged(client);
    const changed = Object.fromEntries(Object.keys(patch).map((k) => [k, input[k as keyof FilterRuleInput]]));
    await reportAudit(
      {
        kind: 'modified',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusFilterRule',
        objectName: rule.name,
        oldValue: Object.fromEntries(Object.keys(patch).map((k) => [k, before[k as keyof FilterRule]])),
        newValue: changed,
      },
      client,
    );
    return rule;
  });
}
