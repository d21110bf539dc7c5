import { systemClock, type Clock } from '../clock';
import { classifyFailure } from '../quarantine/classify-failure';
import { quarantineItem, type QuarantineSource } from '../quarantine/quarantine-item';
import { quarantinedKeys } from '../quarantine/repo';
import { pool } from '../db/pool';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import { markDueDeploymentsExpired } from './repo';

export const DEPLOYMENT_MANAGER_COMPONENT = 'SMS_OFFER_MANAGER';

/** Deployment expiry in the quarantine: an item is one deployment, keyed by its deployment id. */
export const DEPLOYMENT_EXPIRY_QUARANTINE: QuarantineSource = { name: 'deployments.expiry', component: DEPLOYMENT_MANAGER_COMPONENT };

/**
 * Marks deployments whose expiration time has passed as Expired (clients already stopped getting
 * them in policy at that time) and reports each once. No client's status changes: whatever each
 * client last reported stands. Safe to run twice: an expired deployment is never picked again.
 * A deployment the database refuses to expire is set aside in quarantine and skipped until
 * retried; the others expire.
 */
export async function expireDeployments(options: { clock?: Clock } = {}) {
  const now = (options.clock ?? systemClock).now();
  const skip = await quarantinedKeys(pool(), DEPLOYMENT_EXPIRY_QUARANTINE.name);
  return markDueDeploymentsExpired(
    now,
    (client, d) =>
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
    {
      skip,
      onFailure: async (client, d, error) => {
        if (classifyFailure(error) === 'transient') throw error;
        await quarantineItem({ source: DEPLOYMENT_EXPIRY_QUARANTINE, itemKey: d.deploymentId, item: d, error, db: client, now });
      },
    },
  );
}
