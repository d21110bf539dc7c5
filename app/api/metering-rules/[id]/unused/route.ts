import { z } from 'zod';
import { route } from '@/lib/http/route';
import { meteringUnusedQuerySchema } from '@/lib/metering/metering-report.schema';
import { readUnusedComputersReport } from '@/lib/metering/read-metering-report';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** Computers with the program installed (or that ran it) that have not run it in `days` days. */
export const GET = route({ permission: 'readConsole', params, query: meteringUnusedQuerySchema }, async ({ params, query }) =>
  readUnusedComputersReport({ ruleId: params.id, days: query.days, limit: query.limit }),
);
