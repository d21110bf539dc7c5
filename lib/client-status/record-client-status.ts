import type pg from 'pg';
import { pool } from '../db/pool';
import type { ClientStatusCounts, ReadClientStatusSettings } from './client-status.schema';
import { activityCutoffs } from './derive-client-activity';
import * as repo from './repo';

/**
 * Counts each site's clients as they stand at `now` (total, online, active, inactive) and writes
 * them as the site's row for today in client_status_daily. Safe to run any number of times a
 * day: each run overwrites the day's row with the current counts. Returns the counts by site id.
 */
export async function recordClientStatusDaily(options: {
  now: Date;
  settings: ReadClientStatusSettings;
  db?: pg.Pool;
}): Promise<Map<number, ClientStatusCounts>> {
  const db = options.db ?? pool();
  const sites = await repo.listSites(db);
  const settings = await options.settings(sites.map((s) => s.id));
  const counts = await repo.countClientStatus(db, activityCutoffs({ now: options.now, settings }));
  const written = new Map<number, ClientStatusCounts>();
  for (const site of sites) {
    const row = counts.get(site.id) ?? { total: 0, online: 0, active: 0, inactive: 0 };
    await repo.upsertClientStatusDay(db, { siteId: site.id, at: options.now, counts: row });
    written.set(site.id, row);
  }
  return written;
}
