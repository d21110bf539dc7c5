import { AppError, notFoundOrThrow } from '../errors';
import type { Actor } from '../users/actor';
import { meteringRuleInputSchema, type MeteringRule, type MeteringRuleInput, type MeteringRulePatch } from './metering-rule.schema';
import { changeMeteringRules } from './change-metering-rules';
import * as repo from './repo';
import { requireKnownSite } from './require-known-site';

const editable = Object.keys(meteringRuleInputSchema.shape) as (keyof MeteringRuleInput)[];

/**
 * Changes some of a rule's fields (enable / disable is `{ enabled }`); the merged rule is validated
 * as a whole. A change made from an older version than the current one (`baseUpdatedAt`) is
 * refused (409); one naming no version is applied to the rule as it is.
 */
export async function updateMeteringRule(options: { actor: Actor; id: number; patch: MeteringRulePatch }): Promise<MeteringRule> {
  const { baseUpdatedAt, ...patch } = options.patch;
  const unknown = Object.keys(patch).filter((k) => !editable.includes(k as keyof MeteringRuleInput));
  if (unknown.length) {
    throw new AppError('BAD_REQUEST', {
      userMessage: 'The change names fields a rule does not have.',
      details: { fields: unknown.map((path) => ({ path, message: 'is not a rule field' })) },
    });
  }
  const before = notFoundOrThrow(await repo.findMeteringRule(options.id), 'That software metering rule');
  const input = meteringRuleInputSchema.parse({ ...Object.fromEntries(editable.map((k) => [k, before[k]])), ...patch });
  if (input.siteCode !== before.siteCode) await requireKnownSite(input.siteCode);
  const changed = Object.keys(patch) as (keyof MeteringRuleInput)[];
  // Only the fields named: a change made meanwhile to another field (enabling it, say) is kept.
  return changeMeteringRules(async (client) => {
    const { rule, changed: written } = await repo.updateMeteringRuleRow(client, options.id, Object.fromEntries(changed.map((k) => [k, input[k]])), {
      editorName: options.actor.principal.userName,
      check: (current) => {
        if (baseUpdatedAt && current.updatedAt.getTime() !== baseUpdatedAt.getTime())
          throw new AppError('CONFLICT', {
            userMessage: `${current.updatedBy || 'Someone'} changed the rule after you opened it; cancel, then edit it again to start from their version.`,
          });
      },
    });
    if (!written) return { result: rule, enabledAt: [], audit: null };
    return {
      result: rule,
      enabledAt: rule.enabled ? [rule.siteCode] : [],
      audit: {
        kind: 'modified',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'MeteringRule',
        objectName: `${rule.productName} (${rule.fileName})`,
        oldValue: Object.fromEntries(changed.map((k) => [k, before[k]])),
        newValue: Object.fromEntries(changed.map((k) => [k, input[k]])),
        siteCode: rule.siteCode,
      },
    };
  });
}
