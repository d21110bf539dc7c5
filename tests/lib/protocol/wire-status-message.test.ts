import { describe, expect, it } from 'vitest';
import { statusMessageSchema, toWireStatusMessage } from '@/lib/protocol/status-message.schema';

// The wire form is written out field by field; a field the schema gains must not be left behind.
describe('a status message in its JSON form', () => {
  const message = statusMessageSchema.parse({
    uid: '0b5f4c3e-9d2a-4c1e-8f6b-2a7d9e1c3b4a',
    messageId: 10907,
    severity: 'INFORMATIONAL',
    type: 'DETAIL',
    source: 'CLIENT',
    siteCode: 'S01',
    systemName: 'WKS001',
    component: 'Software Metering Agent',
    sourceTime: '2026-12-05T10:20:30.456Z',
    processId: 4242,
    threadId: 7,
    insertionStrings: ['S0100001', 'notepad.exe'],
    properties: { MeteringRuleID: 'S0100001' },
  });

  it('serialises exactly as the validated message does', () => {
    expect(JSON.parse(JSON.stringify(toWireStatusMessage(message)))).toEqual(JSON.parse(JSON.stringify(message)));
  });

  it('carries every field of the schema, the time as ISO text', () => {
    const wire = toWireStatusMessage(message);
    expect(Object.keys(wire).sort()).toEqual(Object.keys(statusMessageSchema.shape).sort());
    expect(wire.sourceTime).toBe('2026-12-05T10:20:30.456Z');
  });

  it('leaves out the optional ids a message does not have', () => {
    const { processId, threadId, ...rest } = message;
    expect([processId, threadId]).toEqual([4242, 7]);
    expect(JSON.parse(JSON.stringify(toWireStatusMessage(rest)))).not.toHaveProperty('processId');
  });

  it('prints each message’s own time, in runs of one time and across them', () => {
    const at = (iso: string) => ({ ...message, sourceTime: new Date(iso) });
    const times = ['2026-12-05T10:20:30.456Z', '2026-12-05T10:20:30.456Z', '1999-01-01T00:00:00.000Z', '2026-12-05T10:20:30.456Z'];
    expect(times.map((t) => toWireStatusMessage(at(t)).sourceTime)).toEqual(times);
    expect(() => toWireStatusMessage(at('not a date'))).toThrow(RangeError);
  });
});
