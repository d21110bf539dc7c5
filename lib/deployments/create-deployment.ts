import { reportAudit } from '../audit/report-audit';
import { config } from '../config';
import type { Actor } from '../users/actor';
import type { CreateDeploymentInput } from './deployment.schema';
import { insertDeployment } from './repo';

/**
 * Deploys a program to a collection. Its members get it in policy from the available time until
 * the expiration time; the audit message commits with the deployment.
 */
export async function createDeployment(options: { actor: Actor; input: CreateDeploymentInput }) {
  const { actor, input } = options;
  return insertDeployment(input, {
    siteCode: config().SITEBOX_SITE_CODE,
    createdBy: actor.principal.userName,
    audit: (client, key) =>
      reportAudit(
        {
          kind: 'created',
          userName: actor.principal.userName,
          address: actor.address,
          objectType: 'Deployment',
          objectName: `${key} ${input.name}`,
          newValue: input,
        },
        client,
      ),
  });
}
