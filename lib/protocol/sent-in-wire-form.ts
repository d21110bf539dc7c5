import { isPlainObject } from '../validation/primitives';
import type { StatusMessage } from './status-message.schema';

/**
 * Whether a batch as JSON.parse gave it (`sent`) reads back as exactly its validated messages in
 * wire form: nothing but a batch's own fields, and each message holding the same fields and values
 * as what validating it gave, its time printed as toISOString prints it. The JSON text of such a
 * batch can be stored as it came, instead of serialising its messages again: a reporter's batches
 * always are (they are written with toWireStatusMessage), and a flood's ingest then spares the
 * work of printing every message a second time.
 *
 * `valid` must be the validated form of every message of `sent`, in order (no message refused,
 * none dropped as a repeat).
 */
export function sentInWireForm(sent: unknown, valid: readonly StatusMessage[]): boolean {
  if (!isPlainObject(sent)) return false;
  for (const key in sent) if (key !== 'messages' && key !== 'device' && key !== 'firstSending') return false;
  const messages = sent.messages;
  if (!Array.isArray(messages) || messages.length !== valid.length) return false;
  let lastTime = Number.NaN;
  let lastText = '';
  for (let i = 0; i < messages.length; i++) {
    const m = valid[i]!;
    const time = m.sourceTime.getTime();
    if (time !== lastTime) {
      lastTime = time;
      lastText = m.sourceTime.toISOString();
    }
    if (!sameMessage(messages[i], m, lastText)) return false;
  }
  return true;
}

// The wire form's fields: every field of a message, processId and threadId only when given.
const ALWAYS_THERE = 11;

function sameMessage(sent: unknown, m: StatusMessage, sourceTime: string): boolean {
  if (!isPlainObject(sent)) return false;
  let fields = 0;
  // An own "__proto__" (JSON.parse makes one) is counted here, so it never passes.
  for (const key in sent) if (Object.hasOwn(sent, key)) fields++;
  const expected = ALWAYS_THERE + (m.processId === undefined ? 0 : 1) + (m.threadId === undefined ? 0 : 1);
  return (
    fields === expected &&
    sent.uid === m.uid &&
    sent.messageId === m.messageId &&
    sent.severity === m.severity &&
    sent.type === m.type &&
    sent.source === m.source &&
    sent.siteCode === m.siteCode &&
    sent.systemName === m.systemName &&
    sent.component === m.component &&
    sent.sourceTime === sourceTime &&
    sent.processId === m.processId &&
    sent.threadId === m.threadId &&
    sameStrings(sent.insertionStrings, m.insertionStrings) &&
    sameProperties(sent.properties, m.properties)
  );
}

function sameStrings(sent: unknown, strings: readonly string[]): boolean {
  if (!Array.isArray(sent) || sent.length !== strings.length) return false;
  for (let i = 0; i < strings.length; i++) if (sent[i] !== strings[i]) return false;
  return true;
}

function sameProperties(sent: unknown, properties: Readonly<Record<string, string>>): boolean {
  if (!isPlainObject(sent)) return false;
  let count = 0;
  for (const key in sent) {
    if (!Object.hasOwn(sent, key) || !Object.hasOwn(properties, key) || sent[key] !== properties[key]) return false;
    count++;
  }
  let expected = 0;
  for (const key in properties) if (Object.hasOwn(properties, key)) expected++;
  return count === expected;
}
