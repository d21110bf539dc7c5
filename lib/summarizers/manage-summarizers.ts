import type pg from 'pg';
import { reportAudit } from '../audit/report-audit';
import { systemClock, type Clock } from '../clock';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { AppError, notFoundOrThrow } from '../errors';
import { statusMessageIds } from '../reporting/catalog';
import { reportServerMessage, serverMessage } from '../reporting/report-server-message';
import type { Actor } from '../users/actor';
import { formatLocalDateTime, parseLocalDateTime, startOfLocalHour } from './local-time';
import * as repo from './repo';
import { siteOrDefault } from './read-component-status';
import type { ResetCountsInput, SummarizerSettingsInput, ThresholdOverrideEdit, ThresholdOverrideInput } from './summarizer.schema';
import { channels } from '../db/channels';
import { notify } from '../db/notify';

const COMPONENT_STATUS_SUMMARIZER = 'SMS_COMPONENT_STATUS_SUMMARIZER';

/**
 * Resets the counts of one component, a site system's, or a whole site's: "since reset" then
 * starts now. Audited, with a 4611 message per component; views refresh at once.
 */
export async function resetComponentCounts(options: { actor: Actor; input: ResetCountsInput; clock?: Clock; db?: pg.Pool }) {
  const db = options.db ?? pool();
  const at = (options.clock ?? systemClock).now();
  const site = await siteOrDefault(options.input.site, db);
  const userName = options.actor.principal.userName;
  const reset = await inTransaction(db, async (client) => {
    const rows = await repo.resetComponentCountRows(client, {
      siteId: site.id,
      systemName: options.input.systemName,
      component: options.input.component,
      at,
      hourStart: startOfLocalHour(at, site.timeZone),
      resetBy: userName,
    });
    if (!rows.length) throw new AppError('NOT_FOUND', { userMessage: 'No component matches.' });
    await reportAudit(
      {
        kind: 'performed',
        verb: 'ResetCounts',
        userName,
        address: options.actor.address,
        objectType: 'ComponentStatus',
        objectName: [site.code, options.input.systemName, options.input.component].filter(Boolean).join('/'),
        newValue: { components: rows.length, resetAt: at.toISOString() },
        siteCode: site.code,
      },
      client,
    );
    await reportServerMessage({
      db: client,
      messages: rows.slice(0, 500).map((r) =>
        serverMessage({
          messageId: statusMessageIds.summarizerCountsReset,
          component: COMPONENT_STATUS_SUMMARIZER,
          siteCode: site.code,
          insertionStrings: [r.component, r.systemName, userName],
          now: at,
        }),
      ),
    });
    await notify(client, channels.statusSummariesChanged, site.code);
    return rows;
  });
  return { resetAt: at.toISOString(), components: reset.length };
}

/** Sets a site's display interval; every view uses it from its next request. Audited. */
export async function updateSummarizerSettings(options: { actor: Actor; input: SummarizerSettingsInput; db?: pg.Pool }) {
  const db = options.db ?? pool();
  const site = await siteOrDefault(options.input.site, db);
  const before = await repo.readSummarizerSetting(site.id, db);
  const sinceAt =
    options.input.displayInterval === 'SINCE_DATE' && options.input.since ? parseLocalDateTime(options.input.since, site.timeZone) : null;
  await inTransaction(db, async (client) => {
    await repo.writeSummarizerSetting(
      site.id,
      { displayInterval: options.input.displayInterval, sinceAt, updatedBy: options.actor.principal.userName },
      client,
    );
    await reportAudit(
      {
        kind: 'modified',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'SummarizerSettings',
        objectName: site.code,
        oldValue: { displayInterval: before.displayInterval, sinceAt: before.sinceAt?.toISOString() ?? null },
        newValue: { displayInterval: options.input.displayInterval, sinceAt: sinceAt?.toISOString() ?? null },
        siteCode: site.code,
      },
      client,
    );
    await notify(client, channels.statusSummariesChanged, site.code);
  });
  return repo.readSummarizerSetting(site.id, db);
}

const describe = (t: ThresholdOverrideInput) =>
  `${t.siteCode ?? 'all sites'} / ${t.component ?? 'any component'} / ${t.messageId !== null ? `message ${t.messageId}` : 'any message'} / ${t.severity}`;

