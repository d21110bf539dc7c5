import { z } from 'zod';
import { deploymentClientsQuerySchema } from '@/lib/deployments/deployment.schema';
import { listDeploymentClients } from '@/lib/deployments/list-deployments';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** The per-client drill-down: status, exit code, time of the last report, late or not. */
export const GET = route({ permission: 'readConsole', params, query: deploymentClientsQuerySchema }, async ({ params, query }) =>
  listDeploymentClients(params.id, query),
);
