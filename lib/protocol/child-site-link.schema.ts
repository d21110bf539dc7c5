import { z } from 'zod';
import { int4, safeDate } from '../validation/primitives';

const count = int4(0);

/** Marks, embeddings, overrides and isolates: in a name they would turn the text printed after it backwards. */
const DIRECTION_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/**
 * What a child site's replication forwarder reports of its link to the parent
 * (POST /api/mp/child-site-link): the messages waiting in its outbox by priority, its failed
 * attempts in a row, when the oldest waiting message was queued, and the child's own name (the
 * parent knows the child's code from its credential, not what the child is called).
 */
export const childSiteLinkReportSchema = z.strictObject({
  backlog: z.strictObject({ HIGH: count, MEDIUM: count, LOW: count }),
  consecutiveFailures: count,
  oldestQueuedAt: safeDate().nullable(),
  siteName: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'must be printable text')
    .refine((name) => !DIRECTION_CONTROLS.test(name), 'must not hold text direction controls (such as a right-to-left override)')
    .optional(),
});
export type ChildSiteLinkReport = z.input<typeof childSiteLinkReportSchema>;
