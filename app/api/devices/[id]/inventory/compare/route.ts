import { route } from '@/lib/http/route';
import { compareInventoryReports } from '@/lib/resource-explorer/compare-inventory-reports';
import { compareReportsQuerySchema, deviceParamsSchema } from '@/lib/resource-explorer/resource-explorer.schema';

/** Resource Explorer: what changed on the device between two of its reports. */
export const GET = route({ params: deviceParamsSchema, query: compareReportsQuerySchema }, async ({ params, query }) =>
  compareInventoryReports({ deviceId: params.id, query }),
);
