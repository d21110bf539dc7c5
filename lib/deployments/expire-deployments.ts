import { systemClock, type Clock } from '../clock';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import { markDueDeploymentsExpired } from './repo';

export const DEPLOYMENT_MANAGER_COMPONENT = 'SMS_OFFER_MANAGER';

/**
 * Marks deployments whose expiration time has passed as Expired (clients already stopped getting
 * them in policy at that time) and reports each once. No client's status changes: whatever each
 * client last reported stands. Safe to run twice: an expired deployment is never picked again.
 */
export async function expireDeployments(options: { clock?: Clock } = {}) {
  const now = (options.clock ?? systemClock).now();
  return markDueDeploymentsExpired(now, (client, d) =>
    reportServerMessage({
      db: client,
      messages: serverMessage({
        messageId: statusMessageIds.deploymentExpired,
        component: DEPLOYMENT_MANAGER_COMPONENT,
        insertionStrings: [d.deploymentId, d.name, String(d.clients)],
        properties: { AdvertisementID: d.deploymentId },
        now,
      }),
    }),
  );
}
