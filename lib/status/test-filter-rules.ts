import { renderDescription } from '../reporting/catalog';
import { evaluateRules, type MessageActions } from './evaluate-rules';
import type { FilterRule } from './status-filter-rule.schema';
import type { StatusMessage } from '../reporting/status-message.schema';

/** What one rule would do with a message, for the rules page's "test a message" box. */
export interface RuleTestLine {
  ruleId: number;
  name: string;
  priority: number;
  enabled: boolean;
  /** Whether the rule's criteria match (regardless of whether it is reached). */
  matches: boolean;
  /** Whether evaluation would get to this rule: false after a matching rule with "do not process lower-priority rules". */
  reached: boolean;
  /** Its actions when it matches, is enabled and is reached; otherwise null. */
  actions: MessageActions | null;
  /** Set on the rule that would stop the evaluation. */
  stops: boolean;
}

/**
 * Which rules a message would match and what each would do, plus the combined result Status
 * Manager would act on. Pure: nothing runs, nothing is stored.
 */
export function testFilterRules(options: { message: StatusMessage; rules: readonly FilterRule[] }) {
  const rules = [...options.rules].sort((a, b) => a.priority - b.priority);
  const combined = evaluateRules({ message: options.message, rules });
  const stopIndex = combined.stoppedByRuleId === null ? rules.length : rules.findIndex((r) => r.id === combined.stoppedByRuleId);
  const lines: RuleTestLine[] = rules.map((rule, index) => {
    const alone = evaluateRules({ message: options.message, rules: [{ ...rule, enabled: true }] });
    const matches = alone.matchedRuleIds.length === 1;
    const reached = index <= stopIndex;
    return {
      ruleId: rule.id,
      name: rule.name,
      priority: rule.priority,
      enabled: rule.enabled,
      matches,
      reached,
      actions: matches && rule.enabled && reached ? alone.actions : null,
      stops: rule.id === combined.stoppedByRuleId,
    };
  });
  return { description: renderDescription(options.message), rules: lines, result: combined.actions };
}
