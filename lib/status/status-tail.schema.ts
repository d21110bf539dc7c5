import { z } from 'zod';
import type { StatusMessageView } from './status-message-filters.schema';

/**
 * What Status Manager notifies after a batch commits: how many messages it stored, and a span of
 * ids that holds them all (`after` < id <= `upTo`; it may also hold rows of a transaction that
 * committed alongside).
 */
export const storedNoticeSchema = z.object({
  stored: z.number().int().min(1),
  after: z.string().regex(/^\d{1,19}$/),
  upTo: z.string().regex(/^\d{1,19}$/),
});
export type StoredNotice = z.infer<typeof storedNoticeSchema>;

/** New messages for the viewers following the tail: the newest first, and how many were left out. */
export interface StatusTailBatch {
  messages: StatusMessageView[];
  /** Stored since the last batch but not sent (a flood): the viewer offers to reload instead. */
  more: number;
}
