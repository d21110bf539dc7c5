import { config } from '../../lib/config';
import { listenShared } from '../../lib/db/listen-shared';
import { pool } from '../../lib/db/pool';
import { applyMergedDeltas, handOffPendingDeltas, reconcileSiteTables } from '../../lib/sitecontrol/hierarchy-manager';
import { ensureSiteControl } from '../../lib/sitecontrol/repo';
import { watchSiteControl } from '../../lib/sitecontrol/watch-site-control';
import { defineWorker, loop } from '../../lib/workers/define-worker';
import { channels } from '../../lib/db/channels';

const NEVER = 2_147_483_647;

/**
 * Hierarchy Manager: woken by the delta trigger (the SQL Monitor's role), hands stored site
 * setting changes to Site Control Manager and, once merged, carries the new document into the
 * tables the rest of Sitebox reads and tells the components that depend on it. Also wakes on
 * its cycle (site setting, default 60 minutes) and at start, and catches up on what waits.
 */
export default defineWorker({
  name: 'hierarchy-manager',
  description: 'Carries site setting changes through Site Control Manager into the site database',
  async start({ log, signal }) {
    const cfg = config();
    const db = pool();
    const siteCode = cfg.SITEBOX_SITE_CODE;
    await ensureSiteControl(db, { siteCode, purgeSchedule: cfg.SITEBOX_STATUS_PURGE_SCHEDULE });
    let fullPass = true;
    const cycle = loop({
      intervalMs: NEVER,
      signal,
      log,
      tick: async () => {
        const handedOff = await handOffPendingDeltas({ db });
        const { applied, serials } = await applyMergedDeltas({ db });
        if (handedOff || applied) log.info({ handedOff, applied, serials }, 'site control changes carried');
        if (fullPass) {
          fullPass = false;
          if (await reconcileSiteTables({ db, siteCode })) log.warn('site tables were out of step with the site control document; updated');
        }
      },
    });
    const wakeForAll = () => {
      fullPass = true;
      cycle.wake();
    };

    let cycleTimer: NodeJS.Timeout | null = null;
    const scheduleCycle = (minutes: number) => {
      if (cycleTimer) clearInterval(cycleTimer);
      cycleTimer = setInterval(wakeForAll, minutes * 60_000);
      cycleTimer.unref();
    };
    const settings = watchSiteControl({
      paths: ['components.hierarchyManager.cycleMinutes'],
      log,
      onChange: ({ settings: s }) => {
        scheduleCycle(s.components.hierarchyManager.cycleMinutes);
        log.info({ cycleMinutes: s.components.hierarchyManager.cycleMinutes }, 'Hierarchy Manager cycle changed');
      },
    });
    scheduleCycle((await settings.ready).settings.components.hierarchyManager.cycleMinutes);

    const listener = listenShared({
      connectionString: cfg.databaseUrl,
      channels: [channels.hierarchyManager],
      onNotification: (_channel, payload) => (payload === 'heartbeat' ? wakeForAll() : cycle.wake()),
      // Catch up once LISTEN is in place: what was stored before it would not be announced again.
      onListening: wakeForAll,
    });
    return {
      async stop() {
        if (cycleTimer) clearInterval(cycleTimer);
        await listener.close();
        await settings.close();
        await cycle.done;
      },
    };
  },
});
