import type { FilterRule, ProgramAction, ReplicationPriority } from './status-filter-rule.schema';
import type { StatusMessage } from '../reporting/status-message.schema';

/** Retention for a rule that writes to the database without saying how long. */
export const DEFAULT_RETENTION_DAYS = 30;

/** What Status Manager does with one message: every action once, however many rules asked for it. */
export interface MessageActions {
  writeToDatabase: boolean;
  /** Days to keep the message when written: the longest any matching rule asked for. */
  retentionDays: number | null;
  reportToEventLog: boolean;
  /** The highest priority any matching rule asked for; NONE when none did. */
  replicateToParent: ReplicationPriority;
  /** False as soon as one matching rule says "do not forward to status summarizers". */
  forwardToSummarizers: boolean;
  /** Programs to run, each distinct program once, in rule order. */
  programs: { ruleId: number; ruleName: string; program: ProgramAction }[];
}

export interface RuleEvaluation {
  actions: MessageActions;
  /** The enabled rules that matched, in the order they were evaluated. */
  matchedRuleIds: number[];
  /** The rule whose "do not process lower-priority rules" ended the evaluation, if any. */
  stoppedByRuleId: number | null;
}

type EvaluatedMessage = Pick<StatusMessage, 'messageId' | 'severity' | 'type' | 'source' | 'siteCode' | 'systemName' | 'component' | 'properties'>;

const replicationRank: Record<ReplicationPriority, number> = { NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

const sameText = (a: string, b: string) => a === b || a.toLowerCase() === b.toLowerCase();

/** Whether every criterion the rule sets matches the message; names compare case-insensitively. */
export function ruleMatches(rule: FilterRule, message: EvaluatedMessage): boolean {
  if (rule.source !== null && rule.source !== message.source) return false;
  if (rule.siteCode !== null && !sameText(rule.siteCode, message.siteCode)) return false;
  if (rule.systemName !== null && !sameText(rule.systemName, message.systemName)) return false;
  if (rule.component !== null && !sameText(rule.component, message.component)) return false;
  if (rule.messageType !== null && rule.messageType !== message.type) return false;
  if (rule.severity !== null && rule.severity !== message.severity) return false;
  if (rule.messageId !== null && rule.messageId !== message.messageId) return false;
  if (rule.propertyName !== null) {
    const wanted = rule.propertyName.toLowerCase();
    const key = Object.keys(message.properties ?? {}).find((k) => k.toLowerCase() === wanted);
    if (key === undefined) return false;
    if (rule.propertyValue !== null && !sameText(rule.propertyValue, message.properties[key])) return false;
  }
  return true;
}

const programKey = (p: ProgramAction) => (p.kind === 'command' ? JSON.stringify(['command', p.file, p.args]) : JSON.stringify(['webhook', p.url]));

/**
 * Evaluates a message against the status filter rules in priority order (lower first),
 * skipping disabled ones, and merges the actions of every rule that matches until one says
 * "do not process lower-priority rules". Pure: no I/O, no clock.
 */
export function evaluateRules(options: {
  message: EvaluatedMessage;
  rules: readonly FilterRule[];
  /** Retention for a rule that does not say (site setting "Delete Aged Status Messages"); default 30. */
  defaultRetentionDays?: number;
}): RuleEvaluation {
  const rules = isSortedByPriority(options.rules) ? options.rules : [...options.rules].sort((a, b) => a.priority - b.priority);
  const actions: MessageActions = {
    writeToDatabase: false,
    retentionDays: null,
    reportToEventLog: false,
    replicateToParent: 'NONE',
    forwardToSummarizers: true,
    programs: [],
  };
  const matchedRuleIds: number[] = [];
  const programs = new Set<string>();
  let stoppedByRuleId: number | null = null;

  for (const rule of rules) {
    if (!rule.enabled || !ruleMatches(rule, options.message)) continue;
    matchedRuleIds.push(rule.id);
    if (rule.writeToDatabase) {
      actions.writeToDatabase = true;
      const days = rule.retentionDays ?? options.defaultRetentionDays ?? DEFAULT_RETENTION_DAYS;
      actions.retentionDays = Math.max(actions.retentionDays ?? 0, days);
    }
    if (rule.reportToEventLog) actions.reportToEventLog = true;
    if (replicationRank[rule.replicateToParent] > replicationRank[actions.replicateToParent]) {
      actions.replicateToParent = rule.replicateToParent;
    }
    if (!rule.forwardToSummarizers) actions.forwardToSummarizers = false;
    if (rule.runProgram) {
      const key = programKey(rule.runProgram);
      if (!programs.has(key)) {
        programs.add(key);
        actions.programs.push({ ruleId: rule.id, ruleName: rule.name, program: rule.runProgram });
      }
    }
    if (rule.stopProcessing) {
      stoppedByRuleId = rule.id;
      break;
    }
  }
  return { actions, matchedRuleIds, stoppedByRuleId };
}

function isSortedByPriority(rules: readonly FilterRule[]): boolean {
  for (let i = 1; i < rules.length; i++) if (rules[i - 1].priority > rules[i].priority) return false;
  return true;
}
