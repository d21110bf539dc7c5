import type pg from 'pg';
import type { Logger } from 'pino';
import { config } from '../config';
import { listenShared } from '../db/listen-shared';
import { pool } from '../db/pool';
import { componentLogger } from '../logger';
import { diffDocuments, overlaps } from './document-paths';
import { readSiteControl, type SiteControlSnapshot } from './read-site-settings';
import { siteControlAppliedSchema } from './site-control-change.schema';
import type { SiteSettings } from './site-control.schema';
import { channels } from '../db/channels';

function parseApplied(payload: string) {
  try {
    const parsed = siteControlAppliedSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A new serial that moved at least one watched setting. */
export interface SiteControlChange {
  serial: number;
  settings: SiteSettings;
  previous: SiteSettings;
  /** Every setting path that differs from the last serial this watcher saw. */
  changedPaths: string[];
}

export interface SiteControlWatcher {
  /** The settings when the watcher started listening. */
  ready: Promise<SiteControlSnapshot>;
  /** The latest settings seen (null until ready): current for the watched paths. */
  current(): SiteControlSnapshot | null;
  close(): Promise<void>;
}

/**
 * Tells a component when an applied site control change moved a setting it depends on, so it
 * applies it without restart. Listens on sitebox_site_control_applied; after every (re)connect
 * it re-reads the document, so a change applied while the connection was down is not missed.
 * `paths` are setting paths or sections ("components.notificationServer"); none: every setting.
 * Changes arrive one at a time, in serial order; `onChange` may be async.
 */
export function watchSiteControl(options: {
  onChange: (change: SiteControlChange) => void | Promise<void>;
  paths?: readonly string[];
  siteCode?: string;
  connectionString?: string;
  db?: pg.Pool;
  log?: Logger;
  /** See readSiteControl. */
  purgeSchedule?: string;
}): SiteControlWatcher {
  const log = options.log ?? componentLogger('site-control-watch');
  const db = options.db ?? pool();
  const siteCode = options.siteCode ?? config().SITEBOX_SITE_CODE;
  let latest: SiteControlSnapshot | null = null;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  let resolveReady!: (snapshot: SiteControlSnapshot) => void;
  let rejectReady!: (error: unknown) => void;
  const ready = new Promise<SiteControlSnapshot>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);

  const refresh = async () => {
    const next = await readSiteControl({ siteCode, db, purgeSchedule: options.purgeSchedule });
    const previous = latest;
    if (!previous) {
      latest = next;
      resolveReady(next);
      return;
    }
    if (next.serial === previous.serial) return;
    latest = next;
    const changedPaths = diffDocuments(previous.settings, next.settings).map((c) => c.path);
    const watched = options.paths?.length ? changedPaths.filter((p) => options.paths!.some((w) => overlaps(w, p))) : changedPaths;
    if (!watched.length || closed) return;
    await options.onChange({ serial: next.serial, settings: next.settings, previous: previous.settings, changedPaths });
  };
  const schedule = () => {
    chain = chain.then(refresh).catch((error) => {
      log.error({ err: error }, 'could not apply the site control change');
      if (!latest) rejectReady(error);
    });
  };

  const listener = listenShared({
    connectionString: options.connectionString ?? config().databaseUrl,
    channels: [channels.siteControlApplied],
    onNotification: (_channel, payload) => {
      const applied = parseApplied(payload);
      if (applied && applied.siteCode !== siteCode) return;
      // A change that names only settings nobody here watches needs no read.
      const watched = options.paths;
      if (applied?.changedPaths && watched?.length && !applied.changedPaths.some((p) => watched.some((w) => overlaps(w, p)))) return;
      schedule();
    },
    onListening: schedule,
  });

  return {
    ready,
    current: () => latest,
    async close() {
      closed = true;
      await listener.close();
      await chain;
    },
  };
}
