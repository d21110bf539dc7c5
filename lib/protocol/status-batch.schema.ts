import { z } from 'zod';
import { requiredText } from '../validation/primitives';

/** Most messages one ingest request may carry; reporters split larger spools into several requests. */
export const MAX_BATCH_MESSAGES = 1000;

/**
 * What a client agent or site system POSTs to /api/mp/status-messages. `device`, when
 * present, must name the device whose credential sent the batch; each message is checked on its
 * own against statusMessageSchema, so one bad message does not cost the others.
 */
export const statusBatchSchema = z.object({
  device: requiredText(255).optional(),
  /**
   * True when no message of the batch was ever sent before (the reporter's first request for
   * spool files it wrote itself): Status Manager then skips looking its uids up among stored
   * messages. False for a retry or anything else the sender cannot vouch for; left out by a sender
   * that never says true. A sender that says true wrongly can only have its own messages stored
   * twice, which any sender could do with new uids.
   */
  firstSending: z.boolean().optional(),
  messages: z
    .array(z.unknown())
    .min(1, 'must contain at least one message')
    .max(MAX_BATCH_MESSAGES, `must contain at most ${MAX_BATCH_MESSAGES} messages`),
});
export type StatusBatch = z.infer<typeof statusBatchSchema>;

/** A message the ingest endpoint refused, and why: the field and the reason. */
export interface RejectedMessage {
  index: number;
  field: string;
  reason: string;
}

/** The answer to an accepted (or partly accepted) batch. */
export interface IngestResult {
  accepted: number;
  /** Repeats of a uid within the same batch, kept once. */
  duplicates: number;
  rejected: RejectedMessage[];
}
