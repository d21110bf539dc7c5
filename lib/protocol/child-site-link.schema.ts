import { z } from 'zod';
import { int4, safeDate } from '../validation/primitives';

const count = int4(0);

/**
 * What a child site's replication forwarder reports of its link to the parent
 * (POST /api/mp/child-site-link): the messages waiting in its outbox by priority, its failed
 * attempts in a row, and when the oldest waiting message was queued.
 */
export const childSiteLinkReportSchema = z.strictObject({
  backlog: z.strictObject({ HIGH: count, MEDIUM: count, LOW: count }),
  consecutiveFailures: count,
  oldestQueuedAt: safeDate().nullable(),
});
export type ChildSiteLinkReport = z.input<typeof childSiteLinkReportSchema>;
