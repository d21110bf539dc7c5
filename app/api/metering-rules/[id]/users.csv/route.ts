import { z } from 'zod';
import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { meteredUsersCsv } from '@/lib/metering/metering-report-csv';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** Every user who ran the rule's program, as CSV (the report shows the latest 200). */
export const GET = route({ permission: 'readConsole', params }, async ({ params }) => csvDownload(await meteredUsersCsv(params.id)));
