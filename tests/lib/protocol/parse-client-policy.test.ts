// parseClientPolicy checks plainly valid metering rules without zod and leaves the rest of the
// policy, or the whole of it when a rule is not plainly valid, to clientPolicySchema: whatever the
// policy, its answer must be the schema's own.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseClientPolicy } from '@/lib/protocol/parse-client-policy';
import { clientPolicySchema } from '@/lib/protocol/policy.schema';
import { fieldChanges, withChanges } from '../../support/field-changes';

const rule = (id: number) => ({
  ruleId: id,
  ruleName: `S01${String(id).padStart(5, '0')}`,
  productName: `Product ${id}`,
  fileName: `program-${id}.exe`,
  originalFileName: '',
  version: '*',
  revision: '1796536336260',
});

const policy = () => ({
  deviceId: 7,
  deviceName: 'PC7',
  siteCode: 'S01',
  siteControlSerial: 3,
  clientAgent: { policyPollingMinutes: 60, clientNotification: true, somethingNewer: { kept: true } },
  deployments: [],
  inventory: { resync: false },
  metering: {
    enabled: true,
    acknowledgements: 'per-rule',
    processPollSeconds: 30,
    uploadMinutes: 15,
    rules: [rule(1), rule(2), rule(3)],
    rulesRevision: 'abc',
  },
});

/** The answer as comparable data: the output, or that it threw. */
function answer(parse: (input: unknown) => unknown, input: unknown) {
  try {
    return { data: parse(input) };
  } catch {
    return { threw: true };
  }
}

function expectSchemaAnswer(input: unknown) {
  expect(answer(parseClientPolicy, input)).toStrictEqual(answer((i) => clientPolicySchema.parse(i), input));
}

const text = (max: number) =>
  fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', 'x'.repeat(max), 'x'.repeat(max + 1), 'x'.repeat(max - 1), '\u0000', '\ud800'));
const anyValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constantFrom(null, undefined, true, [], {}, 0, -1, 1, 2_147_483_647, 2_147_483_648, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53),
);
const ruleField = {
  ruleId: anyValue,
  ruleName: fc.oneof(text(32), anyValue),
  productName: fc.oneof(text(200), anyValue),
  fileName: fc.oneof(text(1024), anyValue),
  originalFileName: fc.oneof(text(255), anyValue),
  version: fc.oneof(text(64), anyValue),
  revision: fc.oneof(text(64), anyValue),
  extra: anyValue,
};

describe('parseClientPolicy', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the schema’s answer for a policy of plainly valid rules, the schema parsing only the rest', () => {
    const parse = vi.spyOn(clientPolicySchema, 'parse');
    const input = { ...policy(), metering: { ...policy().metering, rules: Array.from({ length: 500 }, (_, i) => rule(i + 1)) } };
    const parsed = parseClientPolicy(input);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(parse.mock.calls[0][0]).toMatchObject({ deviceId: 7, metering: { rules: [] } });
    parse.mockRestore();
    expect(parsed).toStrictEqual(clientPolicySchema.parse(input));
    expect(parsed.metering?.rules).toHaveLength(500);
  });

  it('answers as the schema does when one rule has an edge or hostile value, or loses a field', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fieldChanges(ruleField, Object.keys(rule(1))), (which, changes) => {
        const input = policy();
        (input.metering.rules as unknown[])[which] = withChanges(input.metering.rules[which], changes);
        expectSchemaAnswer(input);
      }),
      { numRuns: 5_000 },
    );
  });

  it('answers as the schema does for odd shapes around the rules', () => {
    const metering = policy().metering;
    for (const input of [
      policy(),
      { ...policy(), metering: { ...metering, rules: [] } },
      { ...policy(), metering: { ...metering, rules: 'none' } },
      { ...policy(), metering: { ...metering, rules: [rule(1), null] } },
      { ...policy(), metering: { ...metering, rules: Array.from({ length: 50_001 }, (_, i) => rule(i + 1)) } },
      { ...policy(), metering: { ...metering, enabled: 'yes' } },
      { ...policy(), metering: { ...metering, acknowledgements: 'sometimes' } },
      { ...policy(), metering: null },
      { ...policy(), metering: undefined },
      { ...policy(), deviceId: 0 },
      { ...policy(), siteCode: 'bad' },
      { ...policy(), metering: Object.assign(Object.create(null), metering) },
      null,
      'policy',
      [policy()],
    ]) {
      expectSchemaAnswer(input);
    }
  });
});
