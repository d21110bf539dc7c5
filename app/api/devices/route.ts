import { listDevices } from '@/lib/devices/list-devices';
import { listDevicesQuerySchema } from '@/lib/devices/list-devices.schema';
import { route } from '@/lib/http/route';

export const GET = route({ query: listDevicesQuerySchema }, async ({ query }) => listDevices(query));
