import { Cron } from 'croner';
import type pg from 'pg';
import type { Logger } from 'pino';
import { listen } from '../db/listen';
import type { SiteSettings } from '../sitecontrol/site-control.schema';
import { watchSiteControl } from '../sitecontrol/watch-site-control';
import { loop } from '../workers/define-worker';
import { deleteAgedStatusMessages } from './delete-aged-status-messages';
import { createReplicationForwarder } from './forward-replication';
import { attachInProcessDrain } from './in-process-queue';
import { appendToInbox } from './inbox-repo';
import { processStatusBatch, type StatusManagerEffects } from './process-status-batch';
import type { ReportingProperties } from './reporting-properties';
import { FILTER_RULES_CHANGED_CHANNEL, filterRulesVersion, loadFilterRules } from './repo';
import { componentWritesToSyslog } from './report-server-message';
import { createProgramRunner, type ProgramRunner } from './run-program';
import type { FilterRule } from './status-filter-rule.schema';
import { noSummarizers, type Summarizers } from './summarizers';
import { recordStatusBatch, statusManagerMetrics } from './status-manager-metrics';
import { createSyslogSink, formatSyslogLine } from './syslog';

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
  /** "Delete Aged Status Messages" schedule until the site has a site control document (then its setting). */
  purgeSchedule: string;
  ledgerDays: number;
  syslogTarget?: string;
  /** Idle poll interval of a drain loop. */
  pollMs?: number;
  summarizers?: Summarizers;
  programs?: ProgramRunner;
  fetch?: typeof fetch;
}

/**
 * Runs Status Manager in this process: drain loops over the inbox (and this process's
 * in-memory queue), the replication forwarder, and the Delete Aged Status Messages schedule.
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
      syslog.write(formatSyslogLine(message));
    },
    programs,
    replicationEnabled: Boolean(options.parentUrl),
  };

  const cycles: { wake(): void; done: Promise<void> }[] = [];
  const wakeAll = () => cycles.forEach((c) => c.wake());
  const drain = attachInProcessDrain({ wake: wakeAll });

  for (let i = 0; i < options.loops; i++) {
    const cycle = loop({
      intervalMs: options.pollMs ?? 500,
      signal,
      log,
      tick: async () => {
        const queued = drain.take(5000);
        try {
          const result = await processStatusBatch({
            db,
            rules: await rules.get(),
            effects,
            maxBatches: options.batchRows,
            queued,
            reporting,
            log,
          });
          recordStatusBatch(result);
          if (result.messages) {
            log.debug(result, 'status messages processed');
            cycle.wake();
          }
        } catch (error) {
          drain.requeue(queued);
          statusManagerMetrics().batchesFailed.inc();
          throw error;
        }
      },
    });
    cycles.push(cycle);
  }

  const forwarder = options.parentUrl
    ? createReplicationForwarder({
        db,
        parentUrl: options.parentUrl,
        parentCredential: options.parentCredential ?? '',
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
            if (!result.sent || result.deferred || signal.aborted) return;
          }
        },
      })
    : null;

  // Site settings Status Manager applies without restart: reporting properties, the default
  // retention and the "Delete Aged Status Messages" schedule.
  let reporting: { properties: ReportingProperties; defaultRetentionDays: number } | undefined;
  let purge: Cron | null = null;
  let purgeKey = '';
  const runPurge = async () => {
    try {
      const result = await deleteAgedStatusMessages({ db, ledgerDays: options.ledgerDays, signal });
      if (result.ran) log.info(result, 'Delete Aged Status Messages finished');
    } catch (error) {
      log.error({ err: error }, 'Delete Aged Status Messages failed');
    }
  };
  const applySettings = (settings: SiteSettings) => {
    const task = settings.maintenance.deleteAgedStatusMessages;
    reporting = { properties: settings.statusReporting, defaultRetentionDays: task.retentionDays };
    const key = JSON.stringify([task.enabled, task.schedule, settings.site.timeZone]);
    if (key === purgeKey) return;
    purgeKey = key;
    purge?.stop();
    purge = task.enabled
      ? new Cron(task.schedule, { protect: true, name: 'delete-aged-status-messages', timezone: settings.site.timeZone }, runPurge)
      : null;
  };
  const siteSettings = watchSiteControl({
    paths: ['statusReporting', 'maintenance.deleteAgedStatusMessages', 'site.timeZone'],
    connectionString: options.connectionString,
    db,
    log,
    purgeSchedule: options.purgeSchedule,
    onChange: ({ settings, serial, changedPaths }) => {
      applySettings(settings);
      log.info({ serial, changedPaths }, 'site settings changed; reporting properties and schedule reloaded');
    },
  });
  applySettings((await siteSettings.ready).settings);

  const listener = listen({
    connectionString: options.connectionString,
    channels: [FILTER_RULES_CHANGED_CHANNEL],
    log,
    onNotification: () => {
      rules.invalidate();
      log.info('status filter rules changed; reloaded');
    },
    onReconnect: () => rules.invalidate(),
  });

  return {
    wake: wakeAll,
    async stop() {
      purge?.stop();
      await siteSettings.close();
      await Promise.all([...cycles.map((c) => c.done), forwarding?.done]);
      await listener.close();
      // What is still queued in memory survives the stop in the durable inbox.
      const left = drain.detach();
      if (left.length) await appendToInbox({ db, messages: left, origin: 'server' }).catch((error) => log.error({ err: error, lost: left.length }, 'could not save queued messages'));
      await programs.idle();
      await syslog.close();
    },
  };
}
