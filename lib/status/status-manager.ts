import { Cron } from 'croner';
import type pg from 'pg';
import type { Logger } from 'pino';
import { listenShared } from '../db/listen-shared';
import { loop } from '../workers/define-worker';
import { DEFAULT_PARTITION_DAYS_AHEAD, deleteAgedStatusMessages } from './delete-aged-status-messages';
import { ensureStatusPartitions } from './partition-repo';
import { deleteAgedMeteringUsage, ensureMeteringUsagePartitions } from '../metering/delete-aged-metering-usage';
import { deleteAgedInventoryHistory, ensureInventoryHistoryPartitions } from '../inventory/delete-aged-inventory-history';
import { createReplicationForwarder } from './forward-replication';
import { processStatusBatch, type StatusManagerEffects } from './process-status-batch';
import type { ReportingProperties } from './reporting-properties';
import { filterRulesVersion, loadFilterRules } from './repo';
import { componentWritesToSyslog } from '../reporting/report-server-message';
import { createProgramRunner, type ProgramRunner } from './run-program';
import type { FilterRule } from './status-filter-rule.schema';
import { noSummarizers, type Summarizers } from '../summarizers/summarizer-handoff';
import { createSyslogSink } from '../reporting/syslog';
import { channels } from '../db/channels';
import { recordStatusBatch, statusManagerMetrics } from './status-manager-metrics';

export const STATUS_MANAGER_COMPONENT = 'SMS_STATUS_MANAGER';

/**
 * The filter rules as Status Manager sees them: reloaded when a change is notified, and
 * otherwise whenever a cheap fingerprint of the table (count, latest change) moves — checked
 * before every batch, so a missed notification costs at most one batch.
 */
export function createRuleCache(db: pg.Pool) {
  let rules: FilterRule[] | null = null;
  let version = '';
  return {
    invalidate() {
      rules = null;
    },
    async get(): Promise<FilterRule[]> {
      const current = await filterRulesVersion(db);
      if (!rules || current !== version) {
        rules = await loadFilterRules(db);
        version = current;
      }
      return rules;
    },
  };
}

/** The site settings Status Manager applies without restart: its part of the site control document. */
export interface StatusManagerSettings {
  site: { timeZone: string };
  statusReporting: ReportingProperties;
  maintenance: {
    deleteAgedStatusMessages: { enabled: boolean; schedule: string; retentionDays: number };
    /** Raw metering usage, aged out on the same schedule. */
    deleteAgedMeteringUsage: { retentionDays: number };
    /** Inventory history, aged out on the same schedule. */
    deleteAgedInventoryHistory: { retentionDays: number };
  };
}

/** Where StatusManagerSettings stand in the site control document. */
export const STATUS_MANAGER_SETTING_PATHS = [
  'statusReporting',
  'maintenance.deleteAgedStatusMessages',
  'maintenance.deleteAgedMeteringUsage',
  'maintenance.deleteAgedInventoryHistory',
  'site.timeZone',
] as const;

/**
 * Follows Status Manager's settings: the settings when it starts (`ready`), then each change.
 * The face that starts Status Manager provides it (a watcher of the site control document).
 */
export type WatchStatusManagerSettings = (
  onChange: (change: { settings: StatusManagerSettings; serial: number; changedPaths: string[] }) => void,
) => { ready: Promise<{ settings: StatusManagerSettings }>; close(): Promise<void> };

export interface StatusManagerOptions {
  db: pg.Pool;
  connectionString: string;
  log: Logger;
  signal: AbortSignal;
  /** Concurrent drain loops in this process. */
  loops: number;
  /** Inbox batches per transaction. */
  batchRows: number;
  /** Parent site's Sitebox, or undefined at a central site. */
  parentUrl?: string;
  /** This site's credential at the parent; required with parentUrl. */
  parentCredential?: string;
  /** This site's code, whose name the link reports to the parent carry. */
  siteCode?: string;
  watchSettings: WatchStatusManagerSettings;
  ledgerDays: number;
  /** Days of status_message partitions made ahead of today by each purge. */
  partitionDaysAhead?: number;
  syslogTarget?: string;
  /** How often the polling drain loop looks at the inbox when no NOTIFY came (default 5 s). */
  pollMs?: number;
  summarizers?: Summarizers;
  programs?: ProgramRunner;
  fetch?: typeof fetch;
}

