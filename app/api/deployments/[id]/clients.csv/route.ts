import { z } from 'zod';
import { deploymentClientsQuerySchema } from '@/lib/deployments/deployment.schema';
import { deploymentClientsCsv } from '@/lib/deployments/list-deployments';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** The filtered drill-down as CSV (all matching clients). */
export const GET = route({ permission: 'readConsole', params, query: deploymentClientsQuerySchema }, async ({ params, query }) => {
  const { filename, body } = await deploymentClientsCsv(params.id, query);
  return new Response(body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
    },
  });
});
