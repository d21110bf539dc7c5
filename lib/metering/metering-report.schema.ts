import { z } from 'zod';
import { wholeNumberParam } from '../validation/primitives';

/** GET /api/metering-rules/<id>/report: how many months of usage (and the last 31 days). */
export const meteringReportQuerySchema = z.object({
  months: wholeNumberParam(1, 60).default(12),
});

/** GET /api/metering-rules/<id>/unused: computers that have not run the program in `days` days. */
export const meteringUnusedQuerySchema = z.object({
  days: wholeNumberParam(1, 3650, 'a whole number of days').default(90),
  limit: wholeNumberParam(1, 1000).default(200),
});

/** GET /api/metering-rules/<id>/usage.csv: the report's months (the last `months`) or its last 31 days. */
export const meteringUsageCsvQuerySchema = meteringReportQuerySchema.extend({
  per: z.enum(['month', 'day'], { error: 'must be month or day' }).default('month'),
});
