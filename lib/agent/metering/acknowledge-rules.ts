import { randomUUID } from 'node:crypto';
import { clientMessageIds } from '../../protocol/client-message-ids';
import type { MeteringPolicy, MeteringPolicyRule } from '../../protocol/metering-policy.schema';
import type { StatusMessageInput } from '../../protocol/status-message.schema';

export const METERING_COMPONENT = 'Software Metering Agent';
/** An insertion string holds at most 4096 characters; a longer list of rules is split over messages. */
const MAX_NAMES = 4000;

/**
 * The status messages acknowledging the rules of a policy this agent has not acknowledged yet
 * (`acknowledged` holds each rule's id and revision already reported): one 10907 per rule, as the
 * reference product did, or one message naming every new rule (split only when the names would
 * not fit one message). Returns the messages and the revisions they cover.
 */
export function meteringAcknowledgements(options: {
  policy: MeteringPolicy;
  acknowledged: ReadonlySet<string>;
  siteCode: string;
  systemName: string;
  now: Date;
}): { messages: StatusMessageInput[]; covered: string[] } {
  const fresh = options.policy.rules.filter((r) => !options.acknowledged.has(`${r.ruleId}:${r.revision}`));
  const covered = fresh.map((r) => `${r.ruleId}:${r.revision}`);
  // Each message written out in full: `{ ...base, more }` made objects V8 keeps in its slow
  // dictionary form, ten times dearer to build and slower to validate and serialise, and the
  // per-rule mode makes one per rule.
  const message = (uid: string, messageId: number, insertionStrings: string[], properties: Record<string, string>): StatusMessageInput => ({
    uid,
    messageId,
    severity: 'INFORMATIONAL',
    type: 'DETAIL',
    source: 'CLIENT',
    siteCode: options.siteCode,
    systemName: options.systemName,
    component: METERING_COMPONENT,
    sourceTime: options.now,
    insertionStrings,
    properties,
  });
  if (!fresh.length) return { messages: [], covered };
  if (options.policy.acknowledgements === 'per-rule') {
    return {
      messages: fresh.map((r) =>
        message(randomUUID(), clientMessageIds.meteringRulesReceived, [r.ruleName, r.fileName], { MeteringRuleID: r.ruleName }),
      ),
      covered,
    };
  }
  // Consecutive rules are named as a range (S0100002-S0100500), so 500 rules fit one message.
  const chunks: { names: string[]; count: number }[] = [{ names: [], count: 0 }];
  let length = 0;
  for (const run of consecutiveRuns(fresh)) {
    const text = run.length === 1 ? run[0]!.ruleName : `${run[0]!.ruleName}-${run.at(-1)!.ruleName}`;
    if (length + text.length + 1 > MAX_NAMES) {
      chunks.push({ names: [], count: 0 });
      length = 0;
    }
    chunks.at(-1)!.names.push(text);
    chunks.at(-1)!.count += run.length;
    length += text.length + 1;
  }
  return {
    messages: chunks.map(({ names, count }) =>
      message(randomUUID(), clientMessageIds.meteringPolicyReceived, [String(count), names.join(',')], { MeteringRuleCount: String(count) }),
    ),
    covered,
  };
}

/** The rules in runs of consecutive ids (the policy lists them by id). */
function consecutiveRuns(rules: MeteringPolicyRule[]): MeteringPolicyRule[][] {
  const runs: MeteringPolicyRule[][] = [];
  for (const rule of [...rules].sort((a, b) => a.ruleId - b.ruleId)) {
    const last = runs.at(-1);
    if (last && last.at(-1)!.ruleId === rule.ruleId - 1) last.push(rule);
    else runs.push([rule]);
  }
  return runs;
}
