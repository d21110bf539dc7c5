import { z } from 'zod';
import { route } from '@/lib/http/route';
import { meteringReportQuerySchema } from '@/lib/metering/metering-report.schema';
import { readMeteringReport } from '@/lib/metering/read-metering-report';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** A metering rule's usage per month and day, and the computers and users that ran it. */
export const GET = route({ permission: 'readConsole', params, query: meteringReportQuerySchema }, async ({ params, query }) =>
  readMeteringReport({ ruleId: params.id, months: query.months }),
);
