import { reportAudit } from '../audit/report-audit';
import type { Actor } from '../users/actor';
import type { MeteringRule, MeteringRuleInput } from './metering-rule.schema';
import * as repo from './repo';
import { requireKnownSite } from './require-known-site';

/** Adds a software metering rule; when enabled, its site's clients receive it with their next policy. */
export async function createMeteringRule(options: { actor: Actor; input: MeteringRuleInput }): Promise<MeteringRule> {
  await requireKnownSite(options.input.siteCode);
  const rule = await repo.insertMeteringRule(options.input);
  await reportAudit({
    kind: 'created',
    userName: options.actor.principal.userName,
    address: options.actor.address,
    objectType: 'MeteringRule',
    objectName: `${rule.productName} (${rule.fileName})`,
    newValue: options.input,
    siteCode: rule.siteCode,
  });
  return rule;
}
