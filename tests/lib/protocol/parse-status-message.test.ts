// parseStatusMessage takes the usual message without zod and leaves everything else to
// statusMessageSchema: whatever the input, its answer must be the schema's own.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseStatusMessage } from '@/lib/protocol/parse-status-message';
import { statusMessageSchema } from '@/lib/protocol/status-message.schema';
import { fieldChanges, withChanges } from '../../support/field-changes';

const usual = () => ({
  uid: '3f2c1d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
  messageId: 10907,
  severity: 'INFORMATIONAL',
  type: 'DETAIL',
  source: 'CLIENT',
  siteCode: 'S01',
  systemName: 'METER00042',
  component: 'Software Metering Agent',
  sourceTime: '2026-12-06T05:10:00.123Z',
  insertionStrings: ['S0100042', 'bench-program-42'],
  properties: { MeteringRuleID: 'S0100042' },
});

/** The answer as comparable data: the output, or the schema's issues. */
function answer(result: ReturnType<typeof parseStatusMessage>) {
  return result.success ? { data: result.data } : { issues: result.error.issues };
}

function expectSchemaAnswer(input: unknown) {
  expect(answer(parseStatusMessage(input))).toStrictEqual(answer(statusMessageSchema.safeParse(input)));
}

// Each field's edges and hostile values, beside values that pass.
const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', 'a', '\u0000', 'x\u0000y', '\ud800', 'a\udc00b', '\ud83d\ude00', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128)),
  fc.constantFrom('x'.repeat(129), 'x'.repeat(255), 'x'.repeat(256), 'x'.repeat(4096), 'x'.repeat(4097)),
);
const anyValue = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, undefined, true, [], {}, -1, 0, 2_147_483_647, 2_147_483_648, 1.5, Number.NaN),
);
const field = {
  uid: fc.oneof(
    fc.uuid(),
    fc.constantFrom('00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '3f2c1d4e-5b6a-9c7d-8e9f-0a1b2c3d4e5f'),
    anyValue,
  ),
  messageId: anyValue,
  severity: fc.oneof(fc.constantFrom('INFORMATIONAL', 'WARNING', 'ERROR', 'informational'), anyValue),
  type: fc.oneof(fc.constantFrom('MILESTONE', 'DETAIL', 'AUDIT', 'Detail'), anyValue),
  source: fc.oneof(fc.constantFrom('CLIENT', 'SERVER', 'PROVIDER', 'AGENT'), anyValue),
  siteCode: fc.oneof(fc.constantFrom('S01', 'ABC', 's01', 'S0', 'S012', ' S01'), anyValue),
  systemName: text,
  component: text,
  sourceTime: fc.oneof(
    fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'not a date' : d.toISOString())),
    fc.date({ noInvalidDate: false }),
    fc.constantFrom(
      '2026-02-30T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '+010000-01-01T00:00:00.000Z',
      '2026-12-06T05:10:00Z',
      '2026-12-06 05:10:00',
      '2026-12-06T05:10:00.123+01:00',
      '2026-12-06',
      0,
      1_765_000_000_000,
      -5,
    ),
    anyValue,
  ),
  processId: anyValue,
  threadId: anyValue,
  insertionStrings: fc.oneof(fc.array(text, { maxLength: 12 }), anyValue, fc.constant(Array.from({ length: 11 }, () => 'x'))),
  properties: fc.oneof(
    fc.dictionary(text, fc.oneof(text, anyValue), { maxKeys: 4 }),
    fc.constant(JSON.parse('{"__proto__": "x"}') as unknown),
    fc.constant(Object.create(null) as unknown),
    anyValue,
  ),
  extra: anyValue,
};

describe('parseStatusMessage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the schema’s answer for the usual message, without running the schema', () => {
    const safeParse = vi.spyOn(statusMessageSchema, 'safeParse');
    const result = parseStatusMessage(usual());
    expect(safeParse).not.toHaveBeenCalled();
    safeParse.mockRestore();
    expect(answer(result)).toStrictEqual(answer(statusMessageSchema.safeParse(usual())));
    // With a Date, the optional ids, no insertion strings or properties (their defaults), an unknown field (dropped).
    const { insertionStrings: _strings, properties: _properties, ...bare } = usual();
    for (const input of [
      { ...usual(), sourceTime: new Date('2026-12-06T05:10:00.123Z') },
      { ...usual(), processId: 4242, threadId: 0 },
      { ...bare, extra: 'dropped' },
    ]) {
      expectSchemaAnswer(input);
      expect(parseStatusMessage(input)).toMatchObject({ success: true });
    }
  });

  it('leaves a message it cannot vouch for to the schema, which names the field', () => {
    const safeParse = vi.spyOn(statusMessageSchema, 'safeParse');
    const result = parseStatusMessage({ ...usual(), systemName: 'nul\u0000' });
    expect(safeParse).toHaveBeenCalledTimes(1);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['systemName']);
  });

  it('answers as the schema does for generated valid, odd and hostile messages', () => {
    // The usual message with one or two fields changed or removed: the fast path is exercised at
    // each field's edges, where it must accept exactly what the schema accepts.
    fc.assert(
      fc.property(fieldChanges(field, Object.keys(usual())), (changes) => expectSchemaAnswer(withChanges(usual(), changes))),
      { numRuns: 10_000 },
    );
  });

  it('answers as the schema does for values that are not messages at all', () => {
    for (const input of [null, undefined, 'message', 42, [], [usual()], new Date(), Object.assign(Object.create(null), usual())]) {
      expectSchemaAnswer(input);
    }
  });
});
