import { route } from '@/lib/http/route';
import { getDeviceInventoryOrThrow } from '@/lib/resource-explorer/get-device-inventory';
import { deviceParamsSchema } from '@/lib/resource-explorer/resource-explorer.schema';

/** Resource Explorer: the device's header and its current hardware classes. */
export const GET = route({ params: deviceParamsSchema }, async ({ params }) => getDeviceInventoryOrThrow(params.id));
