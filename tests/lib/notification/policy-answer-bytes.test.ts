// A policy answer printed as bytes, its shared rules spliced in, reads back as the answer itself,
// whatever its strings hold.
import { describe, expect, it } from 'vitest';
import { policyAnswerBytes } from '@/lib/notification/policy-answer-bytes';
import type { ClientPolicy } from '@/lib/policy/client-policy';
import { readPolicyAnswer } from '@/lib/protocol/read-policy-answer';

const hostile = ['"rules":[]', '}]},{"x":', '\\"', '\u2028\u2029', 'Ünïcødé ☃ 𝄞', '\u0000', '__proto__'];

function policy(overrides: Partial<ClientPolicy> = {}, rules = hostile.map((s, i) => rule(i + 1, s))): ClientPolicy {
  return {
    deviceId: 7,
    deviceName: hostile.join(''),
    siteCode: 'S01',
    siteControlSerial: 3,
    clientAgent: { policyPollingMinutes: 60, note: hostile[0] } as unknown as ClientPolicy['clientAgent'],
    deployments: [],
    inventory: { resync: false },
    metering: { enabled: true, rules, rulesRevision: 'r1' } as ClientPolicy['metering'],
    ...overrides,
  };
}

function rule(ruleId: number, text: string) {
  return { ruleId, ruleName: `S01${ruleId}`, productName: text, fileName: `${text}.exe`, originalFileName: text, version: '*', revision: '1' };
}

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('policyAnswerBytes', () => {
  it('is the JSON of { policy }, hostile strings and all', () => {
    const p = policy();
    const bytes = policyAnswerBytes(p);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(roundTrip({ policy: p }));
    expect(readPolicyAnswer(bytes)).toEqual(roundTrip(p));
  });

  it('prints the rules of one read once, and a policy without rules or optional fields whole', () => {
    const shared = [rule(1, 'a'), rule(2, 'b')];
    const a = policyAnswerBytes(policy({ deviceId: 1 }, shared));
    const b = policyAnswerBytes(policy({ deviceId: 2 }, shared));
    expect((readPolicyAnswer(a) as ClientPolicy).deviceId).toBe(1);
    expect((readPolicyAnswer(b) as ClientPolicy).metering.rules).toEqual(shared);
    // Without a revision (metering off): the member is left out, as JSON.stringify leaves it.
    const off = policy({ metering: { enabled: false, rules: [] } as unknown as ClientPolicy['metering'] });
    expect(readPolicyAnswer(policyAnswerBytes(off))).toEqual(roundTrip(off));
  });
});

describe('readPolicyAnswer', () => {
  it('reads an object answer, bytes in any view, and nothing from an error answer', () => {
    const p = policy();
    expect(readPolicyAnswer({ policy: p })).toBe(p);
    const bytes = policyAnswerBytes(p);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 5);
    expect(readPolicyAnswer(padded.subarray(5, 5 + bytes.length))).toEqual(roundTrip(p));
    expect(readPolicyAnswer(padded.slice(5, 5 + bytes.length).buffer)).toEqual(roundTrip(p));
    expect(readPolicyAnswer({ error: 'UNAVAILABLE' })).toBeUndefined();
    expect(readPolicyAnswer(null)).toBeUndefined();
    expect(readPolicyAnswer(Buffer.from('[1]'))).toBeUndefined();
    expect(() => readPolicyAnswer(Buffer.from('{"policy":'))).toThrow(SyntaxError);
  });
});
