import { config } from '../../lib/config';
import { pool } from '../../lib/db/pool';
import { deploymentStatusSummarizer } from '../../lib/deployments/deployment-status-summarizer';
import { startStatusManager, STATUS_MANAGER_SETTING_PATHS } from '../../lib/status/status-manager';
import { watchSiteControl } from '../../lib/sitecontrol/watch-site-control';
import { createStatusSummarizers } from '../../lib/summarizers/status-summarizers';
import { composeSummarizers } from '../../lib/summarizers/summarizer-handoff';
import { defineWorker } from '../../lib/workers/define-worker';

/**
 * Status Manager: drains the status message inbox through the filter rules, forwards
 * replicated messages to the parent site, and runs Delete Aged Status Messages on schedule.
 * Several can run against one database (on one host or many); each takes distinct batches.
 */
export default defineWorker({
  name: 'status-manager',
  description: 'Processes status messages through the filter rules; replication to the parent; Delete Aged Status Messages',
  async start({ log, signal }) {
    const cfg = config();
    return startStatusManager({
      db: pool(),
      connectionString: cfg.databaseUrl,
      log,
      signal,
      loops: cfg.SITEBOX_STATUS_MANAGER_LOOPS,
      batchRows: cfg.SITEBOX_STATUS_MANAGER_BATCH_ROWS,
      parentUrl: cfg.SITEBOX_PARENT_SITE_URL,
      parentCredential: cfg.SITEBOX_PARENT_SITE_CREDENTIAL,
      siteCode: cfg.SITEBOX_SITE_CODE,
      // Until the site has a site control document, its purge schedule is the configured one.
      watchSettings: (onChange) =>
        watchSiteControl({
          paths: STATUS_MANAGER_SETTING_PATHS,
          connectionString: cfg.databaseUrl,
          db: pool(),
          log,
          purgeSchedule: cfg.SITEBOX_STATUS_PURGE_SCHEDULE,
          onChange,
        }),
      ledgerDays: cfg.SITEBOX_STATUS_LEDGER_DAYS,
      partitionDaysAhead: cfg.SITEBOX_STATUS_PARTITION_DAYS_AHEAD,
      syslogTarget: cfg.SITEBOX_SYSLOG,
      summarizers: composeSummarizers(
        createStatusSummarizers({ db: pool(), log: log.child({ task: 'summarizers' }), batchDays: cfg.SITEBOX_STATUS_LEDGER_DAYS }),
        deploymentStatusSummarizer,
      ),
    });
  },
});
