import { config } from '../../lib/config';
import { pool } from '../../lib/db/pool';
import { deleteAgedClientOperations } from '../../lib/notification/delete-aged-client-operations';
import { expireClientOperations } from '../../lib/notification/expire-client-operations';
import { readSiteSettings } from '../../lib/sitecontrol/read-site-settings';
import { defineWorker, loop } from '../../lib/workers/define-worker';

const HOUR_MS = 3_600_000;

/**
 * Notification Manager: writes the target rows of started client operations nobody has written
 * yet, records client operations past their validity as Expired, purges old push requests, and
 * every hour deletes operations (with their results) older than the site's retention. It also
 * reaps notification servers that stopped beating, so clients read offline while every
 * management point and console is down.
 * (Starting, cancelling and pushing happen in the console and in each
 * management point's notification server.)
 */
export default defineWorker({
  name: 'notification-manager',
  description:
    'Client operations: writes pending target rows; expires unreached targets after the validity; purges old push requests and aged operations',
  async start({ log, signal }) {
    // Three missed beats, as the notification servers judge each other.
    const staleServerSeconds = config().SITEBOX_NOTIFICATION_HEARTBEAT_SECONDS * 3;
    const running = loop({ intervalMs: 5_000, signal, log, tick: async () => void (await expireClientOperations({ log, staleServerSeconds })) });
    const retention = loop({
      intervalMs: HOUR_MS,
      signal,
      log,
      tick: async () => {
        // Read afresh each hour, so a changed retention applies without a restart.
        const { retentionDays } = (await readSiteSettings({ db: pool() })).maintenance.deleteAgedClientOperations;
        const deleted = await deleteAgedClientOperations({ db: pool(), retentionDays, signal });
        if (deleted.length) log.info({ operations: deleted.length }, 'aged client operations deleted with their results');
      },
    });
    return { stop: () => Promise.all([running.done, retention.done]).then(() => undefined) };
  },
});
