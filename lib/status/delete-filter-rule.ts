import { reportAudit } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';

/** Deletes a status filter rule, in one transaction with its audit: neither stands without the other. */
export async function deleteFilterRule(options: { actor: Actor; id: number }): Promise<void> {
  await inTransaction(pool(), async (client) => {
    const rule = notFoundOrThrow(await repo.deleteFilterRuleRow(client, options.id), 'That status filter rule');
    await repo.notifyFilterRulesChanged(client);
    await reportAudit(
      {
        kind: 'deleted',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'StatusFilterRule',
        objectName: rule.name,
        oldValue: rule,
      },
      client,
    );
  });
}
