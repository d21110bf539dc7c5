import { z } from 'zod';
import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { meteringUsageCsv } from '@/lib/metering/metering-report-csv';
import { meteringUsageCsvQuerySchema } from '@/lib/metering/metering-report.schema';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** The rule's usage per month or per day, as CSV. */
export const GET = route({ permission: 'readConsole', params, query: meteringUsageCsvQuerySchema }, async ({ params, query }) =>
  csvDownload(await meteringUsageCsv(params.id, query.per, query.months)),
);
