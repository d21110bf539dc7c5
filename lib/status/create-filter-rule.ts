import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import type { Actor } from '../users/actor';
import * as repo from './repo';
import type { FilterRule, FilterRuleInput } from './status-filter-rule.schema';

/**
 * Adds a status filter rule at the lowest priority, in one transaction with its audit; every
 * Status Manager picks it up once it commits.
 */
export async function createFilterRule(options: { actor: Actor; input: FilterRuleInput }): Promise<FilterRule> {
  return inTransaction(pool(), async (client) => {
    const rule = await repo.insertFilterRule(client, options.input);
    await repo.notifyFilterRulesChanged(client);
    await reportAudit(
      {
        kind: 'created',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusFilterRule',
        objectName: rule.name,
        newValue: options.input,
      },
      client,
    );
    return rule;
  });
}
