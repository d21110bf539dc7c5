import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import { reportingHealth, storageHealth, worstHealth } from './evaluate-thresholds';
import * as repo from './repo';
import { siteOrDefault } from './read-component-status';
import type { Health } from './summarizer.schema';

export interface SiteSystemStatus {
  id: number;
  name: string;
  roles: string[];
  lastReportedAt: string | null;
  reporting: Health;
  storage: { name: string; freeBytes: number; totalBytes: number; reportedAt: string; health: Health }[];
  health: Health;
}

export interface SiteSystemStatusView {
  site: { code: string; name: string; timeZone: string };
  thresholds: { freeSpaceWarningMb: number; freeSpaceCriticalMb: number; pollingMinutes: number };
  generatedAt: string;
  siteSystems: SiteSystemStatus[];
}

/**
 * The Site System Status view's data: per site system and role, each storage object's free
 * space against the site's thresholds and whether the system reported within its polling
 * interval; a system's status is the worst of them.
 */
export async function readSiteSystemStatus(options: { site?: string; clock?: Clock; db?: pg.Pool }): Promise<SiteSystemStatusView> {
  const now = (options.clock ?? systemClock).now();
  const site = await siteOrDefault(options.site, options.db);
  const [thresholds, systems] = await Promise.all([repo.readStorageSettings(site.id, options.db), repo.readSiteSystems(site.id, options.db)]);
  return {
    site: { code: site.code, name: site.name, timeZone: site.timeZone },
    thresholds,
    generatedAt: now.toISOString(),
    siteSystems: systems.map((s) => {
      const storage = s.storage.map((o) => ({
        name: o.name,
        freeBytes: Number(o.freeBytes),
        totalBytes: Number(o.totalBytes),
        reportedAt: new Date(o.reportedAt).toISOString(),
        health: storageHealth(Number(o.freeBytes), thresholds),
      }));
      const reporting = reportingHealth(s.lastReportedAt, now, thresholds.pollingMinutes);
      return {
        id: s.id,
        name: s.name,
        roles: s.roles,
        lastReportedAt: s.lastReportedAt?.toISOString() ?? null,
        reporting,
        storage,
        health: worstHealth([reporting, ...storage.map((o) => o.health)]),
      };
    }),
  };
}
