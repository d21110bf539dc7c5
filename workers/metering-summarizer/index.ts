import { config } from '../../lib/config';
import { pool } from '../../lib/db/pool';
import { startMeteringSummarizer } from '../../lib/metering/metering-summarizer';
import { defineWorker } from '../../lib/workers/define-worker';

/** Software Metering Processor: counts the clients' metered runs into per-rule day and month summaries. */
export default defineWorker({
  name: 'metering-summarizer',
  description: "Counts the clients' software metering usage into per-rule day and month summaries",
  async start({ log, signal }) {
    return startMeteringSummarizer({ db: pool(), connectionString: config().databaseUrl, log, signal });
  },
});
