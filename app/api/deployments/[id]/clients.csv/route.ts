import { z } from 'zod';
import { deploymentClientsQuerySchema } from '@/lib/deployments/deployment.schema';
import { deploymentClientsCsv } from '@/lib/deployments/list-deployments';
import { csvDownload } from '@/lib/http/csv-download';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** The filtered drill-down as CSV (all matching clients). */
export const GET = route({ permission: 'readConsole', params, query: deploymentClientsQuerySchema }, async ({ params, query }) =>
  csvDownload(await deploymentClientsCsv(params.id, query)),
);
