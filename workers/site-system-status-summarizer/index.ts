import os from 'node:os';
import { config } from '../../lib/config';
import { pool } from '../../lib/db/pool';
import { reportServerMessage } from '../../lib/status/report-server-message';
import { findSite, readStorageSettings } from '../../lib/summarizers/repo';
import { heartbeatMessage, localStorageMessages, SITE_SYSTEM_STATUS_SUMMARIZER } from '../../lib/summarizers/report-site-system-status';
import { createThresholdWatcher } from '../../lib/summarizers/watch-thresholds';
import { defineWorker, loop } from '../../lib/workers/define-worker';

const HEARTBEAT_MS = 5 * 60_000;

/**
 * The status summarizers' periodic work on this host: reports the free space of the data
 * directory's and the root file system every polling interval of the site's settings (re-read
 * each minute, so a change applies without a restart), a heartbeat every five minutes, and each
 * minute the components that reached a Warning or Critical threshold (4609, 4610).
 */
export default defineWorker({
  name: 'site-system-status-summarizer',
  description: "Reports this site system's storage objects and heartbeat, and components reaching a threshold",
  async start({ log, signal }) {
    const cfg = config();
    let lastStorage = 0;
    let lastHeartbeat = 0;
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
        const heartbeat = now - lastHeartbeat >= HEARTBEAT_MS;
        const storage = now - lastStorage >= polling * 60_000;
        const messages = [
          ...(heartbeat ? [heartbeatMessage({ component: SITE_SYSTEM_STATUS_SUMMARIZER })] : []),
          ...(storage ? await localStorageMessages({ paths: [cfg.dataDir, '/'] }) : []),
        ];
        if (!messages.length) return;
        await reportServerMessage({ messages, db: pool() });
        if (heartbeat) lastHeartbeat = now;
        if (storage) lastStorage = now;
        log.debug({ host: os.hostname(), messages: messages.length }, 'site system status reported');
      },
    });
    return {
      async stop() {
        await cycle.done;
      },
    };
  },
});
