import { isInt4Id, isPlainObject } from '../validation/primitives';
import { MAX_POLICY_RULES, type MeteringPolicyRule } from './metering-policy.schema';
import { clientPolicySchema, type AgentPolicy } from './policy.schema';

/**
 * Parses client policy as clientPolicySchema does, faster when it carries many metering rules.
 *
 * A policy with 500 software metering rules is 500 small objects, and zod took longer over them
 * than over everything else the agent does with its policy: after a Download Computer Policy on a
 * collection, every client parses one at the same moment. The rules are checked here directly
 * (each field's type and length, as meteringPolicyRuleSchema has them) and the schema parses the
 * rest; a policy with any rule that is not plainly valid goes to the schema whole, which decides
 * (a bad rule there drops the metering section, as it always has). So the answer is the schema's
 * own (tests/lib/protocol/parse-client-policy.test.ts holds the two together).
 */
export function parseClientPolicy(input: unknown): AgentPolicy {
  const rules = plainRules(input);
  if (!rules) return clientPolicySchema.parse(input);
  const policy = input as { metering: Record<string, unknown> };
  const parsed = clientPolicySchema.parse({ ...policy, metering: { ...policy.metering, rules: [] } });
  return parsed.metering ? { ...parsed, metering: { ...parsed.metering, rules } } : parsed;
}

function isString(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

/** The policy's metering rules as the schema outputs them, when every one is plainly valid; otherwise null. */
function plainRules(input: unknown): MeteringPolicyRule[] | null {
  if (!isPlainObject(input) || !isPlainObject(input.metering)) return null;
  const rules = input.metering.rules;
  if (!Array.isArray(rules) || rules.length > MAX_POLICY_RULES) return null;
  const out: MeteringPolicyRule[] = new Array(rules.length);
  for (let i = 0; i < rules.length; i++) {
    const r: unknown = rules[i];
    if (
      !isPlainObject(r) ||
      typeof r.ruleId !== 'number' ||
      !isInt4Id(r.ruleId) ||
      !isString(r.ruleName, 1, 32) ||
      !isString(r.productName, 0, 200) ||
      !isString(r.fileName, 1, 1024) ||
      !isString(r.originalFileName, 0, 255) ||
      !isString(r.version, 1, 64) ||
      !isString(r.revision, 1, 64)
    ) {
      return null;
    }
    out[i] = {
      ruleId: r.ruleId,
      ruleName: r.ruleName,
      productName: r.productName,
      fileName: r.fileName,
      originalFileName: r.originalFileName,
      version: r.version,
      revision: r.revision,
    };
  }
  return out;
}
