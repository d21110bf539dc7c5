import { createHash } from 'node:crypto';
import type { StatusMessage } from '../../lib/reporting/status-message.schema';

/** What both the flood's clients and its checker need to make the same messages. */
export interface FloodPlan {
  runId: string;
  devices: string[];
  perClient: number;
  baseTime: number;
}

/** A version-4-shaped UUID derived from the run, client and rule, so two processes agree on it. */
function uid(runId: string, client: number, rule: number): string {
  const h = createHash('md5').update(`${runId}:${client}:${rule}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Client `client`'s software metering acknowledgements: one 10907 per rule. */
export function clientMessages(plan: FloodPlan, client: number): StatusMessage[] {
  return Array.from({ length: plan.perClient }, (_, rule) => ({
    uid: uid(plan.runId, client, rule),
    messageId: 10907,
    severity: 'INFORMATIONAL' as const,
    type: 'DETAIL' as const,
    source: 'CLIENT' as const,
    siteCode: 'S01',
    systemName: plan.devices[client],
    component: 'SMS_SOFTWARE_METERING_AGENT',
    sourceTime: new Date(plan.baseTime + client * 10 + rule),
    processId: 4000 + (client % 1000),
    threadId: 100 + (rule % 16),
    insertionStrings: [`S01${String(rule + 1).padStart(5, '0')}`, `app${rule + 1}.exe`],
    properties: {},
  }));
}
