import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import { changeMeteringRules } from './change-metering-rules';
import * as repo from './repo';

export async function deleteMeteringRule(options: { actor: Actor; id: number }): Promise<void> {
  const rule = notFoundOrThrow(await repo.findMeteringRule(options.id), 'That software metering rule');
  await changeMeteringRules(async (client) => {
    await repo.deleteMeteringRuleRow(client, rule.id);
    return {
      result: undefined,
      enabledAt: [],
      audit: {
        kind: 'deleted',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'MeteringRule',
        objectName: `${rule.productName} (${rule.fileName})`,
        oldValue: rule,
        siteCode: rule.siteCode,
      },
    };
  });
}
