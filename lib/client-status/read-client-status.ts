import type pg from 'pg';
import { pool } from '../db/pool';
import type { ClientStatusOverview, InactiveClientsPage, InactiveClientsQuery, ReadClientStatusSettings } from './client-status.schema';
import { activityCutoffs, deriveClientActivity } from './derive-client-activity';
import * as repo from './repo';

/** The Client Status page's figures: the counts as they stand now, and the daily counts of the last `days` days. */
export async function readClientStatusOverview(options: {
  now: Date;
  days: number;
  settings: ReadClientStatusSettings;
  db?: pg.Pool;
}): Promise<ClientStatusOverview> {
  const db = options.db ?? pool();
  const sites = await repo.listSites(db);
  const settings = await options.settings(sites.map((s) => s.id));
  const [counts, history] = await Promise.all([
    repo.countClientStatus(db, activityCutoffs({ now: options.now, settings })),
    repo.readClientStatusDays(db, { now: options.now, days: options.days }),
  ]);
  const totals = { total: 0, online: 0, offline: 0, active: 0, inactive: 0 };
  for (const c of counts.values()) {
    totals.total += c.total;
    totals.online += c.online;
    totals.active += c.active;
    totals.inactive += c.inactive;
  }
  totals.offline = totals.total - totals.online;
  return {
    totals,
    history,
    inactiveAfterDays: Object.fromEntries(sites.map((s) => [s.code, settings.get(s.id)?.inactiveAfterDays ?? 7])),
    at: options.now.toISOString(),
  };
}

/** One page of the inactive clients, each with the reason it counts as inactive. */
export async function listInactiveClients(options: {
  query: InactiveClientsQuery;
  now: Date;
  settings: ReadClientStatusSettings;
  db?: pg.Pool;
}): Promise<InactiveClientsPage> {
  const db = options.db ?? pool();
  const sites = await repo.listSites(db);
  const settings = await options.settings(sites.map((s) => s.id));
  const { query } = options;
  const { rows, total } = await repo.findInactiveClients(db, {
    cutoffs: activityCutoffs({ now: options.now, settings }),
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return {
    rows: rows.map((r) => {
      const activity = deriveClientActivity(r, { now: options.now, settings: settings.get(r.siteId)! });
      return {
        id: r.id,
        name: r.name,
        siteCode: r.siteCode,
        online: r.online,
        isDemo: r.isDemo,
        lastActivityAt: activity.last?.at.toISOString() ?? null,
        reason: activity.reason,
      };
    }),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
