import type pg from 'pg';
import { outboxBacklog, readReplicationLink } from './replication-outbox-repo';
import { readChildSites, readSite } from './site-hierarchy-repo';

/** After this many failed attempts in a row the link reads Degraded, after FAILED_AFTER Failed (as the reference product marks its links). */
export const DEGRADED_AFTER = 12;
export const FAILED_AFTER = 24;

export type LinkState = 'NOT_YET' | 'OK' | 'DEGRADED' | 'FAILED';

/** A link's state from its consecutive failed attempts: Degraded after 12, Failed after 24; not yet tried until one attempt. */
export function linkState(link: { consecutiveFailures: number; lastAttemptAt: Date | null } | null): LinkState {
  if (!link?.lastAttemptAt) return 'NOT_YET';
  if (link.consecutiveFailures >= FAILED_AFTER) return 'FAILED';
  if (link.consecutiveFailures >= DEGRADED_AFTER) return 'DEGRADED';
  return 'OK';
}

export interface SiteHierarchy {
  site: { code: string; name: string };
  /** This site's link to its parent, when it has one (SITEBOX_PARENT_SITE_URL). */
  parent: {
    url: string;
    state: LinkState;
    consecutiveFailures: number;
    lastAttemptAt: string | null;
    lastSuccessAt: string | null;
    lastError: string | null;
    credentialRefused: boolean;
    /** Messages waiting in this site's outbox, by priority (each counted up to 100,000). */
    backlog: Record<string, number>;
  } | null;
  /** Sites whose messages this site received in the last two days (they replicate to it). */
  children: {
    code: string;
    name: string | null;
    lastMessageAt: string | null;
    lastHour: { errors: number; warnings: number; informational: number };
    /** The child's outbox and failed attempts as it last reported them, with the link state they make; null before its first report. */
    link: {
      state: LinkState;
      backlog: { HIGH: number; MEDIUM: number; LOW: number };
      consecutiveFailures: number;
      oldestQueuedAt: string | null;
      reportedAt: string;
    } | null;
  }[];
}

const BACKLOG_CAP = 100_000;

/** The Site Hierarchy view: this site, its parent link as the forwarder last found it, and its children. */
export async function readSiteHierarchy(options: { db: pg.Pool; siteCode: string; parentUrl?: string }): Promise<SiteHierarchy> {
  const { db, siteCode, parentUrl } = options;
  const site = await readSite(db, siteCode);
  let parent: SiteHierarchy['parent'] = null;
  if (parentUrl) {
    const link = await readReplicationLink(db, parentUrl);
    const backlog = await outboxBacklog(db, BACKLOG_CAP);
    delete backlog.NONE;
    parent = {
      url: parentUrl,
      state: linkState(link),
      consecutiveFailures: link?.consecutiveFailures ?? 0,
      lastAttemptAt: link?.lastAttemptAt?.toISOString() ?? null,
      lastSuccessAt: link?.lastSuccessAt?.toISOString() ?? null,
      lastError: link?.lastError ?? null,
      credentialRefused: link?.credentialRefused ?? false,
      backlog,
    };
  }
  const children = (await readChildSites(db, siteCode)).map((c) => ({
    ...c,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    link: c.link && {
      state: linkState({ consecutiveFailures: c.link.consecutiveFailures, lastAttemptAt: c.link.reportedAt }),
      backlog: c.link.backlog,
      consecutiveFailures: c.link.consecutiveFailures,
      oldestQueuedAt: c.link.oldestQueuedAt?.toISOString() ?? null,
      reportedAt: c.link.reportedAt.toISOString(),
    },
  }));
  return { site: { code: siteCode, name: site?.name ?? siteCode }, parent, children };
}
