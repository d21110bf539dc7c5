import { z } from 'zod';
import { int4, safeDate } from '../validation/primitives';
import { siteNameSchema } from '../validation/site-name';

const count = int4(0);

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
  siteName: siteNameSchema.optional(),
});
export type ChildSiteLinkReport = z.input<typeof childSiteLinkReportSchema>;
