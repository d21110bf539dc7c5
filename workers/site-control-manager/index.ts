import { Cron } from 'croner';
import { config } from '../../lib/config';
import { listenShared } from '../../lib/db/listen-shared';
import { pool } from '../../lib/db/pool';
import { ensureSiteControl, notify } from '../../lib/sitecontrol/repo';
import type { SiteSettings } from '../../lib/sitecontrol/site-control.schema';
import { mergeQueuedDeltas, reportSiteControlHeartbeat } from '../../lib/sitecontrol/site-control-manager';
import { watchSiteControl } from '../../lib/sitecontrol/watch-site-control';
import { defineWorker, loop } from '../../lib/workers/define-worker';
import { channels } from '../../lib/db/channels';

// Besides the wake-ups, a safety cycle: a hand-off whose notification was lost waits at most this long.
const SAFETY_CYCLE_MS = 5 * 60_000;

/**
 * Site Control Manager: woken when Hierarchy Manager hands it a delta, keeps history, merges
 * the delta into the site control document as the next serial and hands it back. On its
 * heartbeat schedule (site setting, default daily at midnight in the site's time zone) it
 * reports the serial and asks Hierarchy Manager to check the tables.
 */
export default defineWorker({
  name: 'site-control-manager',
  description: 'Merges site setting changes into the site control document, keeping its history',
  async start({ log, signal }) {
    const cfg = config();
    const db = pool();
    const siteCode = cfg.SITEBOX_SITE_CODE;
    await ensureSiteControl(db, { siteCode, purgeSchedule: cfg.SITEBOX_STATUS_PURGE_SCHEDULE });
    const cycle = loop({
      intervalMs: SAFETY_CYCLE_MS,
      signal,
      log,
      tick: async () => {
        const outcome = await mergeQueuedDeltas({ db });
        if (outcome.merged || outcome.rejected) log.info(outcome, 'site control changes merged');
      },
    });

    let heartbeat: Cron | null = null;
    const scheduleHeartbeat = (settings: SiteSettings) => {
      heartbeat?.stop();
      heartbeat = new Cron(
        settings.components.siteControlManager.heartbeatSchedule,
        { protect: true, timezone: settings.site.timeZone, name: 'site-control-heartbeat' },
        async () => {
          try {
            await reportSiteControlHeartbeat({ db, siteCode });
            await notify(db, channels.hierarchyManager, 'heartbeat');
            cycle.wake();
          } catch (error) {
            log.error({ err: error }, 'site control heartbeat failed');
          }
        },
      );
    };
    const settings = watchSiteControl({
      paths: ['components.siteControlManager', 'site.timeZone'],
      log,
      onChange: ({ settings: s }) => {
        scheduleHeartbeat(s);
        log.info({ schedule: s.components.siteControlManager.heartbeatSchedule }, 'Site Control Manager heartbeat rescheduled');
      },
    });
    scheduleHeartbeat((await settings.ready).settings);

    const listener = listenShared({
      connectionString: cfg.databaseUrl,
      channels: [channels.siteControlManager],
      onNotification: () => cycle.wake(),
      // Catch up once LISTEN is in place: a hand-off committed before it would not be announced again.
      onListening: () => cycle.wake(),
    });
    return {
      async stop() {
        heartbeat?.stop();
        await listener.close();
        await settings.close();
        await cycle.done;
      },
    };
  },
});
