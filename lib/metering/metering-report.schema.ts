import { z } from 'zod';

/** GET /api/metering-rules/<id>/report: how many months of usage (and the last 31 days). */
export const meteringReportQuerySchema = z.object({
  months: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(60, 'must be 60 or less').default(12),
});

/** GET /api/metering-rules/<id>/unused: computers that have not run the program in `days` days. */
export const meteringUnusedQuerySchema = z.object({
  days: z.coerce.number().int('must be a whole number of days').min(1, 'must be 1 or more').max(3650, 'must be 3650 or less').default(90),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
