import { config, serverName } from '../../lib/config';
import { pool } from '../../lib/db/pool';
import { reportServerMessage } from '../../lib/reporting/report-server-message';
import { findSite, readStorageSettings } from '../../lib/summarizers/repo';
import { localStorageMessages } from '../../lib/summarizers/report-site-system-status';
import { createThresholdWatcher } from '../../lib/summarizers/watch-thresholds';
import { defineWorker, loop } from '../../lib/workers/define-worker';

/**
 * The status summarizers' periodic work on this host: reports the free space of the data
 * directory's and the root file system every polling interval of the site's settings (re-read
 * each minute, so a change applies without a restart), and each minute the components that
 * reached a Warning or Critical threshold (4609, 4610). Its heartbeat comes from the worker
 * runner, like every component's.
 */
export default defineWorker({
  name: 'site-system-status-summarizer',
  description: "Reports this site system's storage objects and the components reaching a threshold",
  async start({ log, signal }) {
    const cfg = config();
    let lastStorage = 0;
    const thresholds = createThresholdWatcher({ db: pool() });
    const cycle = loop({
      intervalMs: 60_000,
      signal,
      log,
      tick: async () => {
        const crossings = await thresholds.tick();
        if (crossings.length) log.info({ components: crossings.length }, 'components reached a threshold');
        const now = Date.now();
        const site = await findSite(cfg.SITEBOX_SITE_CODE, pool());
        const polling = site ? (await readStorageSettings(site.id, pool())).pollingMinutes : 60;
        if (now - lastStorage < polling * 60_000) return;
        const messages = await localStorageMessages({ paths: [cfg.dataDir, '/'] });
        if (messages.length) await reportServerMessage({ messages, db: pool() });
        lastStorage = now;
        log.debug({ system: serverName(), messages: messages.length }, 'site system status reported');
      },
    });
    return {
      async stop() {
        await cycle.done;
      },
    };
  },
});
