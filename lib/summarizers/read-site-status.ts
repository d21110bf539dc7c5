import type pg from 'pg';
import { systemClock, type Clock } from '../clock';
import { siteColour, type SiteColour } from './evaluate-thresholds';
import * as repo from './repo';
import { readComponentStatus, type ResolvedInterval } from './read-component-status';
import { readSiteSystemStatus } from './read-site-system-status';
import type { Health, IntervalQuery } from './summarizer.schema';

const tally = (values: Health[]) => ({
  ok: values.filter((v) => v === 'OK').length,
  warning: values.filter((v) => v === 'WARNING').length,
  critical: values.filter((v) => v === 'CRITICAL').length,
});

export interface SiteStatus {
  code: string;
  name: string;
  timeZone: string;
  colour: SiteColour;
  interval: ResolvedInterval;
  components: { ok: number; warning: number; critical: number };
  siteSystems: { ok: number; warning: number; critical: number };
  messages: { informational: number; warning: number; error: number };
  lastMessageAt: string | null;
}

/** One status per site: the component and site system summaries rolled up to green, yellow or red. */
export async function readSiteStatus(options: {
  query?: Omit<IntervalQuery, 'site'>;
  clock?: Clock;
  db?: pg.Pool;
}): Promise<{ generatedAt: string; sites: SiteStatus[] }> {
  const clock = options.clock ?? systemClock;
  const thresholds = await repo.listComponentThresholds(options.db);
  const sites = await repo.listSites(options.db);
  const result: SiteStatus[] = [];
  for (const site of sites) {
    const [components, systems] = await Promise.all([
      readComponentStatus({ query: { ...options.query, site: site.code }, clock, db: options.db, thresholds }),
      readSiteSystemStatus({ site: site.code, clock, db: options.db }),
    ]);
    const componentHealth = components.components.map((c) => c.health);
    const systemHealth = systems.siteSystems.map((s) => s.health);
    let lastMessageAt: string | null = null;
    const messages = { informational: 0, warning: 0, error: 0 };
    for (const c of components.components) {
      messages.informational += c.counts.informational;
      messages.warning += c.counts.warning;
      messages.error += c.counts.error;
      if (c.lastMessageAt && (!lastMessageAt || c.lastMessageAt > lastMessageAt)) lastMessageAt = c.lastMessageAt;
    }
    result.push({
      code: site.code,
      name: site.name,
      timeZone: site.timeZone,
      colour: siteColour({ components: componentHealth, siteSystems: systemHealth }),
      interval: components.interval,
      components: tally(componentHealth),
      siteSystems: tally(systemHealth),
      messages,
      lastMessageAt,
    });
  }
  return { generatedAt: clock.now().toISOString(), sites: result };
}
