import { plural } from '../plural';
import type { MessageActions } from './evaluate-rules';
import type { FilterRule, ProgramAction } from './status-filter-rule.schema';

const sourceWords = { CLIENT: 'clients', SERVER: 'servers', PROVIDER: 'the provider' } as const;
const typeWords = { MILESTONE: 'milestone', DETAIL: 'detail', AUDIT: 'audit' } as const;
const severityWords = { INFORMATIONAL: 'informational', WARNING: 'warning', ERROR: 'error' } as const;

type Criteria = Pick<
  FilterRule,
  'source' | 'siteCode' | 'systemName' | 'component' | 'messageType' | 'severity' | 'messageId' | 'propertyName' | 'propertyValue'
>;

/** A rule's criteria as a phrase: "error server messages with message ID 502 from component SMS_X". Pure. */
export function describeCriteria(rule: Criteria): string {
  const kind = [rule.severity && severityWords[rule.severity], rule.messageType && typeWords[rule.messageType]].filter(Boolean).join(' ');
  const parts = [`${kind ? `${kind} ` : 'all '}messages`];
  if (rule.messageId !== null) parts.push(`with message ID ${rule.messageId}`);
  if (rule.source) parts.push(`from ${sourceWords[rule.source]}`);
  if (rule.component) parts.push(`from component ${rule.component}`);
  if (rule.systemName) parts.push(`from system ${rule.systemName}`);
  if (rule.siteCode) parts.push(`at site ${rule.siteCode}`);
  if (rule.propertyName) {
    parts.push(rule.propertyValue !== null ? `whose ${rule.propertyName} is ${rule.propertyValue}` : `that have a ${rule.propertyName}`);
  }
  const text = parts.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function describeProgram(program: ProgramAction): string {
  return program.kind === 'command' ? `run ${[program.file, ...program.args].join(' ')}` : `call webhook ${program.url}`;
}

type Actions = Pick<MessageActions, 'writeToDatabase' | 'retentionDays' | 'reportToEventLog' | 'replicateToParent' | 'forwardToSummarizers'> & {
  programs: readonly { program: ProgramAction }[];
  stopProcessing?: boolean;
};

/** What is done with a message, as a list of short phrases in the reference's order. Pure. */
export function describeActions(actions: Actions): string[] {
  const out: string[] = [];
  if (actions.writeToDatabase) out.push(`write to the database (keep ${plural(actions.retentionDays ?? 30, 'day')})`);
  if (actions.reportToEventLog) out.push('report to the event log');
  if (actions.replicateToParent !== 'NONE') out.push(`replicate to the parent site (${actions.replicateToParent.toLowerCase()} priority)`);
  if (!actions.forwardToSummarizers) out.push('do not forward to the status summarizers');
  for (const { program } of actions.programs) out.push(describeProgram(program));
  if (actions.stopProcessing) out.push('do not process lower-priority rules');
  return out;
}

/** A rule's own actions, in the same words. */
export function describeRuleActions(rule: FilterRule): string[] {
  return describeActions({ ...rule, programs: rule.runProgram ? [{ program: rule.runProgram }] : [] });
}