/**
 * Runs Status Manager in this process: drain loops over the inbox, the replication forwarder,
 * and the Delete Aged Status Messages schedule.
 */
export async function startStatusManager(options: StatusManagerOptions) {
  const { db, log, signal } = options;
  const rules = createRuleCache(db);
  const syslog = createSyslogSink({ target: options.syslogTarget, log });
  const programs = options.programs ?? createProgramRunner({ log: log.child({ action: 'run-program' }), fetch: options.fetch });
  const effects: StatusManagerEffects = {
    summarizers: options.summarizers ?? noSummarizers,
    eventLog(message) {
      // A server component that writes its own messages to the system log already did.
      if (message.source === 'SERVER' && componentWritesToSyslog(message.component)) return;
      syslog.write(message);
    },
    programs,
    replicationEnabled: Boolean(options.parentUrl),
  };

  // Site settings Status Manager applies without restart: reporting properties, the default
  // retention and the "Delete Aged Status Messages" schedule.
  let reporting: { properties: ReportingProperties; defaultRetentionDays: number };
  let purge: Cron | null = null;
  let purgeKey = '';
  let meteringRetentionDays = 90;
  let inventoryRetentionDays = 90;
  const partitionDaysAhead = options.partitionDaysAhead ?? DEFAULT_PARTITION_DAYS_AHEAD;
  const runPurge = async () => {
    try {
      const result = await deleteAgedStatusMessages({ db, ledgerDays: options.ledgerDays, partitionDaysAhead, signal });
      if (result.ran) log.info(result, 'Delete Aged Status Messages finished');
    } catch (error) {
      log.error({ err: error }, 'Delete Aged Status Messages failed');
    }
    // Raw metering usage shares the schedule (and the day-partition upkeep), not the outcome.
    try {
      const usage = await deleteAgedMeteringUsage({ db, retentionDays: meteringRetentionDays, partitionDaysAhead, signal });
      if (usage.waitingForSummarizer.length)
        log.info({ partitions: usage.waitingForSummarizer }, 'metering usage due for deletion kept: the metering summarizer has not counted it yet');
      if (usage.ran) log.info(usage, 'aged metering usage deleted');
    } catch (error) {
      log.error({ err: error }, 'deleting aged metering usage failed');
    }
    try {
      const history = await deleteAgedInventoryHistory({ db, retentionDays: inventoryRetentionDays, partitionDaysAhead, signal });
      if (history.ran) log.info(history, 'Delete Aged Inventory History finished');
    } catch (error) {
      log.error({ err: error }, 'Delete Aged Inventory History failed');
    }
  };
  const applySettings = (settings: StatusManagerSettings) => {
    const task = settings.maintenance.deleteAgedStatusMessages;
    reporting = { properties: settings.statusReporting, defaultRetentionDays: task.retentionDays };
    meteringRetentionDays = settings.maintenance.deleteAgedMeteringUsage.retentionDays;
    inventoryRetentionDays = settings.maintenance.deleteAgedInventoryHistory.retentionDays;
    const key = JSON.stringify([task.enabled, task.schedule, settings.site.timeZone]);
    if (key === purgeKey) return;
    purgeKey = key;
    purge?.stop();
    purge = task.enabled
      ? new Cron(task.schedule, { protect: true, name: 'delete-aged-status-messages', timezone: settings.site.timeZone }, runPurge)
      : null;
  };
  const siteSettings = options.watchSettings(({ settings, serial, changedPaths }) => {
    applySettings(settings);
    log.info({ serial, changedPaths }, 'site settings changed; reporting properties and schedule reloaded');
  });
  // Loaded before the first drain: a batch processed without them would skip the site's reporting
  // properties and default retention.
  applySettings((await siteSettings.ready).settings);
  // The days ahead get their partitions now, not only at the first scheduled purge (until then a
  // message finds the default partition, kept all the same). Another Status Manager may be at it.
  await ensureStatusPartitions({ db, now: new Date(), daysAhead: partitionDaysAhead }).catch((error: unknown) =>
    log.warn({ err: error }, 'status_message partitions not made ahead at start; the next purge makes them'),
  );
  await ensureMeteringUsagePartitions({ db, now: new Date(), daysAhead: partitionDaysAhead, retentionDays: meteringRetentionDays }).catch(
    (error: unknown) => log.warn({ err: error }, 'metering_usage partitions not made ahead at start; the next purge makes them'),
  );
  await ensureInventoryHistoryPartitions({ db, now: new Date(), daysAhead: partitionDaysAhead }).catch((error: unknown) =>
    log.warn({ err: error }, 'inventory_report partitions not made ahead at start; the next purge makes them'),
  );

  const forwarder = options.parentUrl
    ? createReplicationForwarder({
        db,
        parentUrl: options.parentUrl,
        parentCredential: options.parentCredential ?? '',
        siteCode: options.siteCode,
        log: log.child({ task: 'replication' }),
        fetch: options.fetch,
      })
    : null;
  const forwarding = forwarder
    ? loop({
        intervalMs: 2000,
        signal,
        log,
        tick: async () => {
          for (;;) {
            const result = await forwarder.tick();
            if ((!result.sent && !result.retryNow) || result.deferred || signal.aborted) return;
          }
        },
      })
    : null;

  const cycles: { wake(): void; done: Promise<void> }[] = [];
  const wakeAll = () => cycles.forEach((c) => c.wake());
  // Per loop, who waits for it to find nothing to do (see flush()).
  const idleWaiters: (() => void)[][] = [];

  // Appends to the inbox NOTIFY (channels.statusInbox): the poll only catches one that was missed.
  const pollMs = options.pollMs ?? 5_000;
  for (let i = 0; i < options.loops; i++) {
    idleWaiters.push([]);
    const cycle = loop({
      // The first loop polls the inbox and wakes the others when it finds work; until then they
      // rest (a minute, as a safety net), so an idle site holds one polling connection, not one per loop.
      intervalMs: i === 0 ? pollMs : Math.max(pollMs, 60_000),
      signal,
      log,
      tick: async () => {
        // Only a pass begun after someone started waiting answers them.
        const answering = idleWaiters[i].splice(0);
        let idle = false;
        try {
          const result = await processStatusBatch({
            db,
            rules: () => rules.get(),
            effects,
            maxBatches: options.batchRows,
            reporting,
            log,
          });
          recordStatusBatch(result);
          // What was just queued for the parent goes now, not at the forwarder's next poll.
          if (result.replicated) forwarding?.wake();
          idle = !result.batches && !result.messages;
          if (!idle) {
            log.debug(result, 'status messages processed');
            if (i === 0) wakeAll();
            else cycle.wake();
          }
        } catch (error) {
          statusManagerMetrics().batchesFailed.inc();
          throw error;
        } finally {
          if (idle || signal.aborted) answering.forEach((resolve) => resolve());
          else idleWaiters[i].push(...answering);
        }
      },
    });
    cycles.push(cycle);
  }

  const listener = listenShared({
    connectionString: options.connectionString,
    channels: [channels.statusFilterRulesChanged, channels.statusInbox],
    onNotification: (channel) => {
      // The polling loop takes it, and wakes the others if there is more than it can take alone.
      if (channel === channels.statusInbox) return cycles[0]?.wake();
      rules.invalidate();
      log.info('status filter rules changed; reloaded');
    },
    onReconnect: () => {
      rules.invalidate();
      // Batches appended while the listener was away told no one.
      cycles[0]?.wake();
    },
  });

  return {
    wake: wakeAll,
    /**
     * Resolves once every drain loop has made a pass, begun after the call, that found nothing
     * to do, and the programs rules started have ended: what the inbox held when it was called
     * has been processed, with all its actions.
     */
    async flush(): Promise<void> {
      if (signal.aborted) return;
      const passes = idleWaiters.map((waiters) => new Promise<void>((resolve) => waiters.push(resolve)));
      wakeAll();
      await Promise.all(passes);
      await programs.idle();
    },
    async stop() {
      purge?.stop();
      await siteSettings.close();
      await Promise.all([...cycles.map((c) => c.done), forwarding?.done]);
      await listener.close();
      await programs.idle();
      await syslog.close();
    },
  };
}
