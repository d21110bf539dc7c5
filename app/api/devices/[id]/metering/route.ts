import { route } from '@/lib/http/route';
import { readDeviceMetering } from '@/lib/metering/read-device-metering';
import { deviceParamsSchema } from '@/lib/resource-explorer/resource-explorer.schema';

/** Resource Explorer: the metered programs the device ran and its latest runs. */
export const GET = route({ params: deviceParamsSchema }, async ({ params }) => readDeviceMetering(params.id));
