import { reportAudit } from '../audit/report-audit';
import { AppError } from '../errors';
import type { Actor } from '../users/actor';
import type { EditDeploymentInput } from './deployment.schema';
import { updateDeploymentRow } from './repo';

/**
 * Changes a deployment's schedule — e.g. extends its expiration so clients have longer to run it —
 * while it has not expired. Clients pick the new times up with their next policy. A change made
 * from an older version than the current one (`baseUpdatedAt`) is refused (409).
 */
export async function updateDeployment(options: { actor: Actor; id: number; input: EditDeploymentInput }) {
  const { actor, id } = options;
  const { baseUpdatedAt, ...input } = options.input;
  const check = (current: { updatedAt: Date; updatedBy: string }) => {
    if (baseUpdatedAt && current.updatedAt.getTime() !== baseUpdatedAt.getTime())
      throw new AppError('CONFLICT', {
        userMessage: `${current.updatedBy || 'Someone'} changed the deployment after you opened it; cancel, then change it again to start from their version.`,
      });
  };
  return updateDeploymentRow(id, input, { editorName: actor.principal.userName, check }, (client, before) =>
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
