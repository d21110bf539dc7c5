import { z } from 'zod';
import { INT4_MAX, isPlainObject, isStorableDate, parseIsoDate, unstorableTextReason } from '../validation/primitives';
import { SITE_CODE, statusMessageSchema, type StatusMessage } from './status-message.schema';

/**
 * Validates one status message as statusMessageSchema does, faster for the usual message.
 *
 * Every message a client reports is validated twice, by its agent's reporter and by the
 * management point's ingest, and in a flood of acknowledgements that is hundreds of thousands a
 * second. The schema costs some 5 µs a message, most of it zod's machinery around checks that are
 * each a comparison. `acceptPlainMessage` makes the same checks directly, and only accepts: a
 * message it cannot vouch for in every field (anything unusual, anything wrong) goes to the
 * schema, which decides and names the field. So this never accepts what the schema refuses, and
 * what it accepts comes out as the schema would give it (tests/lib/protocol/parse-status-message.test.ts
 * holds the two together over valid and hostile messages).
 */
export function parseStatusMessage(input: unknown): z.ZodSafeParseResult<StatusMessage> {
  const accepted = acceptPlainMessage(input);
  return accepted ? { success: true, data: accepted } : statusMessageSchema.safeParse(input);
}

const UUID = z.regexes.uuid();
const SEVERITIES: ReadonlySet<unknown> = new Set(statusMessageSchema.shape.severity.options);
const TYPES: ReadonlySet<unknown> = new Set(statusMessageSchema.shape.type.options);
const SOURCES: ReadonlySet<unknown> = new Set(statusMessageSchema.shape.source.options);

function isText(value: unknown, min: number, max: number): value is string {
  return typeof value === 'string' && value.length >= min && value.length <= max && unstorableTextReason(value) === null;
}

function isInt4(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= INT4_MAX;
}

/** The message's time as the schema reads it (after 1970, storable), or null to leave it to the schema. */
function sourceTime(value: unknown): Date | null {
  const date = typeof value === 'string' ? parseIsoDate(value) : value instanceof Date ? new Date(value.getTime()) : null;
  return date && isStorableDate(date) && date.getTime() >= 0 ? date : null;
}

/** An optional int4 field: absent, or a whole number in range; `false` to leave it to the schema. */
function optionalInt4(message: Record<string, unknown>, key: 'processId' | 'threadId'): number | undefined | false {
  if (!(key in message)) return undefined;
  return isInt4(message[key]) ? message[key] : false;
}

function insertionStrings(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 10) return null;
  for (const s of value) if (!isText(s, 0, 4096)) return null;
  return [...value];
}

function properties(value: unknown): Record<string, string> | null {
  if (value === undefined) return {};
  if (!isPlainObject(value)) return null;
  const copy: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    // An own `__proto__` key (JSON can make one) does not copy as a plain key: left to the schema.
    if (key === '__proto__' || !isText(key, 1, 64)) return null;
    const v = value[key];
    if (!isText(v, 0, 4096)) return null;
    copy[key] = v;
  }
  return copy;
}

/** The message as statusMessageSchema outputs it, when every field is plainly valid; otherwise null. */
function acceptPlainMessage(input: unknown): StatusMessage | null {
  if (!isPlainObject(input)) return null;
  const m = input;
  if (typeof m.uid !== 'string' || !UUID.test(m.uid)) return null;
  if (!isInt4(m.messageId) || !SEVERITIES.has(m.severity) || !TYPES.has(m.type) || !SOURCES.has(m.source)) return null;
  if (typeof m.siteCode !== 'string' || !SITE_CODE.test(m.siteCode)) return null;
  if (!isText(m.systemName, 1, 255) || !isText(m.component, 1, 128)) return null;
  const time = sourceTime(m.sourceTime);
  const processId = optionalInt4(m, 'processId');
  const threadId = optionalInt4(m, 'threadId');
  const strings = insertionStrings(m.insertionStrings);
  const props = properties(m.properties);
  if (!time || processId === false || threadId === false || !strings || !props) return null;
  const message: StatusMessage = {
    uid: m.uid,
    messageId: m.messageId,
    severity: m.severity as StatusMessage['severity'],
    type: m.type as StatusMessage['type'],
    source: m.source as StatusMessage['source'],
    siteCode: m.siteCode,
    systemName: m.systemName,
    component: m.component,
    sourceTime: time,
    insertionStrings: strings,
    properties: props,
  };
  if (processId !== undefined) message.processId = processId;
  if (threadId !== undefined) message.threadId = threadId;
  return message;
}
