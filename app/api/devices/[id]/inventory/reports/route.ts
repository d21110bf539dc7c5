import { route } from '@/lib/http/route';
import { listInventoryReports } from '@/lib/resource-explorer/list-inventory-reports';
import { deviceParamsSchema, listReportsQuerySchema } from '@/lib/resource-explorer/resource-explorer.schema';

/** Resource Explorer: the device's inventory reports, newest first, each with what it changed. */
export const GET = route({ params: deviceParamsSchema, query: listReportsQuerySchema }, async ({ params, query }) =>
  listInventoryReports({ deviceId: params.id, query }),
);
