import { z } from 'zod';

export const severitySchema = z.enum(['INFORMATIONAL', 'WARNING', 'ERROR']);
export const messageTypeSchema = z.enum(['MILESTONE', 'DETAIL', 'AUDIT']);
export const messageSourceSchema = z.enum(['CLIENT', 'SERVER', 'PROVIDER']);

/**
 * A status message as its source reports it — to the in-process queue, to the management
 * point's ingest endpoint, or from the console as an audit message. `uid` is made at the
 * source so a retried report is never stored twice.
 */
export const statusMessageSchema = z.object({
  uid: z.uuid(),
  messageId: z.number().int().min(0).max(2_147_483_647),
  severity: severitySchema,
  type: messageTypeSchema,
  source: messageSourceSchema,
  siteCode: z.string().regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code'),
  systemName: z.string().min(1).max(255),
  component: z.string().min(1).max(128),
  sourceTime: z.coerce.date(),
  processId: z.number().int().min(0).max(2_147_483_647).optional(),
  threadId: z.number().int().min(0).max(2_147_483_647).optional(),
  /** Values substituted into the catalog's description for messageId (%1, %2, ...). */
  insertionStrings: z.array(z.string().max(4096)).max(10).default([]),
  /** Attribute properties such as AdvertisementID, PackageID, CollectionID, UserName. */
  properties: z.record(z.string().min(1).max(64), z.string().max(4096)).default({}),
});

export type StatusMessageInput = z.input<typeof statusMessageSchema>;
export type StatusMessage = z.infer<typeof statusMessageSchema>;
export type Severity = z.infer<typeof severitySchema>;
export type MessageType = z.infer<typeof messageTypeSchema>;
export type MessageSource = z.infer<typeof messageSourceSchema>;
