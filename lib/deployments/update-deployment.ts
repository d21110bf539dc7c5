import { reportAudit } from '../audit/report-audit';
import type { Actor } from '../users/actor';
import type { UpdateDeploymentInput } from './deployment.schema';
import { updateDeploymentRow } from './repo';

/**
 * Changes a deployment's schedule — e.g. extends its expiration so clients have longer to run it —
 * while it has not expired. Clients pick the new times up with their next policy.
 */
export async function updateDeployment(options: { actor: Actor; id: number; input: UpdateDeploymentInput }) {
  const { actor, id, input } = options;
  return updateDeploymentRow(id, input, (client, before) =>
    reportAudit(
      {
        kind: 'modified',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'Deployment',
        objectName: `${before.deploymentId} ${input.name}`,
        oldValue: before,
        newValue: input,
      },
      client,
    ),
  );
}
