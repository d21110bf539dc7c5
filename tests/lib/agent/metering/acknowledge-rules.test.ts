import { describe, expect, it } from 'vitest';
import { meteringAcknowledgements } from '@/lib/agent/metering/acknowledge-rules';
import { meteringRuleName, type MeteringPolicy } from '@/lib/protocol/metering-policy.schema';

const rule = (ruleId: number, revision = '1') => ({
  ruleId,
  ruleName: meteringRuleName('S01', ruleId),
  productName: `P${ruleId}`,
  fileName: `f${ruleId}`,
  originalFileName: '',
  version: '*',
  revision,
});
const policy = (mode: MeteringPolicy['acknowledgements'], ids: number[]): MeteringPolicy => ({
  enabled: true,
  acknowledgements: mode,
  processPollSeconds: 30,
  uploadMinutes: 15,
  rules: ids.map((id) => rule(id)),
});
const run = (p: MeteringPolicy, acknowledged: string[] = []) =>
  meteringAcknowledgements({ policy: p, acknowledged: new Set(acknowledged), siteCode: 'S01', systemName: 'WKS1', now: new Date(0) });

describe('software metering acknowledgements', () => {
  it('per rule: one 10907 for each rule not acknowledged at its revision', () => {
    const { messages, covered } = run(policy('per-rule', [1, 2, 3]), ['2:1']);
    expect(messages.map((m) => [m.messageId, m.insertionStrings])).toEqual([
      [10907, ['S0100001', 'f1']],
      [10907, ['S0100003', 'f3']],
    ]);
    expect(covered).toEqual(['1:1', '3:1']);
    expect(run(policy('per-rule', [1]), ['1:1']).messages).toEqual([]);
    expect(run({ ...policy('per-rule', []), rules: [rule(1, '2')] }, ['1:1']).messages).toHaveLength(1);
  });

  it('per policy: one message naming every rule, consecutive ones as ranges', () => {
    const { messages } = run(policy('per-policy', [5, 1, 2, 3, 7, 8]));
    expect(messages.map((m) => [m.messageId, m.insertionStrings])).toEqual([[10908, ['6', 'S0100001-S0100003,S0100005,S0100007-S0100008']]]);
  });

  it('per policy: splits only when the names would overflow one insertion string', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => i * 2 + 1);
    const { messages } = run(policy('per-policy', ids));
    expect(messages.length).toBe(3);
    expect(messages.reduce((n, m) => n + Number(m.insertionStrings![0]), 0)).toBe(1000);
    for (const m of messages) expect(m.insertionStrings![1]!.length).toBeLessThanOrEqual(4096);
  });
});
