import { route } from '@/lib/http/route';
import { listDeviceSoftware } from '@/lib/resource-explorer/list-device-software';
import { deviceParamsSchema, listSoftwareQuerySchema } from '@/lib/resource-explorer/resource-explorer.schema';

/** Resource Explorer: one page of the device's installed software, searched and sorted. */
export const GET = route({ params: deviceParamsSchema, query: listSoftwareQuerySchema }, async ({ params, query }) =>
  listDeviceSoftware({ deviceId: params.id, query }),
);
