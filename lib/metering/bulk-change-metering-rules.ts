import type { Actor } from '../users/actor';
import type { MeteringRule, MeteringRulesBulkChange } from './metering-rule.schema';
import { changeMeteringRules, manyRulesAudit } from './change-metering-rules';
import * as repo from './repo';

export interface BulkChangeResult {
  action: MeteringRulesBulkChange['action'];
  /** The rules this change enabled, disabled or deleted. */
  changed: number;
  /** Rules already in the state asked for (enable on an enabled rule). */
  unchanged: number;
  /** Ids no rule has (deleted meanwhile, say); the others were changed all the same. */
  notFound: number[];
}

const verbs = { enable: 'Enable', disable: 'Disable', delete: 'Delete' } as const;

/**
 * Enables, disables or deletes many software metering rules at once — what an administrator does
 * to an imported set — and audits the change as one message naming every rule it touched, as an
 * import does. Each enabled or disabled rule gets a new revision, so agents pick it up at their
 * next policy request.
 */
export async function bulkChangeMeteringRules(options: { actor: Actor; change: MeteringRulesBulkChange }): Promise<BulkChangeResult> {
  const { action, ids } = options.change;
  const existing = await repo.findMeteringRules(ids);
  const found = new Set(existing.map((r) => r.id));
  const notFound = ids.filter((id) => !found.has(id));
  const changed = await changeMeteringRules<MeteringRule[]>(async (client) => {
    const rules =
      action === 'delete'
        ? await repo.deleteMeteringRuleRows(client, [...found])
        : await repo.setMeteringRulesEnabled(client, [...found], action === 'enable', options.actor.principal.userName);
    return {
      result: rules,
      enabledAt: action === 'enable' ? rules.map((r) => r.siteCode) : [],
      audit: manyRulesAudit(options.actor, verbs[action], rules),
    };
  });
  return { action, changed: changed.length, unchanged: existing.length - changed.length, notFound };
}
