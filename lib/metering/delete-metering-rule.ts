import { reportAudit } from '../audit/report-audit';
import { notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import * as repo from './repo';

export async function deleteMeteringRule(options: { actor: Actor; id: number }): Promise<void> {
  const rule = notFoundOrThrow(await repo.findMeteringRule(options.id), 'That software metering rule');
  await repo.deleteMeteringRuleRow(rule.id);
  await reportAudit({
    kind: 'deleted',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'MeteringRule',
    objectName: `${rule.productName} (${rule.fileName})`,
    oldValue: rule,
    siteCode: rule.siteCode,
  });
}
