import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import type { Severity } from '../reporting/status-message.schema';
import * as repo from './repo';
import { siteOrDefault } from './read-component-status';

export interface RatePoint {
  at: string;
  informational: number;
  warning: number;
  error: number;
}

const key: Record<Severity, keyof Omit<RatePoint, 'at'>> = { INFORMATIONAL: 'informational', WARNING: 'warning', ERROR: 'error' };

/** Fills every bucket from `from` to `to`, so a quiet minute shows as zero rather than a gap. */
function series(rows: { at: Date; severity: Severity; count: number }[], from: Date, stepMs: number, buckets: number): RatePoint[] {
  const points: RatePoint[] = [];
  for (let i = 0; i < buckets; i++) points.push({ at: new Date(from.getTime() + i * stepMs).toISOString(), informational: 0, warning: 0, error: 0 });
  for (const r of rows) {
    const i = Math.floor((new Date(r.at).getTime() - from.getTime()) / stepMs);
    if (i >= 0 && i < buckets) points[i][key[r.severity]] += r.count;
  }
  return points;
}

/**
 * Message rates by severity: per minute over the last hour and per hour over the last day, for
 * a site (from the per-minute rates) or one component (its hour counts, both charts hourly).
 */
export async function readMessageRates(options: { site?: string; componentId?: number; clock?: Clock; db?: pg.Pool }) {
  const now = (options.clock ?? systemClock).now();
  const site = await siteOrDefault(options.site, options.db);
  const minute = 60_000;
  const hour = 3_600_000;
  const hourFrom = new Date(Math.floor(now.getTime() / minute) * minute - 59 * minute);
  const dayFrom = new Date(Math.floor(now.getTime() / hour) * hour - 23 * hour);
  if (options.componentId !== undefined) {
    const rows = await repo.readRates({ siteCode: site.code, from: dayFrom, bucket: 'hour', componentId: options.componentId }, options.db);
    return { site: site.code, lastHour: null, lastDay: series(rows, dayFrom, hour, 24) };
  }
  const [hourRows, dayRows] = await Promise.all([
    repo.readRates({ siteCode: site.code, from: hourFrom, bucket: 'minute' }, options.db),
    repo.readRates({ siteCode: site.code, from: dayFrom, bucket: 'hour' }, options.db),
  ]);
  return { site: site.code, lastHour: series(hourRows, hourFrom, minute, 60), lastDay: series(dayRows, dayFrom, hour, 24) };
}
