import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import { config } from '../config';
import { notFoundOrThrow } from '../errors';
import { displayIntervalStart } from './display-interval';
import { evaluateComponentHealth, type ComponentThreshold, type ThresholdFinding } from './evaluate-thresholds';
import { formatLocalDateTime, parseLocalDateTime, startOfLocalDay, startOfLocalHour, startOfNextLocalDay } from './local-time';
import * as repo from './repo';
import { displayIntervalLabels, type DisplayInterval, type Health, type IntervalQuery } from './summarizer.schema';

/** A component is offline when its heartbeats stop for this long. */
export const HEARTBEAT_STALE_MS = 15 * 60_000;

/** One row of the Component Status view. */
export interface ComponentStatus {
  id: number;
  systemName: string;
  component: string;
  state: string;
  availability: string;
  // Absent rather than null: thousands of rows are sent at once.
  lastHeartbeatAt?: string;
  lastMessageAt?: string;
  /** With SINCE_RESET: this component's own start, its last reset (absent: never reset, since the beginning). Otherwise the interval's start applies. */
  since?: string;
  resetAt?: string;
  resetBy?: string;
  counts: { informational: number; warning: number; error: number };
  health: Health;
  /** Why it is Warning or Critical (absent when OK). */
  reasons?: string[];
  /** The thresholds reached, when asked for (`withFindings`). */
  findings?: ThresholdFinding[];
}

export interface ResolvedInterval {
  kind: DisplayInterval;
  label: string;
  /** ISO start (null with SINCE_RESET: per component). */
  start: string | null;
  /** The start as the site's wall-clock time, for forms. */
  localStart: string | null;
}

export interface ComponentStatusView {
  site: { code: string; name: string; timeZone: string };
  interval: ResolvedInterval;
  generatedAt: string;
  /** Every component of the site by status, before the filter. */
  tallies: Record<Health, number>;
  /** Components that pass the filter; `components` is the window [offset, offset + limit) of them. */
  total: number;
  offset: number;
  components: ComponentStatus[];
}

const rank: Record<Health, number> = { CRITICAL: 0, WARNING: 1, OK: 2 };

/** The interval a view shows: the one asked for, else the site's setting. */
export async function resolveInterval(options: { site: repo.SiteRow; query: IntervalQuery; now: Date; db?: pg.Pool }) {
  const setting = options.query.interval ? null : await repo.readSummarizerSetting(options.site.id, options.db);
  const kind = options.query.interval ?? setting!.displayInterval;
  const sinceAt = setting ? setting.sinceAt : options.query.since ? parseLocalDateTime(options.query.since, options.site.timeZone) : null;
  const start = displayIntervalStart({ interval: kind, timeZone: options.site.timeZone, now: options.now, sinceAt });
  const interval: ResolvedInterval = {
    kind,
    label: displayIntervalLabels[kind],
    start: start?.toISOString() ?? null,
    localStart: start ? formatLocalDateTime(start, options.site.timeZone) : null,
  };
  return { kind, start, interval };
}

/**
 * The site a view asked for, else this site: a parent also holds its child sites, and the first
 * by code (C01 before P01) is not the one an administrator opening the page means.
 */
export async function siteOrDefault(code: string | undefined, db?: pg.Pool): Promise<repo.SiteRow> {
  if (code) return notFoundOrThrow(await repo.findSite(code, db), `Site ${code}`);
  const own = await repo.findSite(config().SITEBOX_SITE_CODE, db);
  if (own) return own;
  const [first] = await repo.listSites(db);
  return notFoundOrThrow(first, 'A site');
}

type Baseline = repo.CountReset['baseline'];
const baselineOf = (baseline: Baseline | undefined, severity: string, messageId?: number) =>
  (baseline ?? []).filter((b) => b.severity === severity && (messageId === undefined || b.messageId === messageId)).reduce((n, b) => n + b.count, 0);