/**
 * Adds (id null) or changes a threshold override; read by the next view request, no restart.
 * Commits with its audit, or neither is made. A change made from an older version than the current one (`baseUpdatedAt`) is refused
 * (409); one naming no version replaces the override as it is.
 */
export async function saveThresholdOverride(options: { actor: Actor; id: number | null; input: ThresholdOverrideEdit; db?: pg.Pool }) {
  const db = options.db ?? pool();
  const { baseUpdatedAt, ...input } = options.input;
  const before = options.id ? notFoundOrThrow(await repo.findThreshold(options.id, db), 'That threshold') : null;
  if (before && before.component === null && before.messageId === null) {
    throw new AppError('BAD_REQUEST', { userMessage: 'Site-wide thresholds are site settings: change them in Site Settings.' });
  }
  // An override for a site that is not in the hierarchy (a mistyped code) would never apply to anything.
  if (input.siteCode && !(await repo.findSite(input.siteCode, db))) {
    const message = 'is not a site of this hierarchy';
    throw new AppError('BAD_REQUEST', { userMessage: `siteCode: ${message}`, details: { fields: [{ path: 'siteCode', message }] } });
  }
  // One transaction with its audit: no threshold changes without it.
  return inTransaction(db, async (client) => {
    const saved = await repo.saveThreshold(client, input, options.id, {
      check: (current) => {
        if (baseUpdatedAt && current.updatedAt.getTime() !== baseUpdatedAt.getTime())
          throw new AppError('CONFLICT', {
            userMessage: 'Someone changed this override after you opened it; reload it and make your change again.',
          });
      },
    });
    if (!saved) {
      throw new AppError('CONFLICT', {
        userMessage: 'A threshold for this site, component, message ID and severity already exists.',
        details: { fields: [{ path: 'component', message: 'already has a threshold for this message ID and severity' }] },
      });
    }
    await reportAudit(
      {
        kind: before ? 'modified' : 'created',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'SummarizerThreshold',
        objectName: describe(input),
        oldValue: before ?? undefined,
        newValue: input,
      },
      client,
    );
    await notify(client, channels.statusSummariesChanged);
    return saved;
  });
}

/** Deletes a threshold override, in one transaction with its audit: neither stands without the other. */
export async function deleteThresholdOverride(options: { actor: Actor; id: number; db?: pg.Pool }) {
  const db = options.db ?? pool();
  const before = notFoundOrThrow(await repo.findThreshold(options.id, db), 'That threshold');
  await inTransaction(db, async (client) => {
    if (!(await repo.deleteThreshold(options.id, client))) {
      throw new AppError('BAD_REQUEST', { userMessage: 'Site-wide thresholds are site settings and cannot be deleted.' });
    }
    await reportAudit(
      {
        kind: 'deleted',
        userName: options.actor.principal.userName,
        address: options.actor.address,
        objectType: 'SummarizerThreshold',
        objectName: describe(before),
        oldValue: before,
      },
      client,
    );
    await notify(client, channels.statusSummariesChanged);
  });
}

/** What the Status Summarizers page shows: the site's display interval, every component threshold, the storage settings. */
export async function readSummarizerSettings(options: { site?: string; db?: pg.Pool }) {
  const db = options.db ?? pool();
  const site = await siteOrDefault(options.site, db);
  const [setting, thresholds, storage, sites] = await Promise.all([
    repo.readSummarizerSetting(site.id, db),
    repo.listComponentThresholds(db),
    repo.readStorageSettings(site.id, db),
    repo.listSites(db),
  ]);
  return {
    site: { code: site.code, name: site.name, timeZone: site.timeZone },
    sites: sites.map((s) => ({ code: s.code, name: s.name })),
    displayInterval: setting.displayInterval,
    since: setting.sinceAt ? formatLocalDateTime(setting.sinceAt, site.timeZone) : null,
    updatedBy: setting.updatedBy,
    updatedAt: setting.updatedAt?.toISOString() ?? null,
    siteWideThresholds: thresholds.filter((t) => t.component === null && t.messageId === null && t.siteCode === null),
    overrides: thresholds.filter((t) => t.component !== null || t.messageId !== null || t.siteCode !== null),
    storage,
  };
}
