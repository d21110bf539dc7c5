import { z } from 'zod';
import { editDeploymentSchema } from '@/lib/deployments/deployment.schema';
import { getDeploymentOrThrow } from '@/lib/deployments/list-deployments';
import { updateDeployment } from '@/lib/deployments/update-deployment';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

export const GET = route({ permission: 'readConsole', params }, async ({ params }) => getDeploymentOrThrow(params.id));

/**
 * New name, comment and schedule for a deployment that has not expired (409 once it has).
 * `baseUpdatedAt`, when sent, must be the current version (else 409).
 */
export const PATCH = route({ permission: 'manageDeployments', params, body: editDeploymentSchema }, async ({ actor, params, body }) =>
  updateDeployment({ actor, id: params.id, input: body }),
);