/** Counts from `since`: the local hours up to the next local midnight, then whole local days. */
export function countBounds(since: Date | null, timeZone: string): repo.CountBounds {
  if (!since) return { dayFrom: null, hourFrom: null };
  const hourFrom = startOfLocalHour(since, timeZone);
  const dayFrom = startOfLocalDay(since, timeZone).getTime() === since.getTime() ? since : startOfNextLocalDay(since, timeZone);
  return { dayFrom, hourFrom };
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

/**
 * The Component Status view's data: every component of a site with its counts in the display
 * interval, its status against the thresholds, state, availability and last message — read from
 * the summaries alone.
 */
export async function readComponentStatus(options: {
  query: IntervalQuery & { search?: string; problems?: boolean; offset?: number; limit?: number };
  clock?: Clock;
  db?: pg.Pool;
  thresholds?: readonly ComponentThreshold[];
  systemName?: string;
  component?: string;
  withFindings?: boolean;
}): Promise<ComponentStatusView> {
  const now = (options.clock ?? systemClock).now();
  const site = await siteOrDefault(options.query.site, options.db);
  const [{ kind, start, interval }, thresholds, resetList] = await Promise.all([
    resolveInterval({ site, query: options.query, now, db: options.db }),
    options.thresholds ?? repo.listComponentThresholds(options.db),
    repo.readCountResets(site.id, options.db),
  ]);
  const sinceReset = kind === 'SINCE_RESET';
  const resets = new Map(resetList.map((r) => [r.componentId, r]));
  // Since reset: each reset component from its reset; one never reset, from the beginning.
  const perComponent = sinceReset ? new Map(resetList.map((r) => [r.componentId, countBounds(r.resetAt, site.timeZone)])) : undefined;
  const bounds = countBounds(start, site.timeZone);
  const overrideIds = [
    ...new Set(thresholds.filter((t) => t.messageId !== null && (t.siteCode === null || t.siteCode === site.code)).map((t) => t.messageId!)),
  ];
  const [rows, idCounts] = await Promise.all([
    repo.readComponentCounts({ siteId: site.id, bounds, perComponent, systemName: options.systemName, component: options.component }, options.db),
    repo.readMessageIdCounts({ siteId: site.id, bounds, perComponent, messageIds: overrideIds }, options.db),
  ]);
  const byComponent = new Map<number, typeof idCounts>();
  for (const c of idCounts) {
    const list = byComponent.get(c.componentId) ?? [];
    list.push(c);
    byComponent.set(c.componentId, list);
  }

  const components = rows.map((r): ComponentStatus => {
    const reset = resets.get(r.id);
    const baseline = sinceReset ? reset?.baseline : undefined;
    const counts = {
      INFORMATIONAL: Math.max(0, r.info - baselineOf(baseline, 'INFORMATIONAL')),
      WARNING: Math.max(0, r.warning - baselineOf(baseline, 'WARNING')),
      ERROR: Math.max(0, r.error - baselineOf(baseline, 'ERROR')),
    };
    const messageCounts = (byComponent.get(r.id) ?? []).map((m) => ({
      ...m,
      count: Math.max(0, m.count - baselineOf(baseline, m.severity, m.messageId)),
    }));
    const { health, reasons, findings } = evaluateComponentHealth({ siteCode: site.code, component: r.component, counts, messageCounts, thresholds });
    const heartbeatStale = r.lastHeartbeatAt !== null && now.getTime() - r.lastHeartbeatAt > HEARTBEAT_STALE_MS;
    return {
      id: r.id,
      systemName: r.systemName,
      component: r.component,
      state: r.state,
      availability: r.availability === 'ONLINE' && heartbeatStale ? 'OFFLINE' : r.availability,
      lastHeartbeatAt: iso(r.lastHeartbeatAt),
      lastMessageAt: iso(r.lastMessageAt),
      since: sinceReset ? reset?.resetAt.toISOString() : undefined,
      resetAt: reset?.resetAt.toISOString(),
      resetBy: reset?.resetBy,
      counts: { informational: counts.INFORMATIONAL, warning: counts.WARNING, error: counts.ERROR },
      health,
      reasons: reasons.length ? reasons : undefined,
      findings: options.withFindings ? findings : undefined,
    };
  });

  const tallies: Record<Health, number> = { OK: 0, WARNING: 0, CRITICAL: 0 };
  for (const c of components) tallies[c.health]++;
  const needle = options.query.search?.toLowerCase();
  const shown = components
    .filter(
      (c) =>
        (!needle || c.component.toLowerCase().includes(needle) || c.systemName.toLowerCase().includes(needle)) &&
        (!options.query.problems || c.health !== 'OK'),
    )
    // Stable: within a status, the site system and name order the rows came in.
    .sort((a, b) => rank[a.health] - rank[b.health]);
  const offset = options.query.offset ?? 0;
  return {
    site: { code: site.code, name: site.name, timeZone: site.timeZone },
    interval,
    generatedAt: now.toISOString(),
    tallies,
    total: shown.length,
    offset,
    components: options.query.limit === undefined ? shown.slice(offset) : shown.slice(offset, offset + options.query.limit),
  };
}
