import { z } from 'zod';
import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { meteringUnusedQuerySchema } from '@/lib/metering/metering-report.schema';
import { unusedComputersCsv } from '@/lib/metering/metering-report-csv';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** Every computer with the program installed (or run before) not run in `days` days, as CSV: the reclaim list. */
export const GET = route({ permission: 'readConsole', params, query: meteringUnusedQuerySchema.pick({ days: true }) }, async ({ params, query }) =>
  csvDownload(await unusedComputersCsv(params.id, query.days)),
);
