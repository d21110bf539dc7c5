import type pg from 'pg';
import { evaluateCollections } from '../collections/evaluate-collections';
import { config, serverName } from '../config';
import { pool } from '../db/pool';
import { inTransaction } from '../db/transaction';
import { ensureSiteControl } from '../sitecontrol/repo';
import { registerSiteSystem } from '../sites/register-site-system-repo';
import { thisServerComponents, thisServerRoles, workerComponents } from '../sites/server-components';
import { insertCollections, insertDemoSiteRow, insertDevices, insertFilterRulesAndThresholds } from './demo-repo';
import { demoDevices } from './demo-devices';
import { defaultComponentThresholds, defaultFilterRules, demoCollections } from './demo-site';

export interface SeedResult {
  created: boolean;
  devices: number;
}

/**
 * Creates the configured site (SITEBOX_SITE_CODE, _NAME, _TIME_ZONE; S01 by default) with its site server (this server, under SITEBOX_SERVER_NAME, with
 * the components of `workers` — default all — and its own), devices, collections, filter rules and thresholds —
 * once. When the site already exists nothing is touched, so a restart never brings back what
 * an administrator deleted.
 */
export async function seedDemoSite(options: { devices: number; workers?: readonly string[]; db?: pg.Pool }): Promise<SeedResult> {
  const db = options.db ?? pool();
  const cfg = config();
  // The configured site, not the demo's: workers, registration and credentials all use this code.
  const site = { code: cfg.SITEBOX_SITE_CODE, name: cfg.SITEBOX_SITE_NAME, timeZone: cfg.SITEBOX_SITE_TIME_ZONE };
  const created = await inTransaction(db, async (client) => {
    // Two processes seeding at once: the second waits here, then finds the site.
    const siteId = await insertDemoSiteRow(client, site);
    if (siteId === null) return false;
    await registerSiteSystem(client, {
      siteCode: site.code,
      name: serverName(),
      roles: thisServerRoles(cfg),
      components: thisServerComponents(options.workers ?? Object.keys(workerComponents)),
    });
    await insertDevices(client, siteId, demoDevices({ count: options.devices }));
    await insertCollections(client, demoCollections(site.code));
    await insertFilterRulesAndThresholds(client, defaultFilterRules, defaultComponentThresholds);
    // Serial 0 of the site control document, as setup writes it.
    await ensureSiteControl(client, { siteCode: site.code, purgeSchedule: cfg.SITEBOX_STATUS_PURGE_SCHEDULE });
    return true;
  });
  if (created) await evaluateCollections({ db });
  return { created, devices: created ? options.devices : 0 };
}
