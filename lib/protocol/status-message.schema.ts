import { z } from 'zod';
import { INT4_MAX, rawText, safeDate, safeRecord } from '../validation/primitives';

/** A site code: three capital letters or digits. */
export const SITE_CODE = /^[A-Z0-9]{3}$/;

export const severitySchema = z.enum(['INFORMATIONAL', 'WARNING', 'ERROR']);
export const messageTypeSchema = z.enum(['MILESTONE', 'DETAIL', 'AUDIT']);
export const messageSourceSchema = z.enum(['CLIENT', 'SERVER', 'PROVIDER']);

// Text PostgreSQL can store (no NUL, no unpaired surrogate): one bad message never fails a batch later.
const text = rawText;

/**
 * A status message as its source reports it — a client agent to the management point's ingest
 * endpoint, a server component to the inbox, the console as an audit message. `uid` is
 * made at the source so a retried report is never stored twice.
 */
export const statusMessageSchema = z.object({
  uid: z.uuid(),
  messageId: z.number().int().min(0).max(INT4_MAX),
  severity: severitySchema,
  type: messageTypeSchema,
  source: messageSourceSchema,
  siteCode: z.string().regex(SITE_CODE, 'must be a 3-character site code'),
  systemName: text(255).min(1),
  component: text(128).min(1),
  // Bounded so every accepted time fits PostgreSQL's timestamptz and prints as a plain ISO date.
  // A date that does not exist (February 30) is refused, never rolled over into another.
  sourceTime: safeDate().refine((d) => d.getTime() >= 0, 'must be after 1970'),
  processId: z.number().int().min(0).max(INT4_MAX).optional(),
  threadId: z.number().int().min(0).max(INT4_MAX).optional(),
  /** Values substituted into the catalog's description for messageId (%1, %2, ...). */
  insertionStrings: z.array(text(4096)).max(10).default([]),
  /** Attribute properties such as AdvertisementID, PackageID, CollectionID, UserName. */
  properties: safeRecord({ maxKey: 64, maxValue: 4096 }).default({}),
});

export type StatusMessageInput = z.input<typeof statusMessageSchema>;
export type StatusMessage = z.infer<typeof statusMessageSchema>;
export type Severity = z.infer<typeof severitySchema>;
export type MessageType = z.infer<typeof messageTypeSchema>;
export type MessageSource = z.infer<typeof messageSourceSchema>;

/** A validated message as JSON carries it (a spool file, an ingest body, the inbox): `sourceTime` an ISO string. */
export type WireStatusMessage = Omit<StatusMessage, 'sourceTime'> & { sourceTime: string };

let lastSourceTime = { time: NaN, text: '' };

/**
 * A validated message in its JSON form, ready for JSON.stringify. Written out field by field, the
 * date already text: JSON.stringify takes a Date through its toJSON, off its fast path, which made
 * serialising a message two to three times dearer (a spool file, an inbox row of 500 of them).
 */
export function toWireStatusMessage(m: StatusMessage): WireStatusMessage {
  const time = m.sourceTime.getTime();
  // Messages come in runs made at one moment (an agent's acknowledgements, a batch): printed once.
  if (time !== lastSourceTime.time) lastSourceTime = { time, text: m.sourceTime.toISOString() };
  return {
    uid: m.uid,
    messageId: m.messageId,
    severity: m.severity,
    type: m.type,
    source: m.source,
    siteCode: m.siteCode,
    systemName: m.systemName,
    component: m.component,
    sourceTime: lastSourceTime.text,
    processId: m.processId,
    threadId: m.threadId,
    insertionStrings: m.insertionStrings,
    properties: m.properties,
  };
}
