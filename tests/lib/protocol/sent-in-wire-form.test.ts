import { describe, expect, it } from 'vitest';
import { parseStatusMessage } from '@/lib/protocol/parse-status-message';
import { sentInWireForm } from '@/lib/protocol/sent-in-wire-form';
import { toWireStatusMessage, type StatusMessage } from '@/lib/protocol/status-message.schema';
import { testMessage } from '../status/fixtures';

/** A batch as the ingest sees it: its JSON text parsed, and each message validated. */
function received(text: string): { sent: unknown; valid: StatusMessage[] } {
  const sent = JSON.parse(text) as { messages: unknown[] };
  const valid = sent.messages.map((m) => {
    const parsed = parseStatusMessage(m);
    if (!parsed.success) throw new Error('test batches hold valid messages only');
    return parsed.data;
  });
  return { sent, valid };
}

const asText = (messages: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ device: 'WKS0001', firstSending: true, ...extra, messages });

describe('sentInWireForm', () => {
  it('says yes for a batch whose messages are printed as toWireStatusMessage prints them', () => {
    const messages = [
      testMessage(),
      testMessage({ processId: 4242, threadId: 7, properties: { MeteringRuleID: 'S0100001', UserName: 'ann' } }),
      testMessage({ insertionStrings: [], sourceTime: new Date('2026-12-06T12:34:56.789Z') }),
    ].map(toWireStatusMessage);
    const { sent, valid } = received(asText(messages));
    expect(sentInWireForm(sent, valid)).toBe(true);
    // The batch's own fields may be left out.
    const bare = received(JSON.stringify({ messages }));
    expect(sentInWireForm(bare.sent, bare.valid)).toBe(true);
  });

  // Each of these is a valid batch whose text would not read back as its validated wire form.
  const base = () => toWireStatusMessage(testMessage({ properties: { MeteringRuleID: 'S0100001' } })) as unknown as Record<string, unknown>;
  const notInWireForm: [string, () => string][] = [
    ['a message with a field the wire form does not have', () => asText([{ ...base(), note: 'x' }])],
    ['a message with an own __proto__ field', () => asText([base()]).replace('"uid":', '"__proto__":{"a":1},"uid":')],
    ['a time without its milliseconds', () => asText([{ ...base(), sourceTime: '2026-11-23T08:00:00Z' }])],
    ['a time with an offset', () => asText([{ ...base(), sourceTime: '2026-11-23T09:00:00.000+01:00' }])],
    ['insertion strings left to their default', () => asText([{ ...base(), insertionStrings: undefined }])],
    ['properties left to their default', () => asText([{ ...base(), properties: undefined }])],
    ['a batch field the batch does not have', () => asText([base()], { note: 'x' })],
  ];

  it.each(notInWireForm)('says no for %s', (_, text) => {
    const { sent, valid } = received(text());
    expect(valid).toHaveLength(1);
    expect(sentInWireForm(sent, valid)).toBe(false);
  });

  it('says no when what was validated is not the batch message for message', () => {
    const [a, b] = [testMessage(), testMessage()];
    const { sent } = received(asText([a, b].map(toWireStatusMessage)));
    expect(sentInWireForm(sent, [a])).toBe(false);
    expect(sentInWireForm(sent, [b, a])).toBe(false);
    expect(sentInWireForm(sent, [a, { ...b, properties: { Extra: 'x' } }])).toBe(false);
    expect(sentInWireForm(sent, [a, { ...b, processId: 1 }])).toBe(false);
    expect(sentInWireForm(sent, [a, { ...b, insertionStrings: [...b.insertionStrings, 'x'] }])).toBe(false);
    expect(sentInWireForm(sent, [a, b])).toBe(true);
    expect(sentInWireForm(null, [])).toBe(false);
    expect(sentInWireForm([], [])).toBe(false);
  });
});
