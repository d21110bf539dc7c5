import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { deviceRunsCsv } from '@/lib/metering/read-device-metering';
import { deviceParamsSchema } from '@/lib/resource-explorer/resource-explorer.schema';

/** Every raw metered run the site holds for the device, as CSV. */
export const GET = route({ params: deviceParamsSchema }, async ({ params }) => csvDownload(await deviceRunsCsv(params.id)));
