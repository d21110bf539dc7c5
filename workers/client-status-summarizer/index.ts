import { systemClock } from '../../lib/clock';
import { recordClientStatusDaily } from '../../lib/client-status/record-client-status';
import { pool } from '../../lib/db/pool';
import { readClientStatusSettings } from '../../lib/sitecontrol/read-client-status-settings';
import { defineWorker, loop } from '../../lib/workers/define-worker';

/** How often today's counts are rewritten: the chart's last point is at most this old. */
const INTERVAL_MS = 5 * 60_000;

/**
 * The Client Status Summarizer: at start and every five minutes, counts each site's clients
 * (total, online, active, inactive by the site's clientStatus.inactiveAfterDays, read afresh each
 * time so a change applies without a restart) into today's row of client_status_daily.
 */
export default defineWorker({
  name: 'client-status-summarizer',
  description: "Counts each site's online, active and inactive clients into the day's client status row",
  async start({ log, signal }) {
    const cycle = loop({
      intervalMs: INTERVAL_MS,
      signal,
      log,
      tick: async () => {
        const counts = await recordClientStatusDaily({ now: systemClock.now(), settings: (siteIds) => readClientStatusSettings(siteIds, pool()) });
        log.debug({ sites: counts.size }, 'client status counted');
      },
    });
    return {
      async stop() {
        await cycle.done;
      },
    };
  },
});
