import type pg from 'pg';
import { reportAudit, type AuditEvent } from '../audit/report-audit';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError } from '../errors';
import { MAX_POLICY_RULES } from '../protocol/metering-policy.schema';
import type { Actor } from '../users/actor';
import type { MeteringRule } from './metering-rule.schema';
import { lockedEnabledRuleCounts } from './repo';

/** What a change to metering rules did: its result, the sites where it enabled rules, and its audit (none when it changed nothing). */
export interface RuleChange<T> {
  result: T;
  enabledAt: readonly string[];
  audit: AuditEvent | null;
}

/**
 * Runs a change to software metering rules in one transaction with its audit, so neither stands
 * without the other. A change that leaves a site with more enabled rules than one policy carries
 * is refused: the agent drops such a policy whole, and its clients would meter nothing at all.
 */
export async function changeMeteringRules<T>(work: (client: pg.PoolClient) => Promise<RuleChange<T>>): Promise<T> {
  return inTransaction(pool(), async (client) => {
    const { result, enabledAt, audit } = await work(client);
    for (const [siteCode, enabled] of await lockedEnabledRuleCounts(client, enabledAt)) {
      if (enabled > MAX_POLICY_RULES)
        throw new AppError('CONFLICT', {
          userMessage: `Site ${siteCode} would have ${enabled.toLocaleString('en-US')} enabled rules; a client's policy carries at most ${MAX_POLICY_RULES.toLocaleString('en-US')}. Disable or delete rules there first, or add these disabled.`,
          details: { fields: [{ path: 'enabled', message: `at most ${MAX_POLICY_RULES} enabled rules a site` }] },
        });
    }
    if (audit) await reportAudit(audit, client);
    return result;
  });
}

/** One audit message naming every rule a change to many touched (an import, a bulk change); none when it touched none. */
export function manyRulesAudit(actor: Actor, verb: string, rules: readonly MeteringRule[]): AuditEvent | null {
  if (!rules.length) return null;
  return {
    kind: 'performed',
    verb,
    userName: actor.principal.userName,
    address: actor.address,
    objectType: 'MeteringRule',
    objectName: `${rules.length} rules`,
    newValue: rules.map((r) => `${r.siteCode}:${r.productName} (${r.fileName} ${r.version})`),
  };
}
