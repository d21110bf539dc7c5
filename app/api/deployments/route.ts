import { createDeployment } from '@/lib/deployments/create-deployment';
import { createDeploymentSchema } from '@/lib/deployments/deployment.schema';
import { listDeployments } from '@/lib/deployments/list-deployments';
import { route } from '@/lib/http/route';

/** Every deployment with its status summary: clients by status and the summarizer's message counts. */
export const GET = route({ permission: 'readConsole' }, async () => listDeployments());

/** Deploys a program to a collection. */
export const POST = route({ permission: 'manageDeployments', body: createDeploymentSchema }, async ({ actor, body }) =>
  createDeployment({ actor, input: body }),
);
