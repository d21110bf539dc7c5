import { z } from 'zod';
import { deploymentClientsQuerySchema } from '@/lib/deployments/deployment.schema';
import { listDeploymentClients } from '@/lib/deployments/list-deployments';
import { route } from '@/lib/http/route';

const params = z.object({ id: z.coerce.number().int().positive() });

/** The per-client drill-down: status, exit code, time of the last report, late or not. */
export const GET = route({ permission: 'readConsole', params, query: deploymentClientsQuerySchema }, async ({ params, query }) =>
  listDeploymentClients(params.id, query),
);
