import { z } from 'zod';
import { int4Id, rawText } from '../validation/primitives';

/** How clients acknowledge the software metering rules they receive (site setting). */
export const meteringAcknowledgementModes = ['per-policy', 'per-rule'] as const;
export type MeteringAcknowledgementMode = (typeof meteringAcknowledgementModes)[number];

/** One software metering rule as policy carries it to the agent. */
export const meteringPolicyRuleSchema = z.object({
  ruleId: int4Id(),
  /** The rule as the console and the status messages name it, e.g. S0100042. */
  ruleName: z.string().min(1).max(32),
  productName: z.string().max(200),
  fileName: z.string().min(1).max(1024),
  originalFileName: z.string().max(255),
  version: z.string().min(1).max(64),
  /** Changes whenever the rule does: an agent acknowledges each version of a rule once. */
  revision: z.string().min(1).max(64),
});
export type MeteringPolicyRule = z.infer<typeof meteringPolicyRuleSchema>;

/** The Software Metering Agent's settings (site setting clientAgent.meteringAgent); what cannot be read falls back to the default. */
export const meteringAgentSettingsSchema = z.object({
  acknowledgements: z.enum(meteringAcknowledgementModes).catch('per-policy'),
  processPollSeconds: z.number().int().min(1).max(86_400).catch(10),
  uploadMinutes: z.number().int().min(1).max(10_080).catch(15),
});

/** Names one set of a site's enabled rules: any rule added, changed, enabled, disabled or deleted gives another. */
export const meteringRulesRevisionSchema = rawText(64).min(1);

/** Most metering rules one policy carries. */
export const MAX_POLICY_RULES = 50_000;

/**
 * The Software Metering Agent's settings and rules in client policy. An agent that names the
 * rules revision it holds when it asks for policy gets `rulesUnchanged` and no rules while that
 * revision is current: 500 rules are some 75 KB, which every policy cycle of every client would
 * otherwise carry again.
 */
export const meteringPolicySchema = meteringAgentSettingsSchema.extend({
  enabled: z.boolean(),
  rules: z.array(meteringPolicyRuleSchema).max(MAX_POLICY_RULES),
  rulesRevision: meteringRulesRevisionSchema.optional(),
  /** True when the rules are left out because the agent holds `rulesRevision` already (`rules` is then empty). */
  rulesUnchanged: z.boolean().optional(),
});
export type MeteringPolicy = z.infer<typeof meteringPolicySchema>;

/** A rule's name in the console and in status messages: site code and a five-digit number. */
export function meteringRuleName(siteCode: string, ruleId: number): string {
  return `${siteCode}${String(ruleId).padStart(5, '0')}`;
}
