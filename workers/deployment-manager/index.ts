import { expireDeployments } from '../../lib/deployments/expire-deployments';
import { defineWorker, loop } from '../../lib/workers/define-worker';

/**
 * Deployment manager: marks deployments past their expiration time as Expired, every 30 seconds.
 * (Clients stop receiving an expired deployment in policy at the expiration time itself.)
 */
export default defineWorker({
  name: 'deployment-manager',
  description: 'Marks deployments past their expiration time as expired; client statuses stay as last reported',
  async start({ log, signal }) {
    const cycle = loop({
      intervalMs: 30_000,
      signal,
      log,
      tick: async () => {
        const expired = await expireDeployments();
        if (expired.length) log.info({ expired: expired.map((d) => d.deploymentId) }, 'deployments expired');
      },
    });
    return {
      async stop() {
        await cycle.done;
      },
    };
  },
});
