import type { Actor } from '../users/actor';
import type { MeteringRule, MeteringRuleInput } from './metering-rule.schema';
import { changeMeteringRules } from './change-metering-rules';
import * as repo from './repo';
import { requireKnownSite } from './require-known-site';

/** Adds a software metering rule; when enabled, its site's clients receive it with their next policy. */
export async function createMeteringRule(options: { actor: Actor; input: MeteringRuleInput }): Promise<MeteringRule> {
  await requireKnownSite(options.input.siteCode);
  return changeMeteringRules(async (client) => {
    const rule = await repo.insertMeteringRule(client, options.input);
    return {
      result: rule,
      enabledAt: rule.enabled ? [rule.siteCode] : [],
      audit: {
        kind: 'created',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'MeteringRule',
        objectName: `${rule.productName} (${rule.fileName})`,
        newValue: options.input,
        siteCode: rule.siteCode,
      },
    };
  });
}
